import DagCore
import Testing
@testable import DagRuntime

/// The packed per-task records of a run: what they hold, and the join counter's protocol.
@Suite struct JoinRecordsTests {
    /// a, b (io) -> c <- a; c -> d: fan-in, an io task, a sink.
    func diamond() throws -> TaskGraph {
        var g = GraphBuilder()
        let a = g.add("noop", id: "a")
        let b = g.add("sleep", id: "b", args: ["seconds": .double(0)])
        let c = g.add("noop", id: "c", inputs: [a, b, a])
        g.add("noop", id: "d", inputs: [c])
        return try g.build()
    }

    @Test func recordsHoldTheGraphsFacts() throws {
        let graph = try diamond()
        let records = JoinRecords(graph: graph)
        defer { records.deallocate() }
        for i in 0..<graph.count {
            let inputs = Int32(graph.inputOffsets[i + 1] - graph.inputOffsets[i])
            #expect(records.pendingCount(i) == inputs, "task \(graph.ids[i])")
            let (first, end) = records.consumerRange(i)
            #expect(first == Int(graph.consumerOffsets[i]) && end == Int(graph.consumerOffsets[i + 1]))
            #expect(records.consumerStart(i) == first)
            #expect(records.consumerCount(i) == end - first)
            #expect(records.priority(i) == Float(graph.bottomLevel[i]))
            #expect(records.isIO(i) == (graph.classes[i] == .io))
            #expect(!records.isPoisoned(i))
            #expect(JoinRecords.op(records.flags(i)) == Int(graph.opIndex[i]))
        }
        // c counts a twice (one per input slot).
        let c = Int(graph.index(of: "c")!)
        #expect(records.pendingCount(c) == 3)
    }

    @Test func theLastArrivalMakesATaskReady() throws {
        let graph = try diamond()
        let records = JoinRecords(graph: graph)
        defer { records.deallocate() }
        let c = Int(graph.index(of: "c")!)
        #expect(!records.inputArrived(c))
        #expect(!records.inputArrived(c))
        #expect(records.inputArrived(c))
        #expect(records.pendingCount(c) == 0)
    }

    @Test func poisonKeepsTheOpAndTheOtherFlags() throws {
        let graph = try diamond()
        let records = JoinRecords(graph: graph)
        defer { records.deallocate() }
        for i in 0..<graph.count {
            let before = records.flags(i)
            records.poison(i)
            records.poison(i)   // a second failed input changes nothing more
            #expect(records.isPoisoned(i))
            #expect(records.isIO(i) == (graph.classes[i] == .io))
            #expect(JoinRecords.op(records.flags(i)) == JoinRecords.op(before))
        }
    }

    @Test func prioritiesOrderLikeTheCriticalPathPolicy() throws {
        let graph = try diamond()
        let records = JoinRecords(graph: graph)
        defer { records.deallocate() }
        var all = (0..<Int32(graph.count)).map { $0 }
        all.reverse()
        all.withUnsafeMutableBufferPointer { records.sortByPriority($0) }
        // Larger bottom level first, ties by task index.
        for (x, y) in zip(all, all.dropFirst()) {
            let (p, q) = (records.priority(Int(x)), records.priority(Int(y)))
            #expect(p > q || (p == q && x < y))
            #expect(records.precedes(x, y) && !records.precedes(y, x))
        }
        #expect(all.first == graph.index(of: "a"))   // a -> c -> d is the longest path
    }

    /// The integer-key sort used for the roots gives exactly the comparison order, ties
    /// (equal costs, zero costs) by task index.
    @Test func rootsSortedByKeysMatchTheComparisonOrder() throws {
        var g = GraphBuilder()
        for k in 0..<300 { g.add("noop", id: "t\(k)", cost: Double((k * 7) % 5) * 0.25) }
        let graph = try g.build()
        let records = JoinRecords(graph: graph)
        defer { records.deallocate() }
        var rng = SystemRandomNumberGenerator()
        let shuffled = (0..<Int32(graph.count)).map { $0 }.shuffled(using: &rng)
        let byKeys = records.sortedByPriority(shuffled)
        let byComparison = shuffled.sorted { records.precedes($0, $1) }
        #expect(byKeys == byComparison)
        #expect(Set(byKeys.prefix(60).map { records.priority(Int($0)) }).count == 1)   // the 60 of cost 1 first
        #expect(records.sortedByPriority([]) == [])
    }

    @Test func anEmptyGraphHasOnlyTheSentinel() throws {
        let graph = try GraphBuilder().build()
        let records = JoinRecords(graph: graph)
        defer { records.deallocate() }
        #expect(records.count == 0)
    }
}
