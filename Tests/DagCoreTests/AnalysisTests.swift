import Testing
@testable import DagCore

/// Static order: topological order, bottom levels, critical path, priority ranks.
@Suite struct AnalysisTests {
    /// Every test's graph must come out in a topological order.
    func checkTopological(_ g: TaskGraph) {
        var position = [Int](repeating: -1, count: g.count)
        for (p, i) in g.topologicalOrder.enumerated() { position[Int(i)] = p }
        #expect(!position.contains(-1))
        for i in 0..<g.count {
            for j in g.inputs(of: i) { #expect(position[Int(j)] < position[i]) }
        }
    }

    ///   a(1) -> b(5) -> d(1)
    ///   a(1) -> c(2) -> d(1)
    ///   e(0.5)            (independent)
    @Test func criticalPathFollowsTheLongestBranch() throws {
        var g = GraphBuilder()
        let a = g.add("noop", id: "a", cost: 1)
        let b = g.add("noop", id: "b", inputs: [a], cost: 5)
        let c = g.add("noop", id: "c", inputs: [a], cost: 2)
        g.add("noop", id: "d", inputs: [b, c], cost: 1)
        g.add("noop", id: "e", cost: 0.5)
        let graph = try g.build()
        checkTopological(graph)
        #expect(graph.criticalPath.map { graph.ids[Int($0)] } == ["a", "b", "d"])
        #expect(graph.criticalPathCost == 7)
        #expect(graph.bottomLevel == [7, 6, 3, 1, 0.5])
        // Priority: larger bottom level first.
        let order = (0..<graph.count).sorted { graph.priorityRank[$0] < graph.priorityRank[$1] }.map { graph.ids[$0] }
        #expect(order == ["a", "b", "c", "d", "e"])
    }

    @Test func tiesBreakInDeclarationOrder() throws {
        var g = GraphBuilder()
        for k in 0..<5 { g.add("noop", id: "t\(k)", cost: 1) }
        let graph = try g.build()
        #expect(graph.priorityRank == [0, 1, 2, 3, 4])
    }

    @Test func costsComeFromShapes() throws {
        var g = GraphBuilder()
        let a = g.random(rows: 1000, cols: 1000, id: "a")
        let m = g.gemm(a, a, id: "m")
        let graph = try g.build()
        let gemmCost = graph.costs[Int(graph.index(of: m.id)!)]
        #expect(abs(gemmCost - 2e9 / 1e10) < 1e-3, "2 n^3 flops at 10 GFLOP/s")
        checkTopological(graph)
    }

    @Test func builderRecordsTheSwiftSourceLine() {
        var g = GraphBuilder()
        let line = #line + 1
        g.add("gemn", id: "bad")
        do {
            _ = try g.build()
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.first?.location?.line == line)
            #expect(error.issues.first?.location?.file.hasSuffix("AnalysisTests.swift") == true)
        }
    }

    @Test func generatedIDsAreUnique() throws {
        var g = GraphBuilder()
        let a = g.ones(rows: 2, cols: 2)
        let b = g.ones(rows: 2, cols: 2)
        #expect(a.id != b.id)
        _ = try g.build()
    }

    /// A wide random DAG: topological order holds and the critical path is a real path.
    @Test func randomDAGInvariants() throws {
        var rng = SplitMix(seed: 42)
        var g = GraphBuilder()
        var handles: [TaskHandle] = []
        for k in 0..<2000 {
            var inputs: [TaskHandle] = []
            if !handles.isEmpty {
                for _ in 0..<Int(rng.next() % 4) { inputs.append(handles[Int(rng.next() % UInt64(handles.count))]) }
            }
            handles.append(g.add("noop", id: "n\(k)", inputs: inputs, cost: Double(rng.next() % 10 + 1)))
        }
        let graph = try g.build()
        checkTopological(graph)
        let path = graph.criticalPath
        for k in path.indices.dropFirst() { #expect(graph.inputs(of: Int(path[k])).contains(path[k - 1])) }
        #expect(abs(path.reduce(0) { $0 + graph.costs[Int($1)] } - graph.criticalPathCost) < 1e-9)
        #expect(graph.bottomLevel.max() == graph.criticalPathCost)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
