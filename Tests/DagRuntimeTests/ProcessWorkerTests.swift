import DagCore
import DagKernels
import DagTopology
@testable import DagRuntime
import Foundation
import Glibc
import Testing

/// The built `dagrun` binary (worker processes run it), found next to the test bundle the
/// way the end-to-end tests find it; `swift test` builds it.
let dagrunExecutable: String? = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent("dagrun").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}()

func processOptions(workers: Int? = 2, keep: RunOptions.KeepResults = .all,
                    executor: TaskRunPolicy.Executor = .thread) throws -> RunOptions {
    var options = RunOptions(workers: workers)
    options.keep = keep
    options.cpuExecutor = executor
    guard let executable = dagrunExecutable else {
        throw RunSetupError(description: "the dagrun binary is not built next to the tests (swift build)")
    }
    options.workerExecutable = executable
    return options
}

func runGraph(_ g: GraphBuilder, _ options: RunOptions) throws -> RunReport {
    try Scheduler(topology: host).run(try g.build(defaultExecutor: options.cpuExecutor), options: options)
}

/// dagrun worker processes whose parent is this test process (from /proc/*/stat and
/// cmdline; other suites start children of their own meanwhile).
func childProcesses() -> [pid_t] {
    let me = getpid()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { name -> pid_t? in
        guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 1 && pid_t(fields[1]) == me,
              let cmdline = try? String(contentsOfFile: "/proc/\(name)/cmdline", encoding: .utf8) else { return nil }
        return cmdline.contains("__worker") ? pid : nil
    }
}

/// Open descriptors and mappings of this process that are dagrun memfds.
func sharedSegmentsInUse() -> (descriptors: Int, mappings: Int) {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    let open = fds.filter { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) ?? "")
        .contains("memfd:dagrun") }.count
    let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
    return (open, maps.split(separator: "\n").filter { $0.contains("memfd:dagrun") }.count)
}

let inProcess = TaskRunPolicy(executor: .process)

/// A Linux CPU list ("0-3,6") as a set.
func cpuList(_ text: Substring) -> Set<Int> {
    var cpus: Set<Int> = []
    for part in text.split(separator: ",") {
        let ends = part.split(separator: "-").compactMap { Int($0) }
        if ends.count == 2 { cpus.formUnion(ends[0]...ends[1]) } else if let c = ends.first { cpus.insert(c) }
    }
    return cpus
}

