import DagCore
import DagKernels
import DagTopology
@testable import DagRuntime
import Glibc
import Synchronization
import Testing

@Suite(.serialized) struct SchedulerTests {
    /// Each CPU task reads the CPU it runs on; it must be its worker's pinned core.
    @Test func cpuTasksRunOnTheirWorkersPinnedCore() throws {
        var g = GraphBuilder()
        for k in 0..<40 {
            g.task("where", id: "t\(k)") { _ in
                spin(0.002)
                return .scalar(Double(CPU.current()))
            }
        }
        let report = try run(g, keep: .all)
        #expect(report.succeeded)
        let workers = report.trace.workers
        #expect(workers.count == host.cores.count)
        #expect(workers.allSatisfy { $0.pinned })
        for r in report.trace.records {
            let observed = Int(report.results[report.trace.graph.ids[Int(r.task)]]!.scalar!)
            let worker = workers[Int(r.worker)]
            #expect(observed == worker.osCPU, "task ran on cpu \(observed), its worker is pinned to cpu \(worker.osCPU)")
            #expect(Int(r.cpu) == worker.osCPU)
        }
        // Both workers took part.
        #expect(Set(report.trace.records.map(\.worker)).count == workers.count)
    }

    /// 2 workers, 20 sleeps of 200 ms and CPU tasks beside them: ~0.2 s, not 2 s, and the
    /// CPU tasks start at once instead of waiting behind the sleeps.
    @Test func ioWaitsHoldNoCore() throws {
        var g = GraphBuilder()
        for k in 0..<20 { g.sleep(seconds: 0.2, id: "sleep-\(k)") }
        for k in 0..<4 {
            let m = g.random(rows: 100, cols: 100, seed: k, id: "m\(k)")
            _ = g.gemm(m, m, id: "mm\(k)")
        }
        let report = try run(g, workers: 2)
        #expect(report.succeeded)
        let makespan = seconds(report.trace.makespanNanos)
        // About 0.2 s alone; the bound is loose because other suites load both cores meanwhile.
        // Sleeps holding the two workers would take 20 x 0.2 s / 2 = 2 s.
        #expect(makespan >= 0.2 && makespan < 1.5, "makespan \(makespan) s")
        let graph = report.trace.graph
        // The CPU tasks ran while the sleeps were pending: each ended before the first sleep did
        // (robust to a loaded machine, where both shift; wrong if sleeps held the workers).
        let firstSleepEnd = report.trace.records.filter { graph.classes[Int($0.task)] == .io }.map(\.endNanos).min()!
        for r in report.trace.records where graph.classes[Int(r.task)] == .cpu {
            #expect(r.endNanos < firstSleepEnd, "CPU task \(graph.ids[Int(r.task)]) ended at \(seconds(r.endNanos)) s")
            #expect(r.worker >= 0)
        }
        for r in report.trace.records where graph.classes[Int(r.task)] == .io { #expect(r.worker == -1) }
    }

    /// A failure cancels its dependents (transitively); independent work still finishes.
    ///
    ///   ok1 -> bad -> dep1 -> dep2
    ///   ok1 -> fine
    ///   solo
    @Test func failureCancelsDependentsOnly() throws {
        var g = GraphBuilder()
        let ok1 = g.ones(rows: 3, cols: 2, id: "ok1")
        let bad = g.task("explode", id: "bad", inputs: [ok1]) { _ in throw OpError("the disk is on fire") }
        let dep1 = g.scale(bad, by: 2, id: "dep1")
        _ = g.scale(dep1, by: 2, id: "dep2")
        _ = g.scale(ok1, by: 3, id: "fine")
        _ = g.eye(4, id: "solo")
        let report = try run(g, workers: 2)
        let status = Dictionary(uniqueKeysWithValues: report.trace.records.map { (report.trace.graph.ids[Int($0.task)], $0.status) })
        #expect(status == ["ok1": .done, "bad": .failed, "dep1": .cancelled, "dep2": .cancelled, "fine": .done, "solo": .done])
        #expect(report.failures.count == 1)
        let message = report.failures[0].description
        #expect(message.contains("task 'bad'") && message.contains("op explode") && message.contains("'ok1' (matrix 3x2)")
                && message.contains("the disk is on fire"), "\(message)")
        #expect(report.results["fine"]?.matrix?[0, 0] == 3)
        #expect(report.results["dep2"] == nil)
    }

    @Test func failureNeverDeadlocksWithManyDependents() throws {
        var g = GraphBuilder()
        let root = g.task("fail", id: "root") { _ in throw OpError("no") }
        var layer = [root]
        for d in 0..<5 {
            layer = (0..<20).map { k in g.add("noop", id: "d\(d)-\(k)", inputs: [layer[k % layer.count]]) }
        }
        for k in 0..<50 { g.add("noop", id: "free-\(k)") }
        let report = try run(g, workers: 3)
        #expect(report.count(.cancelled) == 100)
        #expect(report.count(.done) == 50)
        #expect(report.count(.failed) == 1)
    }

