import DagCore
import DagKernels
import DagTopology
@testable import DagRuntime
import Glibc
import Testing

@Suite(.serialized) struct PolicyAndParkingTests {
    /// Idle workers park: a run that only waits on IO for 0.4 s uses almost no CPU.
    @Test func idleWorkersDoNotSpin() throws {
        var g = GraphBuilder()
        let wait = g.sleep(seconds: 0.4, id: "wait")
        g.add("noop", id: "after", inputs: [wait])
        let report = try run(g, workers: 2)
        let used = report.trace.workers.reduce(0) { $0 + $1.cpuSeconds }
        #expect(report.succeeded)
        #expect(seconds(report.trace.makespanNanos) >= 0.4)
        // Two spinning workers would burn ~0.8 s of CPU; parked ones a few ms.
        #expect(used < 0.2, "the workers used \(used) s of CPU while waiting 0.4 s")
    }

    /// Parked workers wake promptly when work appears after a wait.
    @Test func parkedWorkersWakeForNewWork() throws {
        var g = GraphBuilder()
        let wait = g.sleep(seconds: 0.2, id: "wait")
        for k in 0..<8 { g.task("spin", id: "w\(k)", inputs: [wait]) { _ in spin(0.02); return .nothing } }
        let report = try run(g, workers: 2)
        #expect(report.succeeded)
        let cpuTasks = report.trace.records.filter { $0.worker >= 0 }
        #expect(Set(cpuTasks.map(\.worker)).count == 2, "both workers took part after waking")
        // 8 tasks of 20 ms on 2 workers after a 200 ms wait: ~0.28 s alone; the bound is
        // generous because other suites load both cores meanwhile.
        #expect(seconds(report.trace.makespanNanos) < 2.0)
    }

    /// The scheduler's ready-batch order (bottom levels compared directly) is the graph's
    /// static priority order, ties included.
    @Test func readyBatchesSortInPriorityOrder() throws {
        var g = GraphBuilder()
        let root = g.add("noop", id: "root", cost: 1)
        for (k, cost) in [3.0, 1, 5, 1, 3, 0, 5].enumerated() {
            g.add("noop", id: "c\(k)", inputs: [root], cost: cost)
        }
        let graph = try g.build()
        var batch: [Int32] = [7, 6, 5, 4, 3, 2, 1]
        graph.bottomLevel.withUnsafeBufferPointer { bottom in
            batch.withUnsafeMutableBufferPointer { sortByPriority($0, bottom.baseAddress!) }
        }
        let rank = graph.priorityRank
        #expect(batch == batch.sorted { rank[Int($0)] < rank[Int($1)] })
        #expect(batch.map { graph.ids[Int($0)] } == ["c2", "c6", "c0", "c4", "c1", "c3", "c5"])
    }

    @Test func registryFindsPoliciesAndSuggestsNames() throws {
        #expect(PolicyRegistry.all.map(\.name) == ["critical-path", "affinity"])
        #expect(try PolicyRegistry.policy(named: "affinity").name == "affinity")
        do {
            _ = try PolicyRegistry.policy(named: "afinity")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "unknown policy 'afinity' (did you mean 'affinity'?)")
        }
    }

    /// Affinity: a task goes to the worker that produced its largest input.
    ///
    ///   big-k (on worker k) -> use-k   for k in 0..<8, with big-k a 200x200 matrix
    @Test func affinitySendsTasksToTheProducerOfTheLargestInput() throws {
        var g = GraphBuilder()
        for k in 0..<8 {
            let small = g.ones(rows: 1, cols: 1, id: "small-\(k)")
            let big = g.task("make-big", id: "big-\(k)") { _ in spin(0.005); return .matrix(Kernels.ones(rows: 200, cols: 200)) }
            g.task("use", id: "use-\(k)", inputs: [small, big]) { _ in .nothing }
        }
        var options = RunOptions(workers: 2)
        options.policy = DataAffinityPolicy()
        let report = try Scheduler(topology: host).run(try g.build(), options: options)
        #expect(report.succeeded)
        let graph = report.trace.graph
        for k in 0..<8 {
            let big = report.trace.records[Int(graph.index(of: "big-\(k)")!)]
            let use = report.trace.records[Int(graph.index(of: "use-\(k)")!)]
            #expect(use.worker == big.worker, "use-\(k) ran on worker \(use.worker), its big input on \(big.worker)")
        }
    }

    /// The policy view reports producers and result sizes.
    @Test func policyArrangeOrdersByPriority() throws {
        var g = GraphBuilder()
        g.add("noop", id: "a", cost: 1)
        g.add("noop", id: "b", cost: 5)
        g.add("noop", id: "c", cost: 3)
        let graph = try g.build()
        var ready: [Int32] = [0, 1, 2]
        var targets: [Int32] = [7, 7, 7]
        let producer = UnsafeMutablePointer<Int32>.allocate(capacity: 3)
        let bytes = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        defer { producer.deallocate(); bytes.deallocate() }
        ready.withUnsafeMutableBufferPointer { r in
            targets.withUnsafeMutableBufferPointer { t in
                CriticalPathPolicy().arrange(ready: r, targets: t, worker: 0,
                                             view: PolicyView(graph: graph, producer: producer, resultBytes: bytes))
            }
        }
        #expect(ready == [1, 2, 0])
        #expect(targets == [-1, -1, -1])
    }
}
