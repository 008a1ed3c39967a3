import ArgumentParser
import DagrunKit
import Logging

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a graph: CPU tasks on pinned workers (critical path first), IO tasks on the IO executor.")

    enum SummaryFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Graph file (JSON, format version 1).")
    var file: String

    @Option(help: "Number of CPU workers, one pinned thread per core (default: every core).")
    var workers: Int?

    @Option(help: ArgumentHelp("IO tasks in flight at once; the others wait for a slot, holding no thread (default: a quarter of the open-file limit, at least 64; \(RunOptions.defaultIOConcurrency) here).",
                               valueName: "n"))
    var ioConcurrency: Int?

    @Option(help: "Write the executed schedule as Graphviz DOT to this file (.svg, .png or .pdf: drawn by Graphviz's dot).")
    var dot: String?

    @Option(help: "Write a Gantt chart of the run (one lane per core) as a self-contained SVG file.")
    var gantt: String?

    @Option(help: "Draw task families instead of tasks in --dot above this many tasks (default 500).")
    var collapse: Int = 500

    @Flag(help: "Draw every task in --dot, however many.")
    var noCollapse = false

    @Option(help: "Write a Chrome trace-event JSON file (open it in Perfetto or chrome://tracing).")
    var trace: String?

    @Option(help: "Summary format: text or json.")
    var summary: SummaryFormat = .text

    @Option(help: "Directory that relative paths in the graph are resolved against (default: the graph file's directory).")
    var baseDir: String?

    @Flag(help: "Do not pin workers to cores.")
    var noPin = false

    @Option(help: "Scheduling policy (`dagrun policies` lists them).")
    var policy: String = PolicyRegistry.defaultName

    @Option(help: "Kernels for gemm, gemv, potrf and axpy: openblas, or reference (blocked plain Swift, to cross-check).")
    var kernels: KernelSet = .openblas

    @Option(help: "Where CPU tasks without an \"executor\" run: thread (a pinned worker thread) or process (a pinned worker process: isolation, timeout, max_memory).")
    var cpuExecutor: TaskRunPolicy.Executor = .thread

    @Flag(help: "Do not time each task (saves two clock reads per task; no per-task times in --dot, --trace or busy shares).")
    var noTiming = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors (no summary, no progress).")
    var quiet = false

    @Option(help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if let ioConcurrency, ioConcurrency < 1 {
            throw ValidationError("--io-concurrency must be at least 1, got \(ioConcurrency)")
        }
        do { _ = try PolicyRegistry.policy(named: policy) } catch { throw ValidationError("--policy: \(error)") }
        if noTiming && (dot != nil || trace != nil || gantt != nil) {
            throw ValidationError("--no-timing leaves nothing to draw: drop it, or drop --dot/--trace/--gantt")
        }
        if collapse < 1 { throw ValidationError("--collapse must be at least 1, got \(collapse)") }
        if Logger.Level(rawValue: logLevel) == nil {
            let names = Logger.Level.allCases.map(\.rawValue)
            throw ValidationError("--log-level: unknown level '\(logLevel)' (\(didYouMean(nearestNames(to: logLevel, in: names)) ?? names.joined(separator: ", ")))")
        }
    }

    func run() throws {
        let (graph, ingest) = try loadGraph(file, defaultExecutor: cpuExecutor)
        let topology: HardwareTopology
        do { topology = try HardwareTopology.host() } catch {
            printError("error: cannot read this machine's topology: \(error)")
            throw ExitWith(code: 2)
        }
        var options = RunOptions(workers: workers, baseDirectory: baseDir ?? directory(of: file))
        options.pin = !noPin
        options.keep = .none
        options.policy = try PolicyRegistry.policy(named: policy)
        options.timing = !noTiming
        options.cpuExecutor = cpuExecutor
        options.workerExecutable = "/proc/self/exe"   // worker processes run this very binary
        options.ioConcurrency = ioConcurrency
        let cores = topology.cores.count
        if let workers, workers > cores, !quiet {
            printError("note: \(workers) workers on \(cores) cores: workers share cores round-robin")
        }
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        options.logger = Logger(label: "dagrun.run")
        let display = quiet ? nil : ProgressDisplay()
        if let display {
            options.progress = { display.report($0) }
            options.progressInterval = display.interval
        }
        let report: RunReport
        let t0 = Clock.seconds()
        do {
            report = try Scheduler(topology: topology, library: .with(kernels: kernels)).run(graph, options: options)
        } catch {
            printError("error: \(error)")
            throw ExitWith(code: 2)
        }
        let runSeconds = Clock.seconds() - t0
        display?.finish()

        if let dot {
            let drawing = GraphDOT.schedule(report.trace, options: .init(collapseAbove: noCollapse ? nil : collapse))
            try Drawing.write(dot: drawing, to: dot, what: "schedule drawing")
        }
        if let gantt { try writeOutput(GanttSVG.svg(report.trace), to: gantt, what: "Gantt chart") }
        if let trace { try writeOutput(ChromeTrace.json(report.trace), to: trace, what: "trace") }

        for w in report.warnings { printError("warning: \(w)") }
        for f in report.failures { printError("error: \(f)") }
        // Counted from the status column first: building every record to find none took 25 ms at 1M tasks.
        let cancelled = report.count(.cancelled) == 0 ? []
            : report.trace.records.filter { $0.status == .cancelled }.map { graph.ids[Int($0.task)] }
        if !cancelled.isEmpty {
            let shown = cancelled.prefix(10).joined(separator: ", ") + (cancelled.count > 10 ? ", ..." : "")
            printError("\(cancelled.count) dependent task\(cancelled.count == 1 ? " was" : "s were") cancelled: \(shown)")
        }
        if !quiet {
            let phases = Summary.Phases(load: ingest.load, validate: ingest.validate, run: runSeconds,
                                        loadCPU: ingest.loadCPU, validateCPU: ingest.validateCPU)
            let s = Summary(file: file, report: report, phases: phases)
            print(summary == .json ? s.json() : s.text(), terminator: "")
        }
        if !report.succeeded { throw ExitWith.taskFailed }
    }
}

