import Foundation
import Glibc
import Testing

/// Live dagrun worker processes started by the dagrun process `parent` (their command line
/// is `dagrun __worker ... --parent PID`; found in /proc, whoever their parent is now).
func workerProcesses(of parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { name -> Int32? in
        guard let pid = Int32(name),
              let raw = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
        let args = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard args.count > 1, args[1] == "__worker", let k = args.firstIndex(of: "--parent"), k + 1 < args.count,
              Int32(args[k + 1]) == parent else { return nil }
        // A zombie waiting to be reaped is gone already for our purposes.
        let stat = (try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8)) ?? ""
        return stat.contains(") Z ") ? nil : pid
    }
}

/// The built dagrun with process workers: results, crashes, validation and clean-up.
@Suite(.serialized) struct ProcessWorkerCLITests {
    /// Every CPU task of the examples in worker processes (`--cpu-executor process`)
    /// writes the same files as the run on threads.
    @Test(arguments: ["tiled-matmul.json", "map-reduce.json", "diamond.json", "process-workers.json"])
    func processExecutorWritesWhatThreadsWrite(file: String) throws {
        var outputs: [String: [String: Data]] = [:]
        for executor in ["thread", "process"] {
            let dir = try copyOfGraphs()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let r = try dagrun("run", "\(dir)/\(file)", "--workers", "2", "--cpu-executor", executor, "--summary", "json",
                               "--trace", "\(dir)/trace.json")
            #expect(r.status == 0, "\(executor): \(r.stderr)")
            let s = try jsonObject(r.stdout)
            #expect(s["failed"] as? Int == 0)
            let trace = try jsonObject(try String(contentsOfFile: "\(dir)/trace.json", encoding: .utf8))
            let events = (trace["traceEvents"] as? [[String: Any]] ?? []).filter { $0["ph"] as? String == "X" }
            let executors = Set(events.compactMap { ($0["args"] as? [String: Any])?["executor"] as? String })
            if executor == "process" { #expect(!executors.contains("thread"), "\(executors)") }
            var files: [String: Data] = [:]
            let out = "\(dir)/out"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] {
                files[name] = FileManager.default.contents(atPath: "\(out)/\(name)")
            }
            outputs[executor] = files
        }
        #expect(outputs["thread"] == outputs["process"])
    }

    /// A segfault and a timeout: exit 1, each named with its cause, dependents cancelled,
    /// independent tasks done; no worker process outlives the run.
    @Test func crashingWorkersFailTheirTasksOnly() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try dagrun("run", "\(dir)/failing/worker-crash.json", "--summary", "json")
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: task 'crash' (op fail, no inputs) failed: its worker process (pid "), "\(r.stderr)")
        #expect(r.stderr.contains(") killed by signal 11 (SIGSEGV); a new worker process takes its place"))
        #expect(r.stderr.contains("error: task 'stuck' (op fail, no inputs) failed: timed out after 0.5 s"))
        #expect(r.stderr.contains("1 dependent task was cancelled: after-crash"))
        let s = try jsonObject(r.stdout)
        #expect(s["done"] as? Int == 3 && s["failed"] as? Int == 2 && s["cancelled"] as? Int == 1)
        let total = try String(contentsOfFile: "\(dir)/failing/out/worker-crash-total.txt", encoding: .utf8)
        #expect(Double(total.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
    }

    /// Timeouts and memory limits need a worker process: refused on threads, accepted when
    /// `--cpu-executor process` makes processes the default.
    @Test func cpuExecutorDecidesWhatValidates() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/limits.json"
        try #"{"version": 1, "tasks": [{"id": "m", "op": "random", "args": {"rows": 10, "cols": 10}, "timeout": 5, "max_memory": "64M"}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let onThreads = try dagrun("run", path)
        #expect(onThreads.status == 2)
        #expect(onThreads.stderr.contains("task 'm', field 'timeout': a timeout cannot stop a task on a worker thread"), "\(onThreads.stderr)")
        #expect(try dagrun("validate", "--cpu-executor", "process", path).status == 0)
        let inProcesses = try dagrun("run", "--cpu-executor", "process", path)
        #expect(inProcesses.status == 0, "\(inProcesses.stderr)")
    }

    /// SIGTERM or SIGINT to dagrun while a worker process runs a long task: dagrun dies
    /// and its worker processes go with it (PR_SET_PDEATHSIG); none is left in /proc.
    @Test(arguments: [SIGTERM, SIGINT, SIGKILL])
    func interruptedRunsLeaveNoWorkers(signal: Int32) throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/long.json"
        try #"{"version": 1, "tasks": [{"id": "a", "op": "fail", "args": {"how": "spin", "seconds": 60}, "executor": "process"}, {"id": "b", "op": "fail", "args": {"how": "spin", "seconds": 60}, "executor": "process"}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: productsDirectory + "/dagrun")
        p.arguments = ["run", path, "--workers", "2", "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        var workers: [Int32] = []
        let give = Date().addingTimeInterval(20)
        while workers.count < 2 && Date() < give {
            usleep(20_000)
            workers = workerProcesses(of: pid)
        }
        #expect(workers.count == 2, "the workers did not start")
        kill(pid, signal)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == signal)
        var left = workerProcesses(of: pid)
        let deadline = Date().addingTimeInterval(5)
        while !left.isEmpty && Date() < deadline {
            usleep(20_000)
            left = workerProcesses(of: pid)
        }
        #expect(left.isEmpty, "worker processes \(left) outlived dagrun (\(signal))")
        for w in left { kill(w, SIGKILL) }
    }

    /// A completed run and a failed run leave no worker process behind either.
    @Test func finishedRunsLeaveNoWorkers() throws {
        let dir = try copyOfGraphs()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (file, status) in [("process-workers.json", Int32(0)), ("failing/worker-crash.json", 1)] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: productsDirectory + "/dagrun")
            p.arguments = ["run", "\(dir)/\(file)", "--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let pid = p.processIdentifier
            p.waitUntilExit()
            #expect(p.terminationStatus == status)
            #expect(workerProcesses(of: pid).isEmpty)
        }
    }
}