@Suite(.serialized) struct ProcessWorkerTests {
    /// ```
    ///   a(thread)  b(process)        p(process) -- save(io) -- load(io) -- back(process)
    ///        \    /                                                           |
    ///        c(process) -- d(thread) -- e(process: add d, p) -- total(process) + back
    /// ```
    /// The same graph all on threads and with process tasks gives identical results.
    @Test func mixedGraphGivesTheResultsOfAThreadRun() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func graph() -> GraphBuilder {
            var g = GraphBuilder()
            let a = g.random(rows: 120, cols: 80, seed: 1, id: "a")
            let b = g.add("random", id: "b", args: ["rows": .int(80), "cols": .int(60), "seed": .int(2)], run: inProcess)
            let c = g.add("gemm", id: "c", inputs: [a, b], run: inProcess)
            let d = g.scale(c, by: 0.5, id: "d")
            let p = g.add("random", id: "p", args: ["rows": .int(120), "cols": .int(60), "seed": .int(3)], run: inProcess)
            let save = g.saveNPY(p, to: dir + "/p.npy", id: "save")
            let load = g.loadNPY(dir + "/p.npy", after: [save], id: "load")
            let back = g.add("scale", id: "back", inputs: [load], args: ["alpha": .double(3)], run: inProcess)
            let e = g.add("add", id: "e", inputs: [d, p], run: inProcess)
            _ = g.add("sum", id: "total", inputs: [e, back], run: inProcess)
            _ = g.task("mean", id: "mean", inputs: [e]) { v in .scalar(Kernels.sum(v[0].matrix!) / Double(v[0].matrix!.count)) }
            return g
        }
        let mixed = try runGraph(graph(), processOptions())
        #expect(mixed.succeeded, "\(mixed.failures)")
        // Process tasks ran in processes, the others on threads or IO.
        let g = mixed.trace.graph
        for r in mixed.trace.records {
            let id = g.ids[Int(r.task)]
            #expect(r.inProcess == ["b", "c", "p", "back", "e", "total"].contains(id), "\(id)")
        }
        // Reference: every task on threads (the policies say process, so run a copy built
        // without them).
        var reference = GraphBuilder()
        let a = reference.random(rows: 120, cols: 80, seed: 1, id: "a")
        let b = reference.random(rows: 80, cols: 60, seed: 2, id: "b")
        let c = reference.gemm(a, b, id: "c")
        let d = reference.scale(c, by: 0.5, id: "d")
        let p = reference.random(rows: 120, cols: 60, seed: 3, id: "p")
        let back = reference.scale(p, by: 3, id: "back")
        let e = reference.add([d, p], id: "e")
        _ = reference.sum([e, back], id: "total")
        var o = RunOptions(workers: 2)
        o.keep = .all
        let expected = try Scheduler(topology: host).run(try reference.build(), options: o)
        #expect(expected.succeeded)
        for id in ["b", "c", "d", "e", "back"] {
            let got = try #require(mixed.results[id]?.matrix), want = try #require(expected.results[id]?.matrix)
            #expect(got.toArray() == want.toArray(), "\(id) differs")
        }
        #expect(mixed.results["total"]?.scalar == expected.results["total"]?.scalar)
        // Results that came back from a worker process live in shared memory.
        #expect(mixed.results["c"]?.matrix?.storageOwner is SharedMemory)
        // A thread task whose consumer is a process task wrote its result to shared memory directly.
        #expect(mixed.results["d"]?.matrix?.storageOwner is SharedMemory)
        #expect(mixed.results["a"]?.matrix?.storageOwner is SharedMemory)
    }

    /// Each worker process binds itself to its worker's core: the CPU it reports from
    /// inside (sched_getcpu in the child, after the task) is that core's.
    @Test func workerProcessesArePinnedToTheirWorkersCores() throws {
        var g = GraphBuilder()
        for k in 0..<24 {
            g.add("fail", id: "spin\(k)", args: ["how": .string("spin"), "seconds": .double(0.003)], run: inProcess)
        }
        let report = try runGraph(g, processOptions(workers: nil))
        #expect(report.succeeded, "\(report.failures)")
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        for r in report.trace.records {
            #expect(r.inProcess)
            let worker = report.trace.workers[Int(r.worker)]
            #expect(Int(r.cpu) == worker.osCPU, "process task reported cpu \(r.cpu); its worker is pinned to cpu \(worker.osCPU)")
        }
    }

    /// The worker binds itself: started from this (unpinned) test thread, whose affinity
    /// it inherits, it still ends up allowed on its core only, and says so from inside.
    @Test func aWorkerProcessBindsItselfToItsCore() throws {
        let executable = try #require(dagrunExecutable)
        for core in host.cores {
            let worker = try ProcessWorker.start(executable: executable, core: core.logicalIndex, pin: true)
            defer { worker.terminate(kill: false) }
            #expect(worker.bindError == nil)
            #expect(Int(worker.startCPU) == core.osIndex, "hello from cpu \(worker.startCPU), core \(core.logicalIndex) is cpu \(core.osIndex)")
            let status = try String(contentsOfFile: "/proc/\(worker.pid)/status", encoding: .utf8)
            let allowed = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
            #expect(cpuList(allowed?.split(separator: "\t").last ?? "") == Set(core.puOSIndices), "\(allowed ?? "")")
            var request = FrameWriter()
            request.str("probe"); request.str("noop"); request.u32(1); request.u64(0); request.str(""); request.u32(0); request.u32(0)
            guard case .value(.nothing, let cpu) = worker.run(request, timeout: 10) else {
                Issue.record("the worker did not run a noop")
                continue
            }
            #expect(Int(cpu) == core.osIndex)
        }
    }

    /// A segfault, an abort, an exit, a timeout and a memory limit each fail their task
    /// with a message naming the cause; the task's dependent is cancelled, and independent
    /// tasks (in processes too, on replaced workers) still run.
    ///
    /// ```
    ///   seg  abrt  ex  slow  mem     fine1 .. fine6 (process)   small (allocates within its limit)
    ///    |
    ///   after
    /// ```
    @Test func crashesTimeoutsAndMemoryLimitsFailOnlyTheirTask() throws {
        let before = Set(childProcesses())
        var g = GraphBuilder()
        let seg = g.add("fail", id: "seg", args: ["how": .string("segfault")], run: inProcess)
        g.add("fail", id: "abrt", args: ["how": .string("abort")], run: inProcess)
        g.add("fail", id: "ex", args: ["how": .string("exit"), "status": .int(7)], run: inProcess)
        g.add("fail", id: "slow", args: ["how": .string("spin"), "seconds": .double(20)],
              run: TaskRunPolicy(executor: .process, timeout: 0.3))
        g.add("fail", id: "mem", args: ["how": .string("allocate"), "bytes": .int(512 << 20)],
              run: TaskRunPolicy(executor: .process, maxMemory: 64 << 20))
        g.add("fail", id: "small", args: ["how": .string("allocate"), "bytes": .int(8 << 20)],
              run: TaskRunPolicy(executor: .process, maxMemory: 64 << 20))
        g.add("noop", id: "after", inputs: [seg])
        for k in 0..<6 { g.add("random", id: "fine\(k)", args: ["rows": .int(50), "cols": .int(50), "seed": .int(k)], run: inProcess) }
        let t0 = monotonicNanos()
        let report = try runGraph(g, processOptions())
        #expect(seconds(monotonicNanos() - t0) < 15, "the timeout did not stop the spinning task")
        let cause = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.taskID, $0.cause) })
        #expect(Set(cause.keys) == ["seg", "abrt", "ex", "slow", "mem"], "\(report.failures)")
        #expect(cause["seg"]?.contains("killed by signal 11 (SIGSEGV)") == true, "\(cause["seg"] ?? "")")
        #expect(cause["abrt"]?.contains("killed by signal 6 (SIGABRT)") == true, "\(cause["abrt"] ?? "")")
        #expect(cause["ex"]?.contains("exited with status 7") == true, "\(cause["ex"] ?? "")")
        #expect(cause["slow"]?.contains("timed out after 0.3 s") == true, "\(cause["slow"] ?? "")")
        #expect(cause["slow"]?.contains("SIGKILL") == true)
        #expect(cause["mem"]?.contains("exceeded its max_memory of 64 MiB") == true, "\(cause["mem"] ?? "")")
        for f in report.failures { #expect(f.description.contains("task '\(f.taskID)'")) }
        let status = Dictionary(uniqueKeysWithValues: report.trace.records.map { (report.trace.graph.ids[Int($0.task)], $0.status) })
        #expect(status["after"] == .cancelled)
        #expect(status["small"] == .done)
        for k in 0..<6 { #expect(status["fine\(k)"] == .done) }
        // Every worker process, crashed or not, was reaped: no child is left.
        #expect(Set(childProcesses()).subtracting(before).isEmpty)
    }

    /// `retries` re-runs a failed task, on a thread or in a process; the attempt number is
    /// in its record and the failed attempts are kept in the trace.
    @Test func retriesRunAFailedTaskAgain() throws {
        var g = GraphBuilder()
        g.add("fail", id: "thread", args: ["fail_attempts": .int(2)], run: TaskRunPolicy(retries: 3))
        g.add("fail", id: "process", args: ["fail_attempts": .int(1)], run: TaskRunPolicy(executor: .process, retries: 1))
        g.add("fail", id: "crashy", args: ["how": .string("segfault"), "fail_attempts": .int(1)],
              run: TaskRunPolicy(executor: .process, retries: 2))
        g.add("fail", id: "hopeless", run: TaskRunPolicy(retries: 1))
        let report = try runGraph(g, processOptions())
        let ids = report.trace.graph.ids
        let record = Dictionary(uniqueKeysWithValues: report.trace.records.map { (ids[Int($0.task)], $0) })
        #expect(record["thread"]?.status == .done)
        #expect(record["thread"]?.attempt == 3)
        #expect(record["process"]?.status == .done)
        #expect(record["process"]?.attempt == 2)
        #expect(record["process"]?.inProcess == true)
        #expect(record["crashy"]?.status == .done)
        #expect(record["crashy"]?.attempt == 2)
        #expect(record["hopeless"]?.status == .failed)
        #expect(record["hopeless"]?.attempt == 2)
        #expect(report.failures.map(\.taskID) == ["hopeless"])
        #expect(report.failures.first?.cause.contains("attempt 2") == true)
        let retried = report.trace.retriedAttempts.map { "\(ids[Int($0.task)])#\($0.attempt)" }.sorted()
        #expect(retried == ["crashy#1", "hopeless#1", "process#1", "thread#1", "thread#2"])
        #expect(report.trace.retriedAttempts.allSatisfy { $0.status == .failed && $0.message != nil })
        let crash = report.trace.retriedAttempts.first { ids[Int($0.task)] == "crashy" }
        #expect(crash?.message?.contains("SIGSEGV") == true)
        // Exponential backoff: the second retry of "thread" started at least 50 + 100 ms after its first attempt.
        let firstStart = report.trace.retriedAttempts.filter { ids[Int($0.task)] == "thread" }.map(\.startNanos).min()!
        #expect(seconds(record["thread"]!.startNanos - firstStart) >= 0.15)
    }

    /// A Swift closure cannot cross to a worker process: refused before anything runs.
    @Test func closuresCannotRunInProcesses() throws {
        var g = GraphBuilder()
        g.task("mine", id: "mine") { _ in .nothing }
        #expect(throws: RunSetupError.self) { try runGraph(g, processOptions(executor: .process)) }
        do {
            _ = try runGraph(g, processOptions(executor: .process))
        } catch {
            #expect(String(describing: error).contains("task 'mine' is a Swift closure"), "\(error)")
        }
        // Declared to run on a thread, it runs beside process tasks.
        var h = GraphBuilder()
        h.task("mine", id: "mine", run: TaskRunPolicy(executor: .thread)) { _ in .scalar(1) }
        h.add("noop", id: "other")
        let report = try runGraph(h, processOptions(executor: .process))
        #expect(report.succeeded)
        #expect(report.trace.records.map(\.inProcess) == [false, true])
    }

    /// Without a worker executable (a host program not named dagrun), process tasks are a
    /// setup error naming the option to set.
    @Test func processTasksNeedTheWorkerExecutable() throws {
        var g = GraphBuilder()
        g.add("noop", id: "x", run: inProcess)
        var options = try processOptions()
        options.workerExecutable = nil
        do {
            _ = try runGraph(g, options)
            Issue.record("ran without a worker executable")
        } catch {
            #expect(String(describing: error).contains("RunOptions.workerExecutable"))
        }
        // A program that is not dagrun fails the task (not the run) with a clear message.
        options.workerExecutable = "/bin/true"
        let report = try runGraph(g, options)
        #expect(report.failures.first?.cause.contains("did not start as a dagrun worker") == true, "\(report.failures)")
    }

    /// A 64 MiB matrix produced in one worker process and consumed in another is never
    /// copied: the parent maps the producer's memfd (and never touches its pages), and
    /// hands the same descriptor on. No child process, descriptor or mapping of shared
    /// memory is left after the run.
    @Test func largeMatricesCrossWithoutCopiesAndNothingLeaks() throws {
        let children = Set(childProcesses())
        var g = GraphBuilder()
        let big = g.add("random", id: "big", args: ["rows": .int(2048), "cols": .int(4096), "seed": .int(9)], run: inProcess)
        let s = g.add("sum", id: "s", inputs: [big], run: inProcess)
        _ = g.task("check", id: "check", inputs: [big, s]) { v in
            // The matrix the parent holds is the producer's segment, mapped, not a copy.
            guard let m = v[0].matrix, let segment = m.storageOwner as? SharedMemory else { throw OpError("not shared") }
            return .scalar(segment.byteCount == m.byteCount ? v[1].scalar! : -1)
        }
        var report: RunReport? = try runGraph(g, processOptions(keep: .sinks))
        #expect(report!.succeeded, "\(report!.failures)")
        let total = try #require(report!.results["check"]?.scalar)
        #expect(total > 0.49 * 8_388_608 && total < 0.51 * 8_388_608)
        report = nil
        #expect(sharedSegmentsInUse() == (0, 0))
        #expect(Set(childProcesses()).subtracting(children).isEmpty)
    }
}
