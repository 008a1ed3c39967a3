import DagCore
@testable import DagRender
import DagRuntime
import DagTopology
import Foundation
import Testing

/// DOT and Chrome trace output of a real run: well-formed, complete, and true to the trace.
@Suite(.serialized) struct RenderTests {
    ///   a -> b -> d
    ///   a -> c -> d ; io "wait" beside; "bad" fails, "after-bad" is cancelled
    static func sampleRun() throws -> RunReport {
        var g = GraphBuilder(name: "sample \"quoted\"")
        let a = g.random(rows: 20, cols: 20, id: "a")
        let b = g.gemm(a, a, id: "b")
        let c = g.scale(a, by: 2, id: "c")
        _ = g.add([b, c], id: "d")
        g.sleep(seconds: 0.01, id: "wait")
        let bad = g.task("explode", id: "bad") { _ in throw OpError("boom \"x\"\nline") }
        _ = g.scale(bad, by: 1, id: "after-bad")
        return try Scheduler(topology: try HardwareTopology.host()).run(try g.build(), options: RunOptions(workers: 2))
    }

    static func graphvizAvailable() -> Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/dot")
    }

    /// Runs Graphviz on `dot` text; returns its exit status and stderr.
    static func graphviz(_ dot: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/dot")
        p.arguments = ["-Tsvg", "-o", "/dev/null"]
        let input = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(Data(dot.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Structural check that holds with or without Graphviz: one node line per task, one edge line per distinct input.
    func checkStructure(_ dot: String, graph: TaskGraph) {
        #expect(dot.hasPrefix("digraph "))
        #expect(dot.hasSuffix("}\n"))
        let lines = dot.split(separator: "\n").map { $0.drop { $0 == " " } }
        let nodes = lines.filter { $0.hasPrefix("t") && !$0.contains("->") }
        // Dependency edges; dotted ones chain the tasks of a core in the order they ran.
        let edges = lines.filter { $0.contains(" -> ") && !$0.contains("style=dotted") }
        #expect(nodes.count == graph.count)
        #expect(edges.count == (0..<graph.count).reduce(0) { $0 + Set(graph.inputs(of: $1)).count })
    }

    @Test func scheduleDOTShowsWhereAndWhen() throws {
        let report = try Self.sampleRun()
        let dot = GraphDOT.schedule(report.trace)
        checkStructure(dot, graph: report.trace.graph)
        // Every CPU task is labelled with its core and time; IO as io; failures and cancellations marked.
        let graph = report.trace.graph
        for r in report.trace.records where r.status == .done && r.worker >= 0 {
            let core = report.trace.workers[Int(r.worker)].coreLogicalIndex
            #expect(dot.contains("\(graph.ids[Int(r.task)])\\n\(graph.op(of: Int(r.task))) · core \(core) (cpu \(r.cpu))\\nstart "))
        }
        #expect(dot.contains("wait\\nsleep · io"))
        #expect(dot.contains("FAILED"))
        #expect(dot.contains("after-bad\\nscale · not run\\ncancelled"))
        // The realised critical path: its tasks double-bordered, its edges bold red.
        let path = report.trace.realisedCriticalPath
        #expect(!path.isEmpty)
        for t in path { #expect(dot.contains(where: "t\(t) [", line: "peripheries=2")) }
        #expect(dot.components(separatedBy: "[color=red, penwidth=3]").count - 1 == max(0, path.count - 1))
        if Self.graphvizAvailable() {
            let (status, err) = try Self.graphviz(dot)
            #expect(status == 0, "dot rejected the schedule: \(err)")
        }
    }

    @Test func planDOTParses() throws {
        let report = try Self.sampleRun()
        let dot = GraphDOT.plan(report.trace.graph)
        checkStructure(dot, graph: report.trace.graph)
        #expect(dot.contains("digraph \"sample \\\"quoted\\\"\""))
        if Self.graphvizAvailable() {
            let (status, err) = try Self.graphviz(dot)
            #expect(status == 0, "dot rejected the plan: \(err)")
        } else {
            print("skipped: Graphviz is not installed; checked the DOT structurally only")
        }
    }

    @Test func chromeTraceIsValidTraceEventJSON() throws {
        let report = try Self.sampleRun()
        let text = ChromeTrace.json(report.trace)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        let complete = events.filter { $0["ph"] as? String == "X" }
        #expect(complete.count == report.trace.records.filter(\.ran).count)
        for e in events {
            for key in ["name", "ph", "pid", "tid"] { #expect(e[key] != nil, "missing \(key) in \(e)") }
        }
        // Per track: events do not overlap (a worker runs one task at a time; IO lanes are packed so).
        var byTrack: [String: [(Double, Double)]] = [:]
        for e in complete {
            let ts = try #require(e["ts"] as? Double ?? (e["ts"] as? Int).map(Double.init))
            let dur = try #require(e["dur"] as? Double ?? (e["dur"] as? Int).map(Double.init))
            byTrack["\(e["pid"]!)/\(e["tid"]!)", default: []].append((ts, dur))
        }
        for (_, spans) in byTrack {
            let sorted = spans.sorted { $0.0 < $1.0 }
            for k in sorted.indices.dropFirst() { #expect(sorted[k - 1].0 + sorted[k - 1].1 <= sorted[k].0 + 0.001) }
        }
        let names = events.filter { $0["name"] as? String == "thread_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        #expect(names.filter { $0.hasPrefix("worker ") }.count == report.trace.workers.count)
        #expect(names.contains("io lane 0"))
        // ready_us is when the last input ended.
        let graph = report.trace.graph
        let d = try #require(complete.first { $0["name"] as? String == "d" })
        let lastInputEnd = graph.inputs(of: Int(graph.index(of: "d")!)).map { report.trace.records[Int($0)].endNanos }.max()!
        #expect((d["args"] as? [String: Any])?["ready_us"] as? Double == Double(ChromeTrace.micros(lastInputEnd)))
        let failed = complete.first { $0["name"] as? String == "bad" }
        #expect((failed?["args"] as? [String: Any])?["error"] as? String == "boom \"x\"\nline")
    }

    @Test func durationsAreReadable() {
        #expect(formatDuration(nanos: 999) == "999 ns")
        #expect(formatDuration(nanos: 1_500) == "1.50 µs")
        #expect(formatDuration(nanos: 12_345_678) == "12.3 ms")
        #expect(formatDuration(nanos: 2_000_000_000) == "2.00 s")
        #expect(formatDuration(seconds: 0.25) == "250 ms")
        #expect(ChromeTrace.micros(1_234_567) == "1234.567")
        #expect(ChromeTrace.micros(5_000) == "5")
    }
}

extension String {
    /// Whether the line starting with `prefix` contains `text`.
    func contains(where prefix: String, line text: String) -> Bool {
        split(separator: "\n").contains { $0.drop { $0 == " " }.hasPrefix(prefix) && $0.contains(text) }
    }
}
