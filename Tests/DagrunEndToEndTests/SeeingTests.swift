import Foundation
import FoundationXML
import Testing

/// `dagrun run --trace/--gantt/--dot`, then `dagrun explain`, `dagrun dot --schedule` and
/// `dagrun topology --dot --load` from the saved trace.
@Suite struct SeeingTests {
    @Test func aSavedRunCanBeDrawnAndExplained() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try dagrun("run", "\(dir)/tiled-matmul.json", "--trace", "\(dir)/t.json", "--gantt", "\(dir)/g.svg",
                             "--dot", "\(dir)/s.dot", "--quiet")
        #expect(run.status == 0, "\(run.stderr)")
        let gantt = try String(contentsOfFile: "\(dir)/g.svg", encoding: .utf8)
        #expect(XMLParser(data: Data(gantt.utf8)).parse(), "the Gantt chart is well-formed XML")
        let live = try String(contentsOfFile: "\(dir)/s.dot", encoding: .utf8)
        #expect(live.contains("subgraph cluster_package0"))

        let saved = try dagrun("dot", "--schedule", "\(dir)/t.json")
        #expect(saved.status == 0)
        #expect(saved.stdout == live, "the saved trace draws the same schedule as the live run")

        let overview = try dagrun("explain", "\(dir)/t.json")
        #expect(overview.status == 0 && overview.stdout.hasPrefix("tiled-matmul: "))
        #expect(overview.stdout.contains("core 0 (cpu "))
        let one = try dagrun("explain", "\(dir)/t.json", "checksum")
        #expect(one.status == 0)
        #expect(one.stdout.hasPrefix("task 'checksum' (op sum): done\n"))
        #expect(one.stdout.contains("ready at "))
        let wrong = try dagrun("explain", "\(dir)/t.json", "checksun")
        #expect(wrong.status == 2 && wrong.stderr.contains("did you mean 'checksum'?"), "\(wrong.stderr)")

        let topo = try dagrun("topology", "--dot", "--load", "\(dir)/t.json")
        #expect(topo.status == 0 && topo.stdout.contains("busy "))
        if graphvizInstalled {
            let svg = try dagrun("dot", "--schedule", "\(dir)/t.json", "-o", "\(dir)/s.svg")
            #expect(svg.status == 0, "\(svg.stderr)")
            #expect(XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: "\(dir)/s.svg"))).parse())
        }
    }

    @Test func logLevelsGoToStandardError() throws {
        let debug = try dagrun("run", "graphs/diamond.json", "--log-level", "debug")
        #expect(debug.status == 0)
        #expect(debug.stderr.contains("run started") && debug.stderr.contains("worker 0 on core"))
        #expect(!debug.stdout.contains("run started"), "logs stay off standard output")
        let quietByDefault = try dagrun("run", "graphs/diamond.json")
        #expect(!quietByDefault.stderr.contains("run started"))
        let bad = try dagrun("run", "graphs/diamond.json", "--log-level", "verbos")
        #expect(bad.status == 2 && bad.stderr.contains("unknown level 'verbos'"))
    }

    @Test func drawingWithoutGraphvizSaysHowToInstallIt() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // PATH without Graphviz: the plan cannot be drawn as SVG; nothing half-written is left.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/dagrun")
        p.arguments = ["dot", "\(dir)/diamond.json", "-o", "\(dir)/plan.svg"]
        p.environment = ["PATH": "/nonexistent"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 2)
        #expect(message.contains("Graphviz's `dot` is not installed") && message.contains("apt-get install graphviz"), "\(message)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("plan") }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func badDrawingRequestsExitWithTwo() throws {
        let both = try dagrun("dot", "graphs/diamond.json", "--schedule", "x.json")
        #expect(both.status == 2 && both.stderr.contains("either a graph file"))
        let neither = try dagrun("dot")
        #expect(neither.status == 2)
        let missing = try dagrun("explain", "/nonexistent/trace.json")
        #expect(missing.status == 2 && missing.stderr.contains("cannot read trace"))
        let notTrace = try dagrun("explain", "graphs/diamond.json")
        #expect(notTrace.status == 2 && notTrace.stderr.contains("not a trace written by `dagrun run --trace`"))
        let loadWithoutDot = try dagrun("topology", "--load", "x.json")
        #expect(loadWithoutDot.status == 2)
    }
}