extension TaskRunPolicy.Executor: ExpressibleByArgument {}

/// `dagrun __worker`: a worker process, started by `dagrun run` itself (never by hand).
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__worker", abstract: "Internal: a worker process of dagrun run (started by dagrun itself).",
        shouldDisplay: false)

    @Option(help: "The socket descriptor to dagrun.")
    var socket: Int32

    @Option(help: "hwloc logical index of the core to bind to.")
    var core: Int

    @Option(help: "The pid of the dagrun process that started this worker.")
    var parent: Int32

    @Flag(help: "Do not bind to the core.")
    var noPin = false

    func run() throws {
        WorkerProcess.main(socket: socket, core: core, pin: !noPin, parent: parent)
    }
}

/// The run summary, as text for people or JSON for scripts.
struct Summary {
    struct Phases { var load, validate, run, loadCPU, validateCPU: Double }
    let file: String
    let report: RunReport
    let phases: Phases

    var trace: ExecutionTrace { report.trace }
    var graph: TaskGraph { trace.graph }
    var makespan: Double { Double(trace.makespanNanos) * 1e-9 }

    func busyShares() -> [Double] {
        trace.busyNanosPerWorker.map { makespan > 0 ? Double($0) * 1e-9 / makespan : 0 }
    }

    func realisedCriticalSeconds() -> Double {
        let path = trace.realisedCriticalPath
        guard let first = path.first, let last = path.last else { return 0 }
        return Double(trace.records[Int(last)].endNanos - trace.records[Int(first)].startNanos) * 1e-9
    }

    func ids(_ path: [Int32]) -> [String] { path.map { graph.ids[Int($0)] } }

