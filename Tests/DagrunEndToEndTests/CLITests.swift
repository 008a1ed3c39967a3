import Foundation
import Testing

/// The built `dagrun` binary on every file in graphs/: stdout, stderr and exit codes.
@Suite(.serialized) struct CLITests {
    static let examples = (try? files(in: "graphs", ext: ".json").filter { $0 != "schema.json" }) ?? []
    static let invalid = (try? files(in: "graphs/invalid", ext: ".json")) ?? []
    static let failing = (try? files(in: "graphs/failing", ext: ".json")) ?? []

    @Test func thereAreExamplesToRun() {
        #expect(Self.examples.count >= 5)
        #expect(Self.invalid.count >= 10)
        #expect(Self.failing.count >= 2)
    }

    @Test(arguments: examples)
    func exampleValidates(file: String) throws {
        let r = try dagrun("validate", "graphs/\(file)")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("graphs/\(file): ok: "))
        #expect(r.stderr.isEmpty)
    }

    /// Each example runs to completion on 2 workers; its summary, DOT and trace are complete.
    @Test(arguments: examples)
    func exampleRuns(file: String) throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try dagrun("run", "\(dir)/\(file)", "--workers", "2", "--summary", "json",
                           "--dot", "\(dir)/schedule.dot", "--trace", "\(dir)/trace.json")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let s = try jsonObject(r.stdout)
        let tasks = try #require(s["tasks"] as? Int)
        #expect(s["done"] as? Int == tasks)
        #expect(s["failed"] as? Int == 0 && s["cancelled"] as? Int == 0)
        let workers = try #require(s["workers"] as? [[String: Any]])
        #expect(workers.count == 2)
        #expect(workers.allSatisfy { $0["pinned"] as? Bool == true })
        let phases = try #require(s["phases_s"] as? [String: Double])
        #expect(Set(phases.keys) == ["load", "validate", "run"])
        let dot = try String(contentsOfFile: "\(dir)/schedule.dot", encoding: .utf8)
        #expect(dot.hasPrefix("digraph ") && dot.contains("core "))
        let trace = try jsonObject(try String(contentsOfFile: "\(dir)/trace.json", encoding: .utf8))
        let events = try #require(trace["traceEvents"] as? [[String: Any]])
        // One event per attempt: every task's first, and retries' later ones.
        let attempts = events.filter { $0["ph"] as? String == "X" }.map { ($0["args"] as? [String: Any])?["attempt"] as? Int }
        #expect(attempts.filter { $0 == 1 }.count == tasks)
        #expect(attempts.allSatisfy { $0 != nil })
    }

    @Test func textSummaryNamesWhatHappened() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try dagrun("run", "\(dir)/diamond.json", "--workers", "1")
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasSuffix("ran 5 of 5 tasks (5 done, 0 failed, 0 cancelled) on 1 worker in " + lines[0].split(separator: " in ").last!))
        #expect(lines[1].hasPrefix("critical path: "))
        #expect(lines[2].hasPrefix("cores busy: core 0 (cpu "))
        #expect(lines[3].hasPrefix("phases: load "))
        let untimed = try dagrun("run", "\(dir)/diamond.json", "--no-timing")
        #expect(untimed.status == 0)
        #expect(untimed.stdout.contains("; not timed as run (--no-timing)\n"), "\(untimed.stdout)")
        #expect(untimed.stdout.contains("(busy shares need per-task timing)"))
        let quiet = try dagrun("run", "\(dir)/diamond.json", "--quiet")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    }

    /// Invalid graphs: exit 2, nothing run, stderr exactly as in graphs/invalid/NAME.stderr.
    /// Set DAGRUN_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
    @Test(arguments: invalid)
    func invalidGraphIsRejected(file: String) throws {
        let path = "graphs/invalid/\(file)"
        let golden = repoRoot + "/" + path.replacingOccurrences(of: ".json", with: ".stderr")
        for command in ["validate", "run"] {
            let r = try dagrun(command, path)
            #expect(r.status == 2, "\(command) \(file): exit \(r.status)")
            #expect(r.stdout.isEmpty)
            if ProcessInfo.processInfo.environment["DAGRUN_UPDATE_GOLDEN"] == "1" && command == "validate" {
                try r.stderr.write(toFile: golden, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOfFile: golden, encoding: .utf8)
            #expect(r.stderr == expected, "\(command) \(file)")
        }
    }

    /// Every error line names file:line:column (or the file, when it cannot be read).
    @Test(arguments: invalid)
    func everyErrorHasAPosition(file: String) throws {
        let r = try dagrun("validate", "graphs/invalid/\(file)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines.dropLast() {
            #expect(line.range(of: #"^graphs/invalid/[a-z-]+\.json:\d+:\d+: error: "#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(lines.last!.hasSuffix("; nothing was run"))
    }

    /// A task that fails: exit 1, its id, op, inputs and cause on stderr; dependents cancelled.
    @Test func failingTaskReportsAndCancels() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try dagrun("run", "\(dir)/failing/failing-task.json", "--summary", "json")
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: task 'boom' (op exec, no inputs) failed: command 'sh -c \"echo disk on fire >&2; exit 3\"' exited with status 3; stderr: disk on fire"), "\(r.stderr)")
        #expect(r.stderr.contains("2 dependent tasks were cancelled: after-boom, later"))
        let s = try jsonObject(r.stdout)
        #expect(s["done"] as? Int == 2 && s["failed"] as? Int == 1 && s["cancelled"] as? Int == 2)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/failing/out/never.txt"))

        let m = try dagrun("run", "\(dir)/failing/missing-file.json")
        #expect(m.status == 1)
        #expect(m.stderr.contains("task 'load' (op load_npy, no inputs) failed: "))
        #expect(m.stderr.contains("no-such-dir/missing.npy"))
    }

    /// A Cholesky factorization of a matrix that is not positive definite: exit 1, the failing
    /// minor in words, the consumer of L cancelled, the LU solve beside it done.
    @Test func notPositiveDefiniteFailsWithTheMinorInWords() throws {
        let r = try dagrun("run", "graphs/failing/not-spd.json", "--summary", "json")
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: task 'L' (op potrf, inputs 'A' (matrix 4x4)) failed: potrf: the leading minor of order 3 "
                                  + "is not positive definite, so the 4x4 matrix is not symmetric positive-definite"), "\(r.stderr)")
        #expect(r.stderr.contains("[declared at graphs/failing/not-spd.json:10:5]"))
        #expect(r.stderr.contains("1 dependent task was cancelled: norm-L"))
        let s = try jsonObject(r.stdout)
        #expect(s["done"] as? Int == 8 && s["failed"] as? Int == 1 && s["cancelled"] as? Int == 1)
    }

    /// The same graph on OpenBLAS and on the blocked Swift kernels: both pass their residual
    /// check and write the same values within rounding.
    @Test func referenceKernelsMatchOpenBLAS() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let graph = """
        {"version": 1, "tasks": [
          {"id": "A", "op": "spd", "args": {"n": 150, "seed": 4}},
          {"id": "B", "op": "random", "args": {"rows": 150, "cols": 70, "seed": 5}},
          {"id": "L", "op": "potrf", "inputs": ["A"]},
          {"id": "LB", "op": "gemm", "inputs": ["L", "B"]},
          {"id": "x", "op": "random", "args": {"rows": 150, "cols": 1, "seed": 6, "dist": "normal"}},
          {"id": "Ltx", "op": "gemv", "inputs": ["L", "x"], "args": {"trans": true}},
          {"id": "LLtx", "op": "gemv", "inputs": ["L", "Ltx"]},
          {"id": "Ax", "op": "gemv", "inputs": ["A", "x"]},
          {"id": "d", "op": "axpy", "inputs": ["LLtx", "Ax"], "args": {"alpha": -1}},
          {"id": "r", "op": "nrm2", "inputs": ["d"]},
          {"id": "nA", "op": "norm", "inputs": ["A"]},
          {"id": "nx", "op": "nrm2", "inputs": ["x"]},
          {"id": "residual", "op": "check", "inputs": ["r", "nA", "nx"], "args": {"max": 1e-13}},
          {"id": "total", "op": "sum", "inputs": ["LB"]},
          {"id": "out", "op": "write_text", "inputs": ["total"], "args": {"path": "out/total.txt"}}
        ]}
        """
        try graph.write(toFile: "\(dir)/la.json", atomically: true, encoding: .utf8)
        var totals: [Double] = []
        for kernels in ["openblas", "reference"] {
            let r = try dagrun("run", "\(dir)/la.json", "--kernels", kernels, "--quiet")
            #expect(r.status == 0, "\(kernels): \(r.stderr)")
            let text = try String(contentsOfFile: "\(dir)/out/total.txt", encoding: .utf8)
            totals.append(try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        #expect(abs(totals[0] - totals[1]) <= 1e-12 * abs(totals[0]), "\(totals)")
    }

    /// IO tasks honour timeout and retries: the stuck command is killed at each attempt's timeout.
    @Test func ioTimeoutAndRetries() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t0 = Date()
        let r = try dagrun("run", "\(dir)/failing/timeout.json", "--summary", "json")
        #expect(Date().timeIntervalSince(t0) < 5, "killed at 0.3 s per attempt, not after 10 s")
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: task 'stuck' (op exec, no inputs) failed: timed out after 0.3 s (gave up after 2 attempts)"), "\(r.stderr)")
        #expect(r.stderr.contains("1 dependent task was cancelled: after-stuck") || r.stderr.contains("after-stuck"), "\(r.stderr)")
        let s = try jsonObject(r.stdout)
        #expect(s["done"] as? Int == 1 && s["failed"] as? Int == 1 && s["cancelled"] as? Int == 1)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/failing/out/flaky"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        for args in [["run"], ["run", "graphs/diamond.json", "--workers", "0"], ["frobnicate"],
                     ["run", "graphs/diamond.json", "--summary", "yaml"], ["run", "does-not-exist.json"],
                     ["run", "graphs"], ["run", "graphs/diamond.json", "--no-timing", "--dot", "x.dot"],
                     ["run", "graphs/diamond.json", "--policy", "nope"], ["run", "graphs/diamond.json", "--kernels", "mkl"],
                     ["run", "graphs/diamond.json", "--io-concurrency", "0"],
                     ["run", "graphs/diamond.json", "--collapse", "0"], ["dot", "graphs/diamond.json", "--collapse", "-1"],
                     ["run", "graphs/diamond.json", "--no-timing", "--gantt", "g.svg"],
                     ["topology", "--json", "--dot"], ["explain"]] {
            let r = try runProduct("dagrun", args)
            #expect(r.status == 2, "\(args): exit \(r.status), \(r.stderr)")
            #expect(!r.stderr.isEmpty && r.stdout.isEmpty, "\(args)")
        }
        let kernels = try dagrun("run", "graphs/diamond.json", "--kernels", "mkl")
        #expect(kernels.stderr.contains("The value 'mkl' is invalid for '--kernels <kernels>'. Please provide one of 'openblas' and 'reference'."),
                "\(kernels.stderr)")
        let help = try dagrun("--help")
        #expect(help.status == 0 && help.stdout.contains("USAGE"))
    }

    @Test func planDOTParsesWithGraphviz() throws {
        let r = try dagrun("dot", "graphs/tiled-matmul.json")
        #expect(r.status == 0 && r.stdout.hasPrefix("digraph \"tiled-matmul\""))
        guard graphvizInstalled else {
            print("skipped: Graphviz is not installed; DOT not rendered")
            return
        }
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try r.stdout.write(toFile: "\(dir)/plan.dot", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/dot")
        p.arguments = ["-Tsvg", "-o", "\(dir)/plan.svg", "\(dir)/plan.dot"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(try String(contentsOfFile: "\(dir)/plan.svg", encoding: .utf8).contains("<svg"))
    }

    @Test func topologyIsPrinted() throws {
        let host = try dagrun("topology", "--workers", "1")
        #expect(host.status == 0)
        #expect(host.stdout.hasPrefix("host: "))
        #expect(host.stdout.contains("Core L#0"))
        #expect(host.stdout.contains("1 worker pinned to: w0=core 0"))
        let synthetic = try dagrun("topology", "--synthetic", "package:2 numa:2 core:8 pu:2", "--json")
        #expect(synthetic.status == 0)
        let s = try jsonObject(synthetic.stdout)
        #expect(s["packages"] as? Int == 2 && s["numa_nodes"] as? Int == 4 && s["cores"] as? Int == 32 && s["pus"] as? Int == 64)
        let plan = try dagrun("topology", "--synthetic", "package:2 numa:2 l3:2 core:4", "--workers", "8")
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("  w0: w1 (L3), w2 (L3), w3 (L3), w4 (NUMA), w5 (NUMA), w6 (NUMA), w7 (NUMA)\n"), "\(plan.stdout)")
        let bad = try dagrun("topology", "--synthetic", "package:banana")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("package:banana"))
        let tooMany = try dagrun("topology", "--workers", "999")
        #expect(tooMany.status == 2)
    }

    @Test func opsAndSchemaAreListed() throws {
        let ops = try dagrun("ops")
        for name in ["random", "zeros", "ones", "eye", "gemm", "add", "scale", "sum",
                     "load_npy", "save_npy", "read_text", "write_text", "sleep", "exec",
                     "spd", "axpy", "dot", "scal", "nrm2", "gemv", "syrk", "trsm", "potrf", "getrf", "getrs", "geqrf",
                     "sub", "mul", "max", "norm", "transpose", "slice", "assemble", "concat", "check"] {
            #expect(ops.stdout.contains("\n\(name) [") || ops.stdout.hasPrefix("\(name) ["), "\(name)")
        }
        #expect(ops.stdout.contains("\n    dist: string, default \"uniform\" - distribution: uniform ([0, 1)) or normal (mean 0, variance 1)\n"))
        #expect(ops.stdout.contains("\ntrsm [cpu, exactly 2 inputs]: "))
        let schema = try dagrun("schema")
        #expect(schema.stdout == (try String(contentsOfFile: repoRoot + "/graphs/schema.json", encoding: .utf8)))
    }

    /// `.npy` files written by dagrun load in numpy with the expected values, and numpy's files load in dagrun.
    @Test(.enabled(if: pythonWithNumpy, "python3 with numpy is not installed")) func npyRoundTripsThroughNumpy() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let graph = """
        {"version": 1, "tasks": [
          {"id": "in", "op": "load_npy", "args": {"path": "data/part-1.npy"}},
          {"id": "twice", "op": "scale", "inputs": ["in"], "args": {"alpha": 2}},
          {"id": "out", "op": "save_npy", "inputs": ["twice"], "args": {"path": "out/twice.npy"}}
        ]}
        """
        try graph.write(toFile: "\(dir)/npy.json", atomically: true, encoding: .utf8)
        let r = try dagrun("run", "\(dir)/npy.json", "--quiet")
        #expect(r.status == 0, "\(r.stderr)")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import numpy as np, sys
            a = np.load(sys.argv[1]); b = np.load(sys.argv[2])
            sys.exit(0 if b.dtype == np.float64 and b.shape == a.shape and np.array_equal(b, 2 * a) else 1)
            """, "\(dir)/data/part-1.npy", "\(dir)/out/twice.npy"]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    /// The README's embedding example is Sources/EmbeddingExample/main.swift, and it runs.
    @Test func readmeEmbeddingExampleCompilesAndRuns() throws {
        let readme = try String(contentsOfFile: repoRoot + "/README.md", encoding: .utf8)
        let source = try String(contentsOfFile: repoRoot + "/Sources/EmbeddingExample/main.swift", encoding: .utf8)
        #expect(readme.contains("```swift\n" + source + "```"), "README's embedding example differs from Sources/EmbeddingExample/main.swift")
        let r = try runProduct("EmbeddingExample", [])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("c is 512x128, mean 6") == true, "\(r.stdout)")
        #expect(lines.contains("critical path: a -> c -> total -> report -> save"))
        #expect(lines.contains("ran 6 tasks on 2 pinned workers"))
    }

    /// The linear-algebra benchmark's library row: the three algorithms run on small sizes, pass
    /// their residual check and print one JSON line with a sample per timed run; bad
    /// arguments exit 2 with the usage.
    @Test func linearAlgebraBenchRunsAndChecksItsResults() throws {
        // Tasks at 2 x 2 tiles: matmul 8 input tiles + 8 gemm; cholesky 3 input tiles + 2 potrf + 1 trsm + 1 syrk
        // + 1 keeping L; lu 4 input tiles + 2 getrf + 2 trsm + 1 gemm + 1 keeping the factors.
        for (algorithm, tasks) in [("matmul", 2 * 4 + 8), ("cholesky", 3 + 2 + 1 + 1 + 1), ("lu", 4 + 2 + 2 + 1 + 1)] {
            let r = try runProduct("dagrun-la-bench", [algorithm, "--n", "128", "--tile", "64", "--repeat", "2"])
            #expect(r.status == 0, "\(algorithm): \(r.stderr)")
            let line = try #require(r.stdout.split(separator: "\n").last.map(String.init))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["peer"] as? String == "dagrun library")
            #expect(object["tasks"] as? Int == tasks, "\(algorithm): \(line)")
            #expect((object["samples_s"] as? [Double])?.count == 2)
            #expect((object["check"] as? String)?.hasPrefix("residual ") == true)
        }
        for bad in [["qr"], ["matmul", "--n", "100", "--tile", "64"], ["cholesky", "--tile"], ["matmul", "--speed", "3"]] {
            let r = try runProduct("dagrun-la-bench", bad)
            #expect(r.status == 2, "\(bad)")
            #expect(r.stderr.contains("usage: dagrun-la-bench"), "\(bad): \(r.stderr)")
        }
    }
}

/// `dagrun gen` writes graphs that `dagrun` validates and runs, for every shape.
@Suite(.serialized) struct GenTests {
    static let shapes = ["independent", "chain", "tree", "wavefront", "random", "forkjoin"]

    @Test(arguments: shapes)
    func generatedGraphRuns(shape: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-gen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gen = try dagrun("gen", shape, "--n", "500", "--width", "20", "--levels", "3", "--count")
        #expect(gen.status == 0, "\(gen.stderr)")
        let counts = gen.stderr.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
        try gen.stdout.write(toFile: "\(dir)/g.json", atomically: true, encoding: .utf8)
        for policy in ["critical-path", "affinity"] {
            let r = try dagrun("run", "\(dir)/g.json", "--workers", "2", "--policy", policy, "--summary", "json")
            #expect(r.status == 0, "\(r.stderr)")
            let s = try jsonObject(r.stdout)
            #expect(s["tasks"] as? Int == counts.first, "gen said \(gen.stderr)")
            #expect(s["done"] as? Int == counts.first)
        }
    }

    @Test func badGenArgumentsExitWithTwo() throws {
        for args in [["gen", "rando"], ["gen", "random", "--n", "0"], ["gen", "random", "--op", "frob"]] {
            let r = try runProduct("dagrun", args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty && !r.stderr.isEmpty, "\(args)")
        }
        let unknown = try dagrun("gen", "rando")
        #expect(unknown.stderr.contains("did you mean 'random'?"))
    }

    /// matmul, cholesky and lu: the counts announced are the tasks written; the help lists them.
    @Test(arguments: [("matmul", 2 * 16 + 64 + 5 * 4 + 5), ("cholesky", 10 + 4 + 6 + 6 + 4 + 10 + 5 * 4 + 4),
                      ("lu", 16 + 4 + 12 + 14 + 16 + 5 * 4 + 4)])
    func tiledGraphIsWritten(algorithm: String, tasks: Int) throws {
        let gen = try dagrun("gen", algorithm, "--n", "60", "--tile", "16", "--seed", "3", "--count")
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(gen.stderr.hasPrefix("tasks \(tasks), edges "), "\(gen.stderr)")
        let graph = try jsonObject(gen.stdout)
        #expect((graph["tasks"] as? [Any])?.count == tasks)
        #expect((graph["description"] as? String)?.hasPrefix("dagrun gen \(algorithm) --n 60 --tile 16 --seed 3: ") == true)
        let help = try dagrun("gen", "--help")
        #expect(help.stdout.contains("  \(algorithm): ") && help.stdout.contains("--tile <tile>"))
    }

    @Test func badTiledArgumentsExitWithTwo() throws {
        let cases: [([String], String)] = [
            (["gen", "matmul", "--n", "0"], "error: --n: n is 0 but the matrices need at least 1 row and column"),
            (["gen", "cholesky", "--tile", "0"], "error: --tile: tile is 0 but must be 1 or more"),
            (["gen", "cholesky", "--n", "100", "--tile", "128"], "error: --tile: tile is 128 but n is 100"),
            (["gen", "matmul", "--tol", "0"], "error: --tol: tol is 0.0 but must be a finite number above 0"),
            (["gen", "matmul", "--n", "8192", "--tile", "2"], "error: --tile: n 8192 in tiles of 2 is 4096 x 4096 tiles"),
            (["gen", "matmul", "--width", "5"], "error: --width does not apply to matmul (it is an option of the shapes)"),
            (["gen", "chain", "--tile", "5"], "error: --tile does not apply to chain (it is an option of matmul, cholesky and lu)"),
            (["gen", "matmull"], "did you mean 'matmul'?"),
            (["gen", "lu", "--tile", "0"], "error: --tile: tile is 0 but must be 1 or more"),
        ]
        for (args, message) in cases {
            let r = try runProduct("dagrun", args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    /// The example tiled graphs are what the command in their description writes.
    @Test(arguments: ["matmul-small.json", "cholesky-small.json", "lu-small.json"])
    func tiledExampleIsGenerated(file: String) throws {
        let text = try String(contentsOfFile: "\(repoRoot)/graphs/\(file)", encoding: .utf8)
        let description = try #require(jsonObject(text)["description"] as? String)
        let command = try #require(description.split(separator: ":").first).split(separator: " ").map(String.init)
        #expect(command.prefix(2) == ["dagrun", "gen"])
        let r = try runProduct("dagrun", Array(command.dropFirst()))
        #expect(r.status == 0 && r.stdout == text, "graphs/\(file) differs from `\(command.joined(separator: " "))`")
    }

    @Test func policiesAreListedAndChecked() throws {
        let list = try dagrun("policies")
        #expect(list.stdout.hasPrefix("critical-path (default): "))
        #expect(list.stdout.contains("\naffinity: "))
        let bad = try dagrun("run", "graphs/diamond.json", "--policy", "critcal-path")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("did you mean 'critical-path'?"), "\(bad.stderr)")
    }
}