/// scripts/render-examples runs and writes well-formed pictures for every example.
@Suite struct RenderExamplesTests {
    @Test func renderExamplesWritesEveryPicture() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-render-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["\(repoRoot)/scripts/render-examples", "--out", out, "--bin", "\(productsDirectory)/dagrun"]
        p.currentDirectoryURL = URL(fileURLWithPath: repoRoot)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let index = try String(contentsOfFile: "\(out)/README.md", encoding: .utf8)
        let examples = try FileManager.default.contentsOfDirectory(atPath: "\(repoRoot)/graphs")
            .filter { $0.hasSuffix(".json") && $0 != "schema.json" }.map { String($0.dropLast(5)) }
        #expect(!examples.isEmpty)
        for name in examples {
            #expect(index.contains("## \(name)\n"))
            var pictures = ["\(name).gantt.svg"]
            if graphvizInstalled { pictures += ["\(name).schedule.svg", "\(name).plan.svg", "\(name).cores.svg"] }
            for picture in pictures {
                let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(picture)"))
                #expect(XMLParser(data: data).parse(), "\(picture) is well-formed XML")
                #expect(index.contains("(\(picture))") || picture.hasSuffix("plan.svg") || picture.hasSuffix("cores.svg"))
            }
            for file in ["trace.json", "schedule.dot", "summary.txt", "explain.txt"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).\(file)"), "\(name).\(file)")
            }
        }
    }
}

/// A run with core-group tasks never has more threads running than cores.
@Suite struct CoreGroupCLITests {
    @Test func runningThreadsNeverExceedTheCores() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tasks = [#"{"id": "a", "op": "random", "args": {"rows": 1200, "cols": 1200, "seed": 1}}"#]
        for k in 0..<4 { tasks.append(#"{"id": "big\#(k)", "op": "gemm", "inputs": ["a", "a"], "cores": "all"}"#) }
        for k in 0..<8 { tasks.append(#"{"id": "small\#(k)", "op": "gemm", "inputs": ["a", "a"]}"#) }
        let text = #"{"version": 1, "name": "groups", "tasks": ["# + tasks.joined(separator: ",\n") + "]}"
        try text.write(toFile: "\(dir)/groups.json", atomically: true, encoding: .utf8)
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/dagrun")
        p.arguments = ["run", "\(dir)/groups.json", "--trace", "\(dir)/t.json", "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        var most = 0, samples = 0
        var busiest: [String] = []
        while p.isRunning {
            // Threads running or runnable, the main thread left out (it only waits, and execs at start).
            let tids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            var running = 0
            var names: [String] = []
            for tid in tids where tid != "\(pid)" {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                if stat[stat.index(close, offsetBy: 2)] == "R" {
                    running += 1
                    names.append(String(stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]))
                }
            }
            if running > most { busiest = names }
            most = max(most, running)
            samples += 1
            usleep(500)
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(samples > 20, "sampled the run \(samples) times")
        #expect(most <= cores, "\(most) threads ran at once on \(cores) cores: \(busiest)")
        // The group tasks ran alone.
        let trace = try jsonObject(String(contentsOfFile: "\(dir)/t.json", encoding: .utf8))
        let events = (trace["traceEvents"] as? [[String: Any]] ?? []).filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 }
        func span(_ e: [String: Any]) -> (Double, Double) {
            let ts = (e["ts"] as? Double) ?? Double(e["ts"] as? Int ?? 0)
            return (ts, ts + ((e["dur"] as? Double) ?? Double(e["dur"] as? Int ?? 0)))
        }
        for big in events where (big["name"] as? String ?? "").hasPrefix("big") {
            let (b0, b1) = span(big)
            for other in events where (other["name"] as? String) != (big["name"] as? String) {
                let (o0, o1) = span(other)
                #expect(min(o1, b1) <= max(o0, b0) + 0.001, "\(other["name"]!) overlapped \(big["name"]!)")
            }
        }
    }
}

/// Commands that read graphs but never call BLAS end OpenBLAS's thread pool, whose threads
/// would otherwise busy-wait on the other cores beside them (`run` starts without one).
@Suite struct BLASPoolCLITests {
    @Test(arguments: ["validate", "dot"]) func noPoolThreadBesideTheCommand(command: String) throws {
        // With one CPU OpenBLAS starts no pool, and this test cannot tell the difference.
        try #require(sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1, "needs two CPUs")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-fifo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The command reads its graph from a pipe, so it waits, already in `main`, until the
        // test has counted its threads.
        let fifo = dir + "/graph.json"
        try #require(mkfifo(fifo, 0o600) == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "\(productsDirectory)/dagrun")
        p.arguments = [command, fifo]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Opening the write end succeeds once the command has opened the read end.
        var fd: Int32 = -1
        for _ in 0..<2000 where p.isRunning {
            fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { break }
            usleep(5000)
        }
        try #require(fd >= 0, "dagrun \(command) never opened the graph")
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.processIdentifier)/task")
        let graph = #"{"version": 1, "tasks": [{"id": "a", "op": "noop"}, {"id": "b", "op": "noop", "inputs": ["a"]}]}"#
        _ = fcntl(fd, F_SETFL, 0)
        let written = graph.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress!, graph.utf8.count) }
        close(fd)
        p.waitUntilExit()
        #expect(written == graph.utf8.count)
        #expect(p.terminationStatus == 0)
        #expect(threads.count == 1, "dagrun \(command) had \(threads.count) threads while it read its graph")
    }
}