    func text() -> String {
        let done = report.count(.done), failed = report.count(.failed), cancelled = report.count(.cancelled)
        var s = "\(file): ran \(done + failed) of \(graph.count) tasks (\(done) done, \(failed) failed, \(cancelled) cancelled)"
        s += " on \(trace.workers.count) worker\(trace.workers.count == 1 ? "" : "s") in \(formatSeconds(makespan))\n"
        let est = ids(graph.criticalPath)
        s += "critical path: \(formatSeconds(graph.criticalPathCost)) estimated over \(est.count) tasks"
        if trace.timed {
            s += "; \(formatSeconds(realisedCriticalSeconds())) as run (\(abbreviated(ids(trace.realisedCriticalPath))))\n"
            let shares = busyShares()
            s += "cores busy: " + trace.workers.map { w in
                let pin = w.pinned ? "" : " unpinned"
                return "core \(w.coreLogicalIndex) (cpu \(w.osCPU)\(pin)) \(Int((shares[w.index] * 100).rounded()))%"
            }.joined(separator: ", ") + "\n"
        } else {
            s += "; not timed as run (--no-timing)\n"
            s += "cores: " + trace.workers.map { w in
                "core \(w.coreLogicalIndex) (cpu \(w.osCPU)\(w.pinned ? "" : " unpinned")) \(formatSeconds(w.cpuSeconds)) CPU"
            }.joined(separator: ", ") + " (busy shares need per-task timing)\n"
        }
        s += "phases: load \(formatSeconds(phases.load)), validate \(formatSeconds(phases.validate)), run \(formatSeconds(phases.run))"
        s += " (load and validate used \(formatSeconds(phases.loadCPU + phases.validateCPU)) of CPU)\n"
        return s
    }

    func abbreviated(_ path: [String]) -> String {
        path.count > 6 ? path.prefix(3).joined(separator: " -> ") + " -> ... -> " + path.suffix(2).joined(separator: " -> ")
            : path.joined(separator: " -> ")
    }

    func json() -> String {
        let q = jsonString
        func list(_ xs: [String]) -> String { "[" + xs.map(q).joined(separator: ", ") + "]" }
        /// At most 100 ids (the first 50 and the last 50): a chain's critical path is every task.
        func capped(_ xs: [String]) -> String {
            xs.count <= 100 ? list(xs) : list(Array(xs.prefix(50)) + ["..."] + Array(xs.suffix(50)))
        }
        let shares = busyShares()
        let workers = trace.workers.map { w in
            "{\"worker\": \(w.index), \"core\": \(w.coreLogicalIndex), \"cpu\": \(w.osCPU), \"pinned\": \(w.pinned), \"busy_share\": \(trace.timed ? "\(shares[w.index])" : "null"), \"cpu_s\": \(w.cpuSeconds)}"
        }
        let failures = report.failures.map { f in
            "{\"task\": \(q(f.taskID)), \"op\": \(q(f.op)), \"inputs\": \(list(f.inputs.map(\.id))), \"cause\": \(q(f.cause))}"
        }
        return """
        {
          "file": \(q(file)),
          "tasks": \(graph.count),
          "done": \(report.count(.done)),
          "failed": \(report.count(.failed)),
          "cancelled": \(report.count(.cancelled)),
          "makespan_s": \(makespan),
          "critical_path": {"estimated_s": \(graph.criticalPathCost), "estimated_length": \(graph.criticalPath.count), "estimated_tasks": \(capped(ids(graph.criticalPath))), "realised_s": \(trace.timed ? "\(realisedCriticalSeconds())" : "null"), "realised_tasks": \(trace.timed ? capped(ids(trace.realisedCriticalPath)) : "[]")},
          "phases_s": {"load": \(phases.load), "validate": \(phases.validate), "run": \(phases.run)},
          "phases_cpu_s": {"load": \(phases.loadCPU), "validate": \(phases.validateCPU)},
          "graph_bytes": \(graph.memoryBytes),
          "graph_bytes_per_task": \(graph.count == 0 ? 0 : graph.memoryBytes / graph.count),
          "workers": [\(workers.joined(separator: ", "))],
          "failures": [\(failures.joined(separator: ", "))],
          "warnings": \(list(report.warnings))
        }

        """
    }
}

extension KernelSet: ExpressibleByArgument {}
