import DagGen
import Testing

/// Every shape, small: the counts the API announces are the counts written, and each
/// shape has the structure its documentation draws.
struct ShapeTests {
    static let sizes = [1, 2, 3, 7, 16, 100]

    @Test("taskCount and edgeCount match what write writes", arguments: GraphShape.allCases, sizes)
    func countsMatchOutput(shape: GraphShape, n: Int) throws {
        var options = GenOptions(n: n)
        options.width = 5
        options.levels = 3
        let graph = try GeneratedGraph(shape, options)
        #expect(graph.tasks.count == GraphGenerator.taskCount(shape, options))
        #expect(graph.edgeCount == GraphGenerator.edgeCount(shape, options))
        #expect(graph.name == "\(shape.rawValue)-\(graph.tasks.count)")
        #expect(graph.description.hasPrefix("dagrun gen \(shape.rawValue) "))
        #expect(graph.tasks.allSatisfy { $0.op == "noop" })
    }

    @Test("the same options write the same bytes", arguments: GraphShape.allCases)
    func deterministic(shape: GraphShape) throws {
        let options = GenOptions(n: 500)
        #expect(try GeneratedGraph(shape, options).bytes == GeneratedGraph(shape, options).bytes)
    }

    //   t0 t1 ... t(n-1)
    //     \  |  /
    //      t(n)
    @Test("independent: n tasks without inputs, one join over all of them")
    func independent() throws {
        let graph = try GeneratedGraph(.independent, GenOptions(n: 50))
        #expect(graph.tasks.count == 51)
        #expect(graph.tasks.dropLast().allSatisfy { $0.inputs.isEmpty })
        #expect(graph.tasks.last?.inputs == Array(0..<50))
        #expect(graph.depth == 2)
    }

    //   t0 -> t1 -> ... -> t(n-1)
    @Test("chain: each task the only input of the next")
    func chain() throws {
        let graph = try GeneratedGraph(.chain, GenOptions(n: 40))
        #expect(graph.tasks.count == 40)
        #expect(graph.tasks[0].inputs.isEmpty)
        #expect(graph.tasks.dropFirst().allSatisfy { $0.inputs == [$0.index - 1] })
        #expect(graph.depth == 40)
    }

    //   t0 t1 t2 t3 t4 t5 t6 t7     n = 5 rounds up to 8 leaves
    //    \/    \/    \/    \/
    //    t8    t9   t10   t11
    //      \  /        \  /
    //      t12         t13
    //          \      /
    //            t14
    @Test("tree: leaves rounded up to a power of two, pairwise joins, depth log2(leaves) + 1",
          arguments: [(1, 1), (2, 2), (5, 8), (8, 8), (9, 16), (1000, 1024)])
    func tree(n: Int, leaves: Int) throws {
        let graph = try GeneratedGraph(.tree, GenOptions(n: n))
        #expect(graph.tasks.count == 2 * leaves - 1)
        #expect(graph.tasks.prefix(leaves).allSatisfy { $0.inputs.isEmpty })
        #expect(graph.tasks.dropFirst(leaves).allSatisfy { $0.inputs.count == 2 && $0.inputs[1] == $0.inputs[0] + 1 })
        #expect(graph.depth == leaves.trailingZeroBitCount + 1)
        #expect(graph.sinks == [graph.tasks.count - 1])
        var consumers = [Int](repeating: 0, count: graph.tasks.count)
        for task in graph.tasks { for input in task.inputs { consumers[input] += 1 } }
        #expect(consumers.dropLast().allSatisfy { $0 == 1 }, "every task but the root feeds exactly one join")
    }

    //   t0 -> t1 -> t2
    //   |     |     |
    //   t3 -> t4 -> t5
    //   |     |     |
    //   t6 -> t7 -> t8
    @Test("wavefront: (i,j) depends on exactly (i-1,j) and (i,j-1)",
          arguments: [(1, 1), (2, 1), (3, 2), (9, 3), (12, 3), (13, 4), (99_856, 316), (100_000, 316)])
    func wavefront(n: Int, side: Int) throws {
        let options = GenOptions(n: n)
        #expect(GraphGenerator.taskCount(.wavefront, options) == side * side)
        guard n <= 1000 else { return }
        let graph = try GeneratedGraph(.wavefront, options)
        for task in graph.tasks {
            let (i, j) = task.index.quotientAndRemainder(dividingBy: side)
            var expected: [Int] = []
            if i > 0 { expected.append((i - 1) * side + j) }
            if j > 0 { expected.append(i * side + j - 1) }
            #expect(task.inputs == expected, "task (\(i), \(j))")
        }
        #expect(graph.depth == 2 * side - 1)
    }

    //   fork -> w1..w4 -> join -> fork -> w1..w4 -> join -> fork -> w1..w4 -> join
    @Test("forkjoin: levels rounds of fork, width tasks, join, chained")
    func forkjoin() throws {
        var options = GenOptions(n: 1)
        options.width = 4
        options.levels = 3
        let graph = try GeneratedGraph(.forkjoin, options)
        #expect(graph.tasks.count == 3 * 6)
        for round in 0..<3 {
            let fork = round * 6
            #expect(graph.tasks[fork].inputs == (round == 0 ? [] : [fork - 1]))
            for k in 1...4 { #expect(graph.tasks[fork + k].inputs == [fork]) }
            #expect(graph.tasks[fork + 5].inputs == Array((fork + 1)...(fork + 4)))
        }
        #expect(graph.depth == 3 * 3)
        #expect(graph.sinks == [17])
    }
}
