import ArgumentParser
import CDagSystem
import DagrunKit
import Glibc

/// `dagrun`: validate, draw and run task graphs on hwloc-pinned workers.
///
/// Exit codes: 0 success, 1 a task failed, 2 bad usage or an invalid graph.
@main
struct Dagrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dagrun",
        abstract: "Run task graphs of numeric (CPU) and IO tasks on worker threads pinned one per core.",
        discussion: "Exit codes: 0 success, 1 a task failed, 2 bad usage or an invalid graph.",
        subcommands: [Run.self, Validate.self, Dot.self, Explain.self, Gen.self, Topology.self, Ops.self, Policies.self,
                      Schema.self, Worker.self])

    /// Parses and runs a subcommand, mapping argument errors to exit code 2.
    static func main() {
        if CommandLine.arguments.dropFirst().first == "run" {
            configureOpenBLASThreads()
        } else {
            // No other command calls BLAS: end the pool OpenBLAS started at load rather than
            // restart the process (~12 ms) to keep it from starting.
            BLAS.stopThreadPool()
        }
        // Large arrays come from the heap and freed ones are reused, instead of each one being
        // mapped fresh and faulted in page by page (glibc maps blocks above a threshold that
        // starts at 128 KiB and returns them on free). Loading a million-task graph allocates
        // and frees several tens of MB of transient columns; reuse cut its page faults and
        // kernel time here. Only the command-line tool sets this; embedders keep their own.
        _ = dagrun_malloc_keep_large_blocks(32 << 20)  // glibc's largest mmap threshold on 64-bit
        // Stay interruptible: a parent may start us with these blocked (test harnesses and
        // supervisors do), and every thread of a run inherits the mask. Interrupting a run
        // ends the process, and its worker processes with it (PR_SET_PDEATHSIG).
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&interrupts, s) }
        pthread_sigmask(SIG_UNBLOCK, &interrupts, nil)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as ExitWith {
            Glibc.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            var message = fullMessage(for: error)
            if code == .validationFailure && !message.hasPrefix("Error") { message = "Error: " + message }
            printError(message)
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Starts `dagrun run` again (once, ~12 ms) with OpenBLAS's environment set, because OpenBLAS
/// reads it only when the library loads, before `main`:
/// - `OPENBLAS_NUM_THREADS=1`: no BLAS thread pool at start. Debian's OpenBLAS 0.3.21 starts
///   one thread per core minus one at load, and each busy-waits ~0.1-0.2 s first, competing
///   with the workers for the cores at the start of every run. (Ending the pool instead, as
///   the other commands do, would leave the next setting at its default.)
/// - `OPENBLAS_THREAD_TIMEOUT=4`: a pool thread created later (for a core-group task) sleeps
///   after 2^4 cycles instead of busy-waiting 2^28 (~0.1 s) after each call; measured here,
///   100 ms of CPU after each 2-thread dgemm by default, none with 4.
/// Values the user set are kept. Embedders set them in their process's environment.
func configureOpenBLASThreads() {
    guard getenv("DAGRUN_OPENBLAS_CONFIGURED") == nil else { return }
    setenv("DAGRUN_OPENBLAS_CONFIGURED", "1", 1)
    var changed = false
    for (name, value) in [("OPENBLAS_NUM_THREADS", "1"), ("OPENBLAS_THREAD_TIMEOUT", "4")] where getenv(name) == nil {
        setenv(name, value, 1)
        changed = true
    }
    guard changed else { return }
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Still here: exec failed (no /proc?); run on with OpenBLAS as it loaded.
}

/// Leave with this exit code (messages were already printed).
struct ExitWith: Error {
    var code: Int32
    static let taskFailed = ExitWith(code: 1)
    static let invalid = ExitWith(code: 2)
}

func printError(_ s: String) {
    var line = s
    if !line.hasSuffix("\n") { line += "\n" }
    let bytes = Array(line.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + done, $0.count - done) }
        if n <= 0 { break }
        done += n
    }
}

/// Reads and validates a graph file, printing every issue and leaving with code 2 when invalid.
/// Wall and CPU seconds (of the calling thread) of the load and validate phases.
struct IngestTimes {
    var load = 0.0, validate = 0.0, loadCPU = 0.0, validateCPU = 0.0
}

func loadGraph(_ path: String, defaultExecutor: TaskRunPolicy.Executor = .thread) throws -> (graph: TaskGraph, times: IngestTimes) {
    let t0 = Clock.seconds(), c0 = Clock.threadCPUSeconds()
    do {
        let decoded = try GraphFile.decode(path: path)
        let t1 = Clock.seconds(), c1 = Clock.threadCPUSeconds()
        let graph = try GraphFile.validate(decoded, defaultExecutor: defaultExecutor)
        let times = IngestTimes(load: t1 - t0, validate: Clock.seconds() - t1,
                                loadCPU: c1 - c0, validateCPU: Clock.threadCPUSeconds() - c1)
        return (graph, times)
    } catch {
        for issue in error.issues { printError(issue.description) }
        let n = error.issues.count
        printError("\(path): \(n) error\(n == 1 ? "" : "s"); nothing was run")
        throw ExitWith.invalid
    }
}

