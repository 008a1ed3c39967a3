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
        subcommands: [Run.self, Validate.self, Dot.self, Gen.self, Topology.self, Ops.self, Policies.self, Schema.self,
                      Worker.self])

    /// Parses and runs a subcommand, mapping argument errors to exit code 2.
    static func main() {
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
        abstract: "Print a graph as Graphviz DOT (the plan: ops, classes, static critical path in bold red).")

    @Argument(help: "Graph file.")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let (graph, _) = try loadGraph(file)
        let dot = GraphDOT.plan(graph)
        if let output { try writeOutput(dot, to: output, what: "DOT") } else { print(dot, terminator: "") }
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