    /// A result is freed once its last consumer finishes: a task after the consumer sees it gone.
    ///
    ///   producer -> consumer -> checker
    @Test func resultsAreFreedAfterTheirLastConsumer() throws {
        let before = Tracked.alive.load(ordering: .sequentiallyConsistent)
        var g = GraphBuilder()
        let p = g.task("produce", id: "producer") { _ in .wrap(Tracked()) }
        let c = g.task("consume", id: "consumer", inputs: [p]) { inputs in
            guard case .custom(let v) = inputs[0], v.value is Tracked else { throw OpError("expected a Tracked value") }
            return .nothing
        }
        g.task("check", id: "checker", inputs: [c]) { _ in
            .scalar(Double(Tracked.alive.load(ordering: .sequentiallyConsistent) - before))
        }
        let report = try run(g, workers: 1)
        #expect(report.succeeded)
        #expect(report.results["checker"]?.scalar == 0, "the producer's value was still alive after its consumer ran")
    }

    /// One worker takes ready tasks in static priority order: the long chain's head first.
    @Test func readyTasksFollowStaticPriority() throws {
        var g = GraphBuilder()
        g.add("noop", id: "short", cost: 1)
        let long = g.add("noop", id: "long-head", cost: 1)
        g.add("noop", id: "long-tail", inputs: [long], cost: 10)
        g.add("noop", id: "medium", cost: 5)
        let report = try run(g, workers: 1)
        let ids = report.trace.graph.ids
        let order = report.trace.records.sorted { $0.startNanos < $1.startNanos }.map { ids[Int($0.task)] }
        #expect(order == ["long-head", "long-tail", "medium", "short"])
    }

    /// Every task runs exactly once and after all its inputs, for 1, 2 and more workers than cores.
    @Test(arguments: [1, 2, 5])
    func everyTaskRunsOnceAfterItsInputs(workers: Int) throws {
        let counts = Mutex([Int](repeating: 0, count: 600))
        var g = GraphBuilder()
        var handles: [TaskHandle] = []
        var seed: UInt64 = 7
        for k in 0..<600 {
            var inputs: [TaskHandle] = []
            for _ in 0..<3 where !handles.isEmpty {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                if seed >> 62 != 0 { inputs.append(handles[Int((seed >> 33) % UInt64(handles.count))]) }
            }
            handles.append(g.task("count", id: "n\(k)", inputs: inputs) { _ in
                counts.withLock { $0[k] += 1 }
                return .nothing
            })
        }
        let report = try run(g, workers: workers)
        #expect(report.succeeded)
        #expect(counts.withLock { $0 } == [Int](repeating: 1, count: 600))
        let graph = report.trace.graph
        for i in 0..<graph.count {
            for j in graph.inputs(of: i) {
                #expect(report.trace.records[Int(j)].endNanos <= report.trace.records[i].startNanos)
            }
        }
        #expect(report.trace.workers.count == workers)
    }

    @Test func numericOpsMatchAReference() throws {
        var g = GraphBuilder()
        let a = g.random(rows: 7, cols: 5, seed: 1, id: "a")
        let b = g.random(rows: 5, cols: 3, seed: 2, id: "b")
        let c = g.gemm(a, b, id: "c")
        let d = g.add([c, c], id: "d")
        let e = g.scale(d, by: 0.5, id: "e")
        _ = g.sum([e], id: "total")
        let report = try run(g, workers: 2, keep: .all)
        #expect(report.succeeded)
        let ref = try ReferenceKernels.gemm(Kernels.random(rows: 7, cols: 5, seed: 1), Kernels.random(rows: 5, cols: 3, seed: 2))
        let got = report.results["e"]!.matrix!
        for r in 0..<7 { for k in 0..<3 { #expect(abs(got[r, k] - ref[r, k]) < 1e-12) } }
        let total = ref.toArray().reduce(0, +)
        #expect(abs(report.results["total"]!.scalar! - total) < 1e-9)
        #expect(BLAS.threadCount == 1, "OpenBLAS must run single-threaded inside tasks")
    }

    @Test func emptyGraphRuns() throws {
        let report = try run(GraphBuilder(), workers: 2)
        #expect(report.succeeded && report.trace.records.isEmpty)
    }

    @Test func asyncClosuresRunOnTheIOExecutor() throws {
        var g = GraphBuilder()
        let a = g.asyncTask("fetch", id: "fetch") { _ in
            try await Task.sleep(nanoseconds: 10_000_000)
            return .text("hello")
        }
        g.task("upper", id: "upper", inputs: [a]) { inputs in .text(inputs[0].text!.uppercased()) }
        let report = try run(g)
        #expect(report.results["upper"]?.text == "HELLO")
        #expect(report.trace.records[0].worker == -1)
    }

    /// A library without one of the graph's ops refuses the run before starting, naming the
    /// first task of that op; closures (whose labels no library knows) still run.
    @Test func anOpTheLibraryLacksIsASetupErrorNamingTheTask() throws {
        var g = GraphBuilder()
        let m = g.random(rows: 4, cols: 4, seed: 1, id: "m")
        g.task("label-no-library-knows", id: "closure", inputs: [m]) { _ in .nothing }
        _ = g.scale(m, by: 2, id: "first-scale")
        _ = g.scale(m, by: 3, id: "second-scale")
        let graph = try g.build()
        var partial = OpLibrary()
        partial.register("random", OpLibrary.standard["random"]!)
        #expect {
            try Scheduler(topology: host, library: partial).run(graph, options: RunOptions(workers: 1))
        } throws: { error in
            "\(error)" == "task 'first-scale': op 'scale' has no implementation in this runtime"
        }
        partial.register("scale", OpLibrary.standard["scale"]!)
        let report = try Scheduler(topology: host, library: partial).run(graph, options: RunOptions(workers: 1))
        #expect(report.succeeded && report.trace.records.count == 4)
    }
}
