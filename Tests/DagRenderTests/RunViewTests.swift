import DagCore
@testable import DagRender
import DagRuntime
import DagTopology
import Foundation
import FoundationXML
import Testing

/// Saved traces read back, Gantt charts, collapsed drawings and explanations.
@Suite(.serialized) struct RunViewTests {
    /// Whether `text` is well-formed XML (FoundationXML's parser; no DTD fetching).
    static func wellFormed(_ text: String) -> Bool {
        let parser = XMLParser(data: Data(text.utf8))
        return parser.parse()
    }

    @Test func savedTraceReadsBackTheRun() throws {
        let report = try RenderTests.sampleRun()
        let trace = report.trace
        let back = try SavedRun.decode(Array(ChromeTrace.json(trace).utf8), name: "t.json")
        #expect(back.graph.ids == trace.graph.ids)
        #expect(back.graph.name == trace.graph.name)
        #expect(back.makespanNanos == trace.makespanNanos)
        #expect(back.timed == trace.timed)
        #expect(back.workers == trace.workers)
        for i in 0..<trace.graph.count {
            #expect(Array(back.graph.inputs(of: i)) == Array(trace.graph.inputs(of: i)))
            #expect(back.graph.op(of: i) == trace.graph.op(of: i))
            #expect(back.graph.classes[i] == trace.graph.classes[i])
            let a = trace.records[i], b = back.records[i]
            #expect(a.status == b.status && a.worker == b.worker && a.message == b.message && a.attempt == b.attempt
                    && a.resultBytes == b.resultBytes,
                    "task \(trace.graph.ids[i])")
            if a.ran {
                #expect(a.cpu == b.cpu)
                #expect(a.startNanos == b.startNanos && a.endNanos == b.endNanos, "times round-trip to the nanosecond")
            }
        }
        #expect(back.realisedCriticalPath == trace.realisedCriticalPath)
        #expect(trace.records[Int(trace.graph.index(of: "b")!)].resultBytes == 20 * 20 * 8, "gemm's 20x20 result")
    }

    @Test func badTracesAreRejectedClearly() {
        func message(_ text: String) -> String {
            do { _ = try SavedRun.decode(Array(text.utf8), name: "t.json"); return "" } catch { return error.description }
        }
        #expect(message("{") .hasPrefix("t.json: not JSON"))
        #expect(message(#"{"traceEvents": []}"#).contains("not a trace written by `dagrun run --trace`"))
        #expect(message(#"{"otherData": {"dagrun_trace_format": 1, "tasks": 2}, "traceEvents": []}"#)
            .contains("task 0 of 2 has no event"))
    }

    @Test func traceHasFlowArrowsBetweenTasksThatRan() throws {
        let report = try RenderTests.sampleRun()
        let root = try #require(try JSONSerialization.jsonObject(with: Data(ChromeTrace.json(report.trace).utf8)) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        let starts = events.filter { $0["ph"] as? String == "s" }, ends = events.filter { $0["ph"] as? String == "f" }
        let graph = report.trace.graph
        let expected = (0..<graph.count).filter { report.trace.records[$0].ran }
            .reduce(0) { n, i in n + graph.inputs(of: i).filter { report.trace.records[Int($0)].ran }.count }
        #expect(starts.count == expected && ends.count == expected)
        #expect(Set(starts.compactMap { $0["id"] as? Int }) == Set(ends.compactMap { $0["id"] as? Int }))
        let notRun = events.filter { $0["ph"] as? String == "i" }.compactMap { $0["name"] as? String }
        #expect(notRun == ["after-bad"])
    }

    @Test func ganttIsWellFormedWithOneBarPerTask() throws {
        let report = try RenderTests.sampleRun()
        let svg = GanttSVG.svg(report.trace)
        #expect(Self.wellFormed(svg))
        let bars = svg.components(separatedBy: "<title>").count - 1
        let ran = report.trace.records.filter(\.ran).count
        let ops = Set(report.trace.records.filter(\.ran).map { report.trace.graph.op(of: Int($0.task)) }).count
        #expect(bars == ran, "one bar with a tooltip per task that ran (legend entries have none)")
        #expect(ops > 1)
        for w in report.trace.workers { #expect(svg.contains(">core \(w.coreLogicalIndex) (cpu \(w.osCPU))")) }
        #expect(svg.contains("io lane 0"))
        #expect(svg.contains("stroke=\"#d00\""), "the failed task is outlined red")
        #expect(svg.contains("sample &quot;quoted&quot;"), "text is XML-escaped")
    }

    @Test func largeRunsAreBinnedNotDrawnTaskByTask() throws {
        var g = GraphBuilder(name: "wide")
        let root = g.add("noop", id: "root")
        for k in 0..<30_000 { g.add("noop", id: "n\(k)", inputs: [root]) }
        let report = try Scheduler(topology: try HardwareTopology.host()).run(try g.build(), options: RunOptions(workers: 2))
        let svg = GanttSVG.svg(report.trace)
        #expect(Self.wellFormed(svg))
        #expect(svg.utf8.count < 1_000_000, "\(svg.utf8.count) bytes for 30,001 tasks")
        #expect(svg.components(separatedBy: "<rect").count - 1 < 10_000)
    }

    @Test func familiesReplaceDigitRuns() {
        #expect(GraphDOT.family(of: "gemm[2][13]") == "gemm[#][#]")
        #expect(GraphDOT.family(of: "t17") == "t#")
        #expect(GraphDOT.family(of: "load-x") == "load-x")
        #expect(GraphDOT.family(of: "12") == "#")
    }

    @Test func collapsedDrawingKeepsCountsExact() throws {
        var g = GraphBuilder(name: "tiles")
        var prev: [TaskHandle] = []
        for i in 0..<30 {
            var row: [TaskHandle] = []
            for j in 0..<30 {
                let h = g.add("noop", id: "tile[\(i)][\(j)]", inputs: prev.isEmpty ? [] : [prev[j], prev[(j + 1) % 30]])
                row.append(h)
            }
            prev = row
        }
        g.add("noop", id: "join", inputs: prev)
        let graph = try g.build()
        let report = try Scheduler(topology: try HardwareTopology.host()).run(graph, options: RunOptions(workers: 2))
        for dot in [GraphDOT.plan(graph), GraphDOT.schedule(report.trace)] {
            let nodeLines = dot.split(separator: "\n").filter { $0.hasPrefix("  f") && !$0.contains("->") }
            #expect(nodeLines.count == 2, "families tile[#][#] and join")
            func counts(_ lines: [Substring]) -> Int {
                lines.reduce(0) { total, line in
                    guard let r = line.range(of: "×") else { return total }
                    return total + Int(line[r.upperBound...].prefix { $0.isNumber })!
                }
            }
            #expect(counts(nodeLines) == graph.count)
            #expect(counts(dot.split(separator: "\n").filter { $0.contains(" -> ") }) == graph.edgeCount)
            if RenderTests.graphvizAvailable() {
                let (status, err) = try RenderTests.graphviz(dot)
                #expect(status == 0, "dot rejected the collapsed drawing: \(err)")
            }
        }
        // Below the threshold, or with collapsing off, every task is drawn.
        let full = GraphDOT.plan(graph, options: .init(collapseAbove: nil))
        #expect(full.split(separator: "\n").filter { $0.hasPrefix("  t") && !$0.contains("->") }.count == graph.count)
    }

    /// A hand-built run on two workers:
    ///   a (w0, 0-10), b (w1, 0-30), c <- a, b: ready at 30, ran on w0 40-50 (waited 10 while
    ///   w0 ran x 30-45 overlapping and w1 ran y 30-40); d <- a on w1 45-50, not critical.
    @Test func explainAnswersMatchAHandBuiltTrace() throws {
        var g = GraphBuilder(name: "hand")
        let a = g.add("noop", id: "a"), b = g.add("noop", id: "b")
        g.add("noop", id: "c", inputs: [a, b])
        g.add("noop", id: "d", inputs: [a])
        g.add("noop", id: "x")
        g.add("noop", id: "y")
        let graph = try g.build()
        let ms: UInt64 = 1_000_000
        func rec(_ t: Int32, _ w: Int32, _ s: UInt64, _ e: UInt64) -> ExecutionRecord {
            ExecutionRecord(task: t, status: .done, worker: w, cpu: w, startNanos: s * ms, endNanos: e * ms)
        }
        let records = [rec(0, 0, 0, 10), rec(1, 1, 0, 30), rec(2, 0, 45, 55), rec(3, 1, 45, 50),
                       rec(4, 0, 30, 45), rec(5, 1, 30, 40)]
        let workers = [ExecutionTrace.Worker(index: 0, coreLogicalIndex: 0, osCPU: 0, pinned: true),
                       ExecutionTrace.Worker(index: 1, coreLogicalIndex: 1, osCPU: 1, pinned: true)]
        let trace = ExecutionTrace(graph: graph, workers: workers, records: records, makespanNanos: 55 * ms)
        let c = Explain.task(trace, 2)
        #expect(c.readyNanos == 30 * ms)
        #expect(c.lastInput == "b")
        #expect(c.waitNanos == 15 * ms)
        #expect(c.place == "core 0 (cpu 0)")
        #expect(c.coresDuringWait == [Explain.CoreActivity(core: "core 0", busyNanos: 15 * ms, busiestTask: "x"),
                                      Explain.CoreActivity(core: "core 1", busyNanos: 10 * ms, busiestTask: "y")])
        #expect(c.ranWhereLastInputWas == false)
        #expect(c.onCriticalPath)
        #expect(abs(c.criticalShare - 10.0 / 55) < 1e-9)
        let text = Explain.text(c, workers: 2)
        #expect(text.contains("waited 15.0 ms"))
        #expect(text.contains("some core was free part of that time"), "core 1 idled 5 ms of the wait")
        let d = Explain.task(trace, 3)
        #expect(!d.onCriticalPath)
        #expect(d.slackNanos == 5 * ms, "d ends at 50, the run at 55")
        #expect(d.ranWhereLastInputWas == false && d.lastInput == "a")
        #expect(Explain.topWaits(trace).map(\.task) == [3, 4, 5, 2], "d 35 ms, x and y 30 ms, c 15 ms")
    }
}