func writeOutput(_ text: String, to path: String, what: String) throws {
    do {
        try AtomicFile.write(Array(text.utf8), to: path)
    } catch {
        printError("error: cannot write the \(what) to '\(path)': \(error)")
        throw ExitWith(code: 2)
    }
}

enum Clock {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU time of the calling thread: unlike wall time, not inflated when other
    /// processes share the cores.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// The directory part of a path ("." for a bare name).
func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check graph files: format, ops, arguments, references, cycles and shapes; print every error.")

    @Argument(help: "Graph files (JSON, format version 1).")
    var files: [String]

    @Option(help: "Validate as `dagrun run --cpu-executor` would run them: thread or process.")
    var cpuExecutor: TaskRunPolicy.Executor = .thread

    func run() throws {
        var bad = false
        for file in files {
            do {
                let (graph, _) = try loadGraph(file, defaultExecutor: cpuExecutor)
                let path = graph.criticalPath.map { graph.ids[Int($0)] }
                let shown = path.count > 8 ? path.prefix(4).joined(separator: " -> ") + " -> ... -> " + path.last! : path.joined(separator: " -> ")
                print("\(file): ok: \(graph.count) tasks, \(graph.edgeCount) edges; critical path \(formatSeconds(graph.criticalPathCost)) estimated (\(shown))")
            } catch is ExitWith {
                bad = true
            }
        }
        if bad { throw ExitWith.invalid }
    }
}

struct Dot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a graph as Graphviz DOT: the plan of a graph file, or the executed schedule of a saved trace.",
        discussion: "Output ending in .svg, .png or .pdf is drawn by Graphviz's dot. Large graphs are drawn by task family.")

    @Argument(help: "Graph file (the plan). Leave out with --schedule.")
    var file: String?

    @Option(help: "A trace written by `dagrun run --trace`: draw the executed schedule.")
    var schedule: String?

    @Option(name: [.short, .customLong("output")], help: "Write to this file instead of standard output.")
    var output: String?

    @Option(help: "Draw task families instead of tasks above this many tasks (default 500).")
    var collapse: Int = 500

    @Flag(help: "Draw every task, however many.")
    var noCollapse = false

    func validate() throws {
        if (file == nil) == (schedule == nil) {
            throw ValidationError("give either a graph file (the plan) or --schedule TRACE (the executed schedule)")
        }
        if collapse < 1 { throw ValidationError("--collapse must be at least 1, got \(collapse)") }
    }

    func run() throws {
        let options = GraphDOT.Options(collapseAbove: noCollapse ? nil : collapse)
        let dot: String
        if let schedule {
            dot = GraphDOT.schedule(try readTrace(schedule), options: options)
        } else {
            let (graph, _) = try loadGraph(file!)
            dot = GraphDOT.plan(graph, options: options)
        }
        if let output { try Drawing.write(dot: dot, to: output, what: "drawing") } else { print(dot, terminator: "") }
    }
}

/// Reads a saved trace, or exits 2 with the reason.
func readTrace(_ path: String) throws -> ExecutionTrace {
    do { return try SavedRun.read(path: path) } catch {
        printError("error: \(error)")
        throw ExitWith(code: 2)
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a run from its trace: why a task waited, where it ran and why, its share of the critical path.",
        discussion: "Without a task: the cores' busy shares and the longest waits.")

    @Argument(help: "A trace written by `dagrun run --trace`.")
    var trace: String

    @Argument(help: "A task id.")
    var task: String?

    @Option(help: "How many waits to list without a task.")
    var top: Int = 10

    func run() throws {
        let t = try readTrace(trace)
        guard let task else {
            print(DagrunKit.Explain.overview(t, limit: max(top, 1)), terminator: "")
            return
        }
        guard let i = t.graph.index(of: task) else {
            let hint = didYouMean(nearestNames(to: task, in: t.graph.ids)) ?? "`dagrun explain \(trace)` lists the longest waits"
            printError("error: no task '\(task)' in \(trace) (\(hint))")
            throw ExitWith(code: 2)
        }
        print(DagrunKit.Explain.text(DagrunKit.Explain.task(t, Int(i)), workers: t.workers.count), terminator: "")
    }
}

struct Ops: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the ops a graph file can name, with their arguments.")

    func run() {
        let catalogue = OpCatalogue.standard
        for name in catalogue.names {
            let s = catalogue[name]!
            print("\(name) [\(s.defaultClass.rawValue), \(s.inputs)]: \(s.summary)")
            for p in s.params {
                let req = p.required ? "required" : p.defaultValue.map { "default \($0)" } ?? "optional"
                print("    \(p.name): \(p.type), \(req) - \(p.doc)")
            }
        }
    }
}

struct Policies: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the scheduling policies `dagrun run --policy` takes.")

    func run() {
        for p in PolicyRegistry.all {
            print("\(p.name)\(p.name == PolicyRegistry.defaultName ? " (default)" : ""): \(p.summary)")
        }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of graph format version 1 (graphs/schema.json), derived from the op catalogue.")

    func run() { print(GraphSchema.json(), terminator: "") }
}

func formatSeconds(_ s: Double) -> String { formatDuration(seconds: s) }
