import DagCore
import DagKernels
import DagTopology
@testable import DagRuntime
import Glibc
import Synchronization
import Testing

/// Tasks that ask for a core group run alone, with OpenBLAS allowed that many threads;
/// every other task sees one BLAS thread.
@Suite(.serialized) struct CoreGroupTests {
    final class Seen: Sendable {
        let threads = Mutex<[String: Int]>([:])
    }

    @Test func groupTasksRunAloneWithMoreBLASThreads() throws {
        let seen = Seen()
        var g = GraphBuilder(name: "groups")
        let a = g.random(rows: 300, cols: 300, seed: 1, id: "a")
        for k in 0..<12 {
            g.task("small", id: "small\(k)", inputs: [a]) { _ in
                seen.threads.withLock { $0["small\(k)"] = BLAS.threadCount }
                spin(0.004)
                return .nothing
            }
        }
        for k in 0..<3 {
            g.add("gemm", id: "big\(k)", inputs: [a, a], run: TaskRunPolicy(cores: TaskRunPolicy.allCores))
        }
        let graph = try g.build()
        #expect(graph.runPolicy(of: Int(graph.index(of: "big0")!)).cores == TaskRunPolicy.allCores)
        let report = try Scheduler(topology: try HardwareTopology.host()).run(graph, options: RunOptions(workers: 2))
        #expect(report.succeeded)
        #expect(seen.threads.withLock { $0 }.values.allSatisfy { $0 == 1 }, "ordinary tasks call BLAS single-threaded")
        #expect(BLAS.threadCount == 1, "one thread again after the run")
        // No other CPU task overlaps a group task in time.
        let records = report.trace.records.filter { $0.worker >= 0 }
        for k in 0..<3 {
            let big = report.trace.records[Int(graph.index(of: "big\(k)")!)]
            for r in records where r.task != big.task {
                let overlap = min(r.endNanos, big.endNanos) > max(r.startNanos, big.startNanos)
                #expect(!overlap, "'\(graph.ids[Int(r.task)])' ran while group task big\(k) had the machine")
            }
        }
    }

    @Test func groupsAreValidated() {
        var g = GraphBuilder()
        g.add("sleep", id: "wait", args: ["seconds": .double(0)], run: TaskRunPolicy(cores: 2))
        g.add("noop", id: "bad", run: TaskRunPolicy(cores: -3))
        do {
            _ = try g.build()
            Issue.record("expected errors")
        } catch {
            let messages = error.issues.map(\.message)
            #expect(messages.contains("cores applies to cpu tasks; io tasks hold no core"))
            #expect(messages.contains("cores must be a number of cores >= 1 or \"all\", got -3"))
        }
    }
}

/// A task that is an input's only reader may update it in place; with other readers, or
/// results kept, the input stays as it was.
@Suite struct InputDonationTests {
    @Test func accumulationChainsMatchAndSharedInputsStayIntact() throws {
        func build() -> GraphBuilder {
            var g = GraphBuilder(name: "chain")
            let a = g.random(rows: 40, cols: 30, seed: 1, id: "a")
            let b = g.random(rows: 30, cols: 20, seed: 2, id: "b")
            let c0 = g.random(rows: 40, cols: 20, seed: 3, id: "c0")
            let seen = g.add("sum", id: "sum-c0", inputs: [c0])     // a second reader of c0: no donation
            var c = g.gemm(a, b, c: c0, beta: 1, id: "c1")
            for k in 2...5 { c = g.gemm(a, b, c: c, beta: 1, id: "c\(k)") }   // only readers: donated
            g.add("sum", id: "total", inputs: [c])
            _ = seen
            return g
        }
        let scheduler = Scheduler(topology: try HardwareTopology.host())
        let donated = try scheduler.run(try build().build(), options: RunOptions(workers: 2))
        var keepAll = RunOptions(workers: 2)
        keepAll.keep = .all   // kept results are never donated
        let kept = try scheduler.run(try build().build(), options: keepAll)
        #expect(donated.succeeded && kept.succeeded)
        let total = try #require(donated.results["total"]?.scalar), reference = try #require(kept.results["total"]?.scalar)
        #expect(abs(total - reference) <= 1e-12 * abs(reference))
        // c0 was read by both gemm c1 and sum-c0: c1 copied it, so sum-c0 saw the original.
        let c0 = Kernels.random(rows: 40, cols: 20, seed: 3)
        #expect(abs(try #require(kept.results["sum-c0"]?.scalar) - Kernels.sum(c0)) < 1e-9)
        #expect(abs(try #require(donated.results["sum-c0"]?.scalar) - Kernels.sum(c0)) < 1e-9)
        // And the kept chain's intermediate results are all distinct, unmodified values.
        let c1 = try #require(kept.results["c1"]?.matrix), c2 = try #require(kept.results["c2"]?.matrix)
        #expect(c1 !== c2)
    }
}
