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
