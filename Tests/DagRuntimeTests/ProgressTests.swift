import DagCore
import DagTopology
@testable import DagRuntime
import Synchronization
import Testing

/// Progress reports while a run goes on.
@Suite struct ProgressTests {
    final class Reports: Sendable {
        let list = Mutex<[RunProgress]>([])
    }

    @Test func reportsCountWhatFinishedAndWhatRuns() throws {
        var g = GraphBuilder(name: "progress")
        var waits: [TaskHandle] = []
        for k in 0..<6 { waits.append(g.sleep(seconds: 0.15 * Double(k + 1), id: "wait\(k)")) }
        let bad = g.task("explode", id: "bad", inputs: [waits[0]]) { _ in throw OpError("no") }
        g.add("noop", id: "after-bad", inputs: [bad])
        g.add("noop", id: "join", inputs: waits)
        let reports = Reports()
        var options = RunOptions(workers: 2)
        options.progressInterval = 0.05
        options.progress = { p in reports.list.withLock { $0.append(p) } }
        let report = try Scheduler(topology: try HardwareTopology.host()).run(try g.build(), options: options)
        let seen = reports.list.withLock { $0 }
        #expect(report.count(.failed) == 1 && report.count(.cancelled) == 1)
        #expect(seen.count >= 5, "about 0.9 s at 50 ms intervals; got \(seen.count) reports")
        for p in seen {
            #expect(p.total == 9)
            #expect(p.finished <= p.total && p.done >= 0)
            #expect(p.running != nil && p.running! <= 6, "at most the six waits run at once: \(p)")
        }
        for (a, b) in zip(seen, seen.dropFirst()) {
            #expect(a.finished <= b.finished && a.elapsedSeconds <= b.elapsedSeconds)
        }
        // Early on, the waits are in flight; later, the failure and the cancellation show.
        #expect(seen.first!.running! >= 4, "\(seen.first!)")
        #expect(seen.contains { $0.failed == 1 && $0.cancelled == 1 })
    }

    @Test func noReportsWithoutACallback() throws {
        var g = GraphBuilder()
        g.sleep(seconds: 0.05, id: "w")
        let report = try Scheduler(topology: try HardwareTopology.host()).run(try g.build(), options: RunOptions(workers: 1))
        #expect(report.succeeded)
    }
}
