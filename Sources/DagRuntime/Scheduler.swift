internal import CDagSystem
import DagCore
import DagKernels
import DagTopology
import Glibc
import Logging
import Synchronization

/// How to run a graph.
public struct RunOptions: Sendable {
    /// CPU workers, one pinned thread per core; nil means one per core of the machine.
    /// More workers than cores are allowed (they share cores round-robin, for testing).
    public var workers: Int?
    /// Pin each worker to its core with hwloc (on by default).
    public var pin: Bool = true
    /// Relative paths in ops are resolved against this directory ("" = the process's working directory).
    public var baseDirectory: String = ""
    /// Threads that run blocking IO ops (file reads and writes, external commands). They hold no core.
    public var ioThreads: Int = 8
    /// IO tasks in flight at once (running an attempt or waiting to retry); the others wait
    /// for a slot, holding no thread. nil: ``RunOptions/defaultIOConcurrency``.
    public var ioConcurrency: Int?
    /// Which results stay in ``RunReport/results`` after the run.
    public var keep: KeepResults = .sinks
    /// The scheduling policy (see ``PolicyRegistry``).
    public var policy: any SchedulingPolicy = CriticalPathPolicy()
    /// Record each task's start and end time (two clock reads per task) for traces,
    /// drawings and busy shares; off, a run records only what happened to each task.
    public var timing = true
    /// Where CPU tasks that do not name an `executor` run (`dagrun run --cpu-executor`).
    /// Validate the graph with the same default (`GraphFile.validate(_:defaultExecutor:)`,
    /// `GraphBuilder.build(defaultExecutor:)`), so timeouts and memory limits are checked
    /// against where the tasks will really run.
    public var cpuExecutor: TaskRunPolicy.Executor = .thread
    /// The dagrun binary that worker processes run (as `dagrun __worker ...`). nil: this
    /// process's own executable (`/proc/self/exe`) when it is `dagrun`; an embedding
    /// program that runs process tasks must set it to the path of the dagrun executable.
    public var workerExecutable: String?

    /// Called every ``progressInterval`` seconds from the thread that started the run
    /// (never from a worker) while the run goes on; nil: no reports.
    public var progress: (@Sendable (RunProgress) -> Void)?
    public var progressInterval: Double = 0.25
    /// Where the run logs (swift-log): the run's start and end at info, each worker's pinning
    /// and each failed task at debug, IO hand-overs at trace. Nothing per CPU task. Silent
    /// unless set: a library should not print on its embedder's standard output (swift-log's
    /// default handler would, at info); pass your own `Logger` to see the run's messages.
    public var logger = Logger(label: "dagrun.run", factory: { _ in SwiftLogNoOpLogHandler() })

    public enum KeepResults: Sendable { case none, sinks, all }

    /// The default bound on IO tasks in flight: a quarter of the soft open-file limit
    /// (`RLIMIT_NOFILE`), at least 64. An IO task in flight holds at most three descriptors
    /// (an external command's two capture files and its spawn, a socket, a temporary file),
    /// so the default leaves a quarter of the descriptors to the rest of the process and
    /// never fails with EMFILE; waits hold none, so a higher `--io-concurrency` is fine for
    /// graphs of sleeps and downloads. (1024 soft, Debian's usual, gives 256; 20,000 gives 5,000.)
    public static var defaultIOConcurrency: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
        let soft = UInt64(limit.rlim_cur)   // RLIM_INFINITY is UInt64.max: capped below
        return max(64, Int(min(soft, 1 << 24) / 4))
    }

    public init(workers: Int? = nil, baseDirectory: String = "") {
        self.workers = workers
        self.baseDirectory = baseDirectory
    }
}

/// Where a run is, for progress bars: tasks finished (done, failed, cancelled) of all,
/// and those running now.
public struct RunProgress: Sendable, Equatable {
    public var total: Int
    /// Done, failed or cancelled (workers publish their counts every 256 tasks or when idle).
    public var finished: Int
    public var failed: Int
    public var cancelled: Int
    /// Tasks started and not finished: CPU tasks (known when tasks are timed and the graph
    /// has at most ``RunProgress/runningScanLimit`` tasks, else nil) plus IO tasks in flight.
    public var running: Int?
    public var elapsedSeconds: Double
    public var done: Int { finished - failed - cancelled }

    /// Above this many tasks the running count is not computed (it scans the task times).
    public static let runningScanLimit = 200_000

    public init(total: Int, finished: Int, failed: Int, cancelled: Int, running: Int?, elapsedSeconds: Double) {
        self.total = total
        self.finished = finished
        self.failed = failed
        self.cancelled = cancelled
        self.running = running
        self.elapsedSeconds = elapsedSeconds
    }
}

/// A task that failed: which task, its op, its inputs (ids and what they held) and the cause.
public struct TaskFailure: Error, Sendable, CustomStringConvertible {
    public var taskID: String
    public var op: String
    public var inputs: [(id: String, value: String)]
    public var cause: String
    public var location: SourceLocation?

    public var description: String {
        let ins = inputs.isEmpty ? "no inputs" : "inputs " + inputs.map { "'\($0.id)' (\($0.value))" }.joined(separator: ", ")
        let at = location.map { " [declared at \($0)]" } ?? ""
        return "task '\(taskID)' (op \(op), \(ins)) failed: \(cause)\(at)"
    }
}

/// Setting up a run failed before any task ran (bad worker count, no topology).
public struct RunSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The outcome of a run.
public struct RunReport: Sendable {
    public var trace: ExecutionTrace
    public var failures: [TaskFailure]
    /// Results kept according to ``RunOptions/keep``, by task id.
    public var results: [String: TaskValue]
    /// Warnings about the run itself (a worker that could not be pinned, say).
    public var warnings: [String]

    public var succeeded: Bool { failures.isEmpty }
    public func count(_ status: ExecutionRecord.Status) -> Int { trace.records.count(of: status) }
}

/// Runs a ``TaskGraph`` on worker threads pinned one per core.
///
/// ## Design
/// - **Work stealing.** Each worker owns a ``WorkStealingDeque``. When a task finishes,
///   the join counters of its consumers are decremented atomically; those that reach zero
///   are ready. The policy orders them: the first runs next on the same worker directly
///   (no queue traffic, its inputs still in cache), the rest go on the worker's deque or,
///   if the policy says so, to another worker's inbox. An idle worker steals from the
///   others in ``VictimOrder`` (those sharing its L2, then L3, NUMA node, package).
/// - **Parking.** A worker that finds no work spins briefly, then sleeps on a ``Parker``;
///   making work available wakes one sleeper. No core burns while the graph waits on IO.
/// - **IO tasks** go to the ``IOExecutor`` the moment they are ready; its completions hand
///   the CPU tasks they make ready to workers' inboxes.
/// - **Failures** poison the consumers instead of decrementing them into running: a
///   poisoned task that becomes ready is cancelled and poisons its own consumers, through
///   the same join counters, so cancellation needs no lock and no graph walk.
/// - **Memory.** A result is freed when its last consumer finishes (a second atomic
///   counter per task).
///
/// The per-task path takes no lock, allocates nothing for ops that ignore their inputs
/// and looks nothing up by string: tasks are dense `Int32` indices into arrays built at
/// load time.
///
/// OpenBLAS: ``BLAS/useSingleThread()`` is called before workers start, so each BLAS
/// call runs on the calling worker's core only (no oversubscription).
public final class Scheduler: Sendable {
    public let library: OpLibrary
    public let topology: HardwareTopology

    public init(topology: HardwareTopology, library: OpLibrary = .standard) {
        self.topology = topology
        self.library = library
    }

    /// Runs the graph to completion and reports what happened.
    public func run(_ graph: TaskGraph, options: RunOptions = RunOptions()) throws(RunSetupError) -> RunReport {
        if topology.isSynthetic && options.pin {
            throw RunSetupError(description: "cannot run on a synthetic topology: plan on it, run on the host topology")
        }
        let cores = topology.cores
        let n = options.workers ?? cores.count
        guard n >= 1 else { throw RunSetupError(description: "--workers must be at least 1, got \(n)") }
        if let c = options.ioConcurrency, c < 1 {
            throw RunSetupError(description: "--io-concurrency must be at least 1, got \(c)")
        }
        // Where each CPU task runs (IO tasks' timeouts and retries: the IO executor).
        var inProcess = [Bool](repeating: false, count: options.cpuExecutor == .process || graph.hasRunPolicies ? graph.count : 0)
        if !inProcess.isEmpty {
            for i in 0..<graph.count {
                let p = graph.runPolicy(of: i)
                if graph.classes[i] == .io {
                    // Validation rejects these; a table validated elsewhere still must not lose them silently.
                    if p.executor != nil || p.maxMemory != nil || p.cores != 1 {
                        throw RunSetupError(description: "task '\(graph.ids[i])' is an io task: executor, max_memory and cores "
                            + "apply to cpu tasks")
                    }
                    continue
                }
                inProcess[i] = (p.executor ?? options.cpuExecutor) == .process && p.cores == 1   // groups run on threads
                guard inProcess[i] else { continue }
                if graph.table.body(of: i) is ClosureBody {
                    throw RunSetupError(description: "task '\(graph.ids[i])' is a Swift closure, which cannot run in a worker "
                        + "process (only ops of the standard library can); give it \"executor\": \"thread\"")
                }
                guard case .sync? = OpLibrary.standard[graph.op(of: i)] else {
                    throw RunSetupError(description: "task '\(graph.ids[i])': op '\(graph.op(of: i))' is not a synchronous op of "
                        + "the standard library, so it cannot run in a worker process")
                }
            }
        }
        var executable: String? = nil
        if inProcess.contains(true) {
            executable = options.workerExecutable ?? Self.selfIfDagrun()
            guard executable != nil else {
                throw RunSetupError(description: "process tasks need the dagrun executable to start worker processes: "
                    + "set RunOptions.workerExecutable to its path")
            }
        }
        var bodies: [OpBody] = []
        bodies.reserveCapacity(graph.signatures.count)
        // One body per signature slot, so tasks find theirs by index; closures are per task.
        var closures: [Int32: OpBody] = [:]
        var unimplemented = Set<Int32>()   // signature slots this library has no body for
        for (k, sig) in graph.signatures.enumerated() {
            if let body = library[sig.name] {
                bodies.append(body)
            } else {
                bodies.append(.sync { _ in throw OpError("op '\(sig.name)' has no implementation") })
                unimplemented.insert(Int32(k))
            }
        }
        // Per task only what differs per task: closures, and tasks of an unimplemented op.
        // (A library lookup by op name per task took 60-80 ms of a 1M-task run here.)
        for i in 0..<graph.count {
            if let closure = graph.table.body(of: i) as? ClosureBody {
                closures[Int32(i)] = closure.body
            } else if !unimplemented.isEmpty && unimplemented.contains(graph.opIndex[i]) {
                throw RunSetupError(description: "task '\(graph.ids[i])': op '\(graph.op(of: i))' has no implementation in this runtime")
            }
        }
        BLAS.useSingleThread()
        let assigned = (0..<n).map { cores[$0 % cores.count] }
        let run = Run(graph: graph, bodies: bodies, closures: closures, options: options, cores: assigned,
                      inProcess: inProcess, workerExecutable: executable)
        options.logger.info("run started", metadata: [
            "graph": "\(graph.name ?? "graph")", "tasks": "\(graph.count)", "workers": "\(n)",
            "policy": "\(options.policy.name)", "pin": "\(options.pin)", "cpu_executor": "\(options.cpuExecutor.rawValue)"])
        let report = run.execute(topology: topology)
        options.logger.info("run finished", metadata: [
            "makespan_s": "\(Double(report.trace.makespanNanos) * 1e-9)", "done": "\(report.count(.done))",
            "failed": "\(report.count(.failed))", "cancelled": "\(report.count(.cancelled))"])
        return report
    }

    /// `/proc/self/exe` when this process's executable is named `dagrun`.
    static func selfIfDagrun() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/").last == "dagrun" ? "/proc/self/exe" : nil
    }
}

/// The state of one run: fixed-size arrays indexed by task, touched by workers without
/// locks (see ``Scheduler`` for the protocol).
final class Run: @unchecked Sendable {
    let graph: TaskGraph
    let bodies: [OpBody]
    let closures: [Int32: OpBody]
    let options: RunOptions
    let cores: [Core]
    let workerCount: Int
    let n: Int

    // Graph arrays, as raw pointers for the hot path (kept alive by `graph`).
    let consumerIndices: UnsafePointer<Int32>
    let inputOffsets: UnsafePointer<Int32>
    let inputIndices: UnsafePointer<Int32>
    /// What the hot path reads of each task, packed: see ``JoinRecords``.
    let join: JoinRecords
    /// Set by the producer when it stored a result that consumers must release.
    let stored: UnsafeMutablePointer<Bool>
    /// Set once any task stored a result. While no task has (graphs of `noop`s and of ops
    /// that return nothing), consumers skip the release loop, which on a 1M-task random DAG
    /// cost a third of the worker's time in cache misses. Ordering: a producer sets it before
    /// the releasing decrement that makes its consumer ready, so the consumer sees it.
    let anyStored = Atomic<Bool>(false)
    /// The default policy is inlined on the hot path; others are called through the protocol.
    let criticalPathPolicy: Bool

    /// Consumers not yet finished, per task; the result is freed at zero.
    let unfinishedConsumers: UnsafeMutablePointer<Atomic<Int32>>
    let values: UnsafeMutablePointer<TaskValue?>
    // Per-task records, each written by the thread that finishes the task.
    let status: UnsafeMutablePointer<UInt8>      // 0 not finished, 1 done, 2 failed, 3 cancelled
    let worker: UnsafeMutablePointer<Int32>
    let cpu: UnsafeMutablePointer<Int32>
    let startTime: UnsafeMutablePointer<UInt64>
    let endTime: UnsafeMutablePointer<UInt64>
    let resultBytes: UnsafeMutablePointer<Int>
    /// The attempt each IO task ended on (1-based); CPU tasks count theirs in `attempts`.
    let ioAttempts: UnsafeMutablePointer<UInt8>
    /// Owner of the per-task columns above (status ... ioAttempts), handed to the trace.
    let columns: ExecutionColumns

    let deques: UnretainedList<WorkStealingDeque>
    /// Tasks handed over by IO threads; any idle worker may take them.
    let inboxes: UnretainedList<Inbox>
    /// Tasks a policy placed on a worker (affinity); only that worker takes them.
    let placed: UnretainedList<Inbox>
    let victims: [[Int32]]
    /// The most consumers any task has: the size of each worker's ready buffer.
    let maxOutDegree: Int
    let parker = Parker()
    /// Core groups: cores per task (nil when every task uses its worker's core only).
    let groupCores: [Int32]?
    /// One group task at a time; while it runs, every other worker waits in `pauseHere`.
    let gangLock = ConditionLock()
    let gangResume: ConditionLock.Condition
    let pauseRequested = Atomic<Bool>(false)
    let pausedWorkers = Atomic<Int>(0)
    /// Each worker thread's kernel id (written before the start gate opens), so a group's
    /// leader can see that the others really sleep.
    let workerTids: UnsafeMutablePointer<Int32>
    /// Threads OpenBLAS started for group calls (only the group leader touches it, under the gang).
    nonisolated(unsafe) var blasPool: Set<Int32> = []
    let finished = Atomic<Int>(0)
    /// Failed and cancelled tasks (rare paths), and IO tasks in flight, for progress reports.
    let failedCount = Atomic<Int>(0)
    let cancelledCount = Atomic<Int>(0)
    let ioInFlight = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let io: IOExecutor
    /// Bounds the IO tasks in flight (``RunOptions/ioConcurrency``).
    let ioGate: IOGate
    let view: PolicyView
    /// When the workers were released (all started and pinned): time zero of the run's
    /// records and of its makespan. Written before the release, read after it.
    var start: UInt64 = 0
    /// The start gate: workers wait here until every one of them is up and pinned.
    let gateLock = ConditionLock()
    let gateSignal: ConditionLock.Condition
    var workersUp = 0
    var gateOpen = false

    /// Failures and their messages (rare: a lock is fine).
    let failureLock = ConditionLock()
    var failures: [TaskFailure] = []
    var messages: [Int32: String] = [:]
    let doneLock = ConditionLock()
    let doneSignal: ConditionLock.Condition
    var done = false

    // Process workers and retries (nil/empty when the run has neither).
    /// Per task: ``processTask`` (runs in a worker process), ``sharedResult`` (its matrices
    /// go to shared memory: a process task reads them), ``retried`` (declares retries).
    let taskFlags: UnsafeMutablePointer<UInt8>?
    static let processTask: UInt8 = 1, sharedResult: UInt8 = 2, retried: UInt8 = 4
    /// Attempts made so far per task (0 while the first runs); nil without retries.
    let attempts: UnsafeMutablePointer<Int32>?
    /// Each pinned worker thread's own worker process, touched only by that thread.
    let processWorkers: UnsafeMutablePointer<ProcessWorker?>
    let workerExecutable: String?
    let sharedMatrices = SharedMatrixProvider()
    /// Failed attempts that were retried, and warnings from worker processes (under failureLock).
    var retriedAttempts: [ExecutionRecord] = []
    var runWarnings: [String] = []

    init(graph: TaskGraph, bodies: [OpBody], closures: [Int32: OpBody], options: RunOptions, cores: [Core],
         inProcess: [Bool] = [], workerExecutable: String? = nil) {
        self.graph = graph
        self.bodies = bodies
        self.closures = closures
        self.options = options
        self.cores = cores
        workerCount = cores.count
        n = graph.count
        func copy<T>(_ a: [T]) -> UnsafePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
            _ = UnsafeMutableBufferPointer(start: p, count: a.count).initialize(from: a)
            return UnsafePointer(p)
        }
        consumerIndices = copy(graph.consumerIndices)
        inputOffsets = copy(graph.inputOffsets)
        inputIndices = copy(graph.inputIndices)
        join = JoinRecords(graph: graph)
        criticalPathPolicy = options.policy is CriticalPathPolicy
        gangResume = gangLock.makeCondition()
        if graph.hasRunPolicies && (0..<graph.count).contains(where: { graph.runPolicy(of: $0).cores != 1 }) {
            groupCores = (0..<graph.count).map { i in
                let c = graph.runPolicy(of: i).cores
                return Int32(c == TaskRunPolicy.allCores ? cores.count : min(c, cores.count))
            }
        } else {
            groupCores = nil
        }
        stored = .allocate(capacity: max(n, 1))
        stored.initialize(repeating: false, count: max(n, 1))
        unfinishedConsumers = .allocate(capacity: max(n, 1))
        values = .allocate(capacity: max(n, 1))
        // The columns the trace keeps after the run (initialised there).
        columns = ExecutionColumns(count: n)
        status = columns.status
        worker = columns.worker
        cpu = columns.cpu
        startTime = columns.startNanos
        endTime = columns.endNanos
        resultBytes = columns.resultBytes
        ioAttempts = columns.ioAttempts
        for i in 0..<n {
            (unfinishedConsumers + i).initialize(to: Atomic(graph.consumerOffsets[i + 1] - graph.consumerOffsets[i]))
            (values + i).initialize(to: nil)
        }
        deques = UnretainedList((0..<cores.count).map { _ in WorkStealingDeque(capacity: 1024) })
        inboxes = UnretainedList((0..<cores.count).map { _ in Inbox() })
        placed = UnretainedList((0..<cores.count).map { _ in Inbox() })
        victims = VictimOrder.make(cores: cores)
        var widest = 1
        for i in 0..<n { widest = max(widest, Int(graph.consumerOffsets[i + 1] - graph.consumerOffsets[i])) }
        maxOutDegree = widest
        io = IOExecutor(threads: max(1, options.ioThreads))
        ioGate = IOGate(limit: options.ioConcurrency ?? RunOptions.defaultIOConcurrency)
        view = PolicyView(graph: graph, producer: worker, resultBytes: resultBytes)
        doneSignal = doneLock.makeCondition()
        gateSignal = gateLock.makeCondition()
        self.workerExecutable = workerExecutable
        processWorkers = .allocate(capacity: cores.count)
        workerTids = .allocate(capacity: cores.count)
        workerTids.initialize(repeating: 0, count: cores.count)
        processWorkers.initialize(repeating: nil, count: cores.count)
        var flags: [UInt8] = []
        var special = false, anyRetries = false
        if inProcess.count == n && (inProcess.contains(true) || graph.hasRunPolicies) {
            flags = [UInt8](repeating: 0, count: n)
            for i in 0..<n {
                if inProcess[i] {
                    flags[i] |= Run.processTask
                    for k in Int(graph.inputOffsets[i])..<Int(graph.inputOffsets[i + 1]) {
                        let j = Int(graph.inputIndices[k])
                        if !inProcess[j] { flags[j] |= Run.sharedResult }
                    }
                }
                if graph.classes[i] == .cpu && graph.runPolicy(of: i).retries > 0 {
                    flags[i] |= Run.retried
                    anyRetries = true
                }
            }
            special = flags.contains { $0 != 0 }
        }
        if special {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(n, 1))
            p.initialize(from: flags, count: n)
            taskFlags = p
        } else {
            taskFlags = nil
        }
        if anyRetries {
            attempts = .allocate(capacity: max(n, 1))
            attempts!.initialize(repeating: 0, count: n)
        } else {
            attempts = nil
        }
    }

    deinit {
        for p in [consumerIndices, inputOffsets, inputIndices] { p.deallocate() }
        join.deallocate()
        stored.deallocate()
        unfinishedConsumers.deinitialize(count: n)
        unfinishedConsumers.deallocate()
        values.deinitialize(count: n)
        values.deallocate()
        // status ... ioAttempts belong to `columns`, which the trace may outlive the run with.
        taskFlags?.deallocate()
        attempts?.deallocate()
        processWorkers.deinitialize(count: workerCount)
        processWorkers.deallocate()
        workerTids.deallocate()
    }

    @inline(__always) func now() -> UInt64 { monotonicNanos() &- start }

    func execute(topology: HardwareTopology) -> RunReport {
        // Roots: CPU roots dealt to workers' inboxes in priority order, IO roots dispatched.
        var roots: [Int32] = []
        for i in 0..<n where join.pendingCount(i) == 0 { roots.append(Int32(i)) }
        roots = join.sortedByPriority(roots)
        var cpuRoots: [Int32] = []
        var ioRoots: [Int32] = []
        for t in roots {
            if join.isIO(Int(t)) { ioRoots.append(t) } else { cpuRoots.append(t) }
        }
        // Deal round-robin onto the deques (safe before the owners start: thread creation
        // orders it). Owners pop newest first and thieves take oldest: put the most urgent last.
        var dealt = [[Int32]](repeating: [], count: workerCount)
        for (k, t) in cpuRoots.enumerated() { dealt[k % workerCount].append(t) }
        for w in 0..<workerCount { for t in dealt[w].reversed() { deques.push(w, t) } }
        if n == 0 { signalDone() }

        let pinned = PinResults(count: workerCount)
        var threads: [pthread_t] = []
        for w in 0..<workerCount {
            let core = cores[w]
            threads.append(startThread(name: "dagrun-w\(w)") { [self] in
                if options.pin {
                    do {
                        try topology.bindCurrentThread(to: core)
                        pinned.set(w, nil)
                    } catch {
                        pinned.set(w, "worker \(w) could not be pinned to core \(core.logicalIndex): \(error)")
                    }
                }
                // Start this worker's process before the gate when the run has process tasks:
                // like thread creation and binding, a one-off cost of the pool (~30 ms), kept
                // out of the makespan. If it fails, the first process task here tries again
                // and reports why.
                if let executable = workerExecutable {
                    processWorkers[w] = try? ProcessWorker.start(executable: executable, core: core.logicalIndex, pin: options.pin)
                    if let problem = processWorkers[w]?.bindError { failureLock.withLock { runWarnings.append(problem) } }
                }
                workerTids[w] = Int32(dagrun_gettid())
                gateLock.withLock {
                    workersUp += 1
                    gateSignal.broadcast()
                    while !gateOpen { gateSignal.wait() }
                }
                workerLoop(Int32(w))
                // The worker process dies with this thread anyway (PR_SET_PDEATHSIG); stop it
                // cleanly first: it exits at end of stream, and is reaped here.
                processWorkers[w]?.terminate(kill: false)
                processWorkers[w] = nil
                pinned.setCPU(w, threadCPUSeconds())
            })
        }
        // Open the gate once every worker is up and pinned: the run's clock starts here, so
        // thread creation and binding (a one-off cost of a worker pool) are not in the makespan.
        gateLock.withLock {
            while workersUp < workerCount { gateSignal.wait() }
            start = monotonicNanos()
            gateOpen = true
            gateSignal.broadcast()
        }
        for t in ioRoots { dispatchIO(t) }
        if let progress = options.progress {
            let interval = UInt64(max(options.progressInterval, 0.01) * 1e9)
            while !doneLock.withLock({ () -> Bool in
                if !done { doneSignal.wait(nanos: interval) }
                return done
            }) {
                progress(snapshot())
            }
        } else {
            doneLock.withLock { while !done { doneSignal.wait() } }
        }
        stop.store(true, ordering: .sequentiallyConsistent)
        parker.wakeAll()
        for t in threads { pthread_join(t, nil) }
        io.shutdown()
        let makespan = now()

        var warnings: [String] = []
        var workerInfo: [ExecutionTrace.Worker] = []
        for w in 0..<workerCount {
            let problem = pinned.get(w)
            workerInfo.append(.init(index: w, coreLogicalIndex: cores[w].logicalIndex, osCPU: cores[w].osIndex,
                                    pinned: options.pin && problem == nil, cpuSeconds: pinned.cpu(w),
                                    packageIndex: cores[w].packageIndex, numaIndex: cores[w].numaIndex))
            if let problem { warnings.append(problem) }
            options.logger.debug("worker \(w) on core \(cores[w].logicalIndex) (cpu \(cores[w].osIndex))",
                                 metadata: ["pinned": "\(options.pin && problem == nil)", "cpu_s": "\(pinned.cpu(w))"])
        }
        warnings += runWarnings
        var results: [String: TaskValue] = [:]
        if options.keep != .none {
            for i in 0..<n {
                if let v = values[i], options.keep == .all || join.consumerCount(i) == 0 { results[graph.ids[i]] = v }
            }
        }
        // The records are read from the run's columns when asked for, not built here.
        let facts = ExecutionRecords.RunFacts(
            classes: graph.classes, cpuRetries: attempts.map { Array(UnsafeBufferPointer(start: $0, count: n)) },
            inProcess: taskFlags.map { flags in (0..<n).map { flags[$0] & Run.processTask != 0 } }, messages: messages)
        let trace = ExecutionTrace(graph: graph, workers: workerInfo, records: ExecutionRecords(columns: columns, facts: facts),
                                   makespanNanos: makespan, timed: options.timing, retriedAttempts: retriedAttempts)
        let ordered = failures.sorted { (graph.index(of: $0.taskID) ?? 0) < (graph.index(of: $1.taskID) ?? 0) }
        return RunReport(trace: trace, failures: ordered, results: results, warnings: warnings)
    }

    // MARK: Workers

    func workerLoop(_ w: Int32) {
        let me = Int(w)
        let maxReady = maxOutDegree
        let ready = UnsafeMutableBufferPointer<Int32>.allocate(capacity: maxReady)
        let targets = UnsafeMutableBufferPointer<Int32>.allocate(capacity: maxReady)
        defer { ready.deallocate(); targets.deallocate() }
        var local = 0   // tasks finished here, not yet added to `finished`
        while true {
            var next = placed.take(me) ?? deques.pop(me) ?? inboxes.take(me) ?? steal(me)
            if next == nil {
                flush(&local)
                next = idle(me)
                if next == nil { return }
            }
            while let t = next {
                if groupCores != nil && pauseRequested.load(ordering: .acquiring) { pauseHere() }
                next = runTask(t, worker: w, ready: ready, targets: targets, finishedHere: &local)
                if local >= 256 { flush(&local) }
            }
        }
    }

    /// Steals in victim order, then looks at other workers' inboxes.
    @inline(__always)
    func steal(_ me: Int) -> Int32? {
        for v in victims[me] {
            if let t = deques.steal(Int(v)) { return t }
        }
        for v in victims[me] {
            if let t = inboxes.take(Int(v)) { return t }
        }
        return nil
    }

    /// Spins briefly, then parks until work appears; nil when the run is over.
    func idle(_ me: Int) -> Int32? {
        while true {
            for _ in 0..<64 {
                if stop.load(ordering: .relaxed) { return nil }
                if groupCores != nil && pauseRequested.load(ordering: .acquiring) { pauseHere() }
                if let t = placed.take(me) ?? deques.pop(me) ?? inboxes.take(me) ?? steal(me) { return t }
            }
            let epoch = parker.prepareWait()
            if stop.load(ordering: .sequentiallyConsistent) { parker.cancelWait(); return nil }
            if groupCores != nil && pauseRequested.load(ordering: .sequentiallyConsistent) {
                parker.cancelWait()
                pauseHere()
                continue
            }
            if let t = placed.take(me) ?? inboxes.take(me) ?? steal(me) {
                parker.cancelWait()
                return t
            }
            parker.commitWait(epoch)
        }
    }

    /// Where the run is (read while workers write: counts may lag by a few tasks).
    func snapshot() -> RunProgress {
        var running: Int? = nil
        if options.timing && n <= RunProgress.runningScanLimit {
            var r = 0
            for i in 0..<n where status[i] == 0 && startTime[i] != 0 && endTime[i] == 0 && !join.isIO(i) { r += 1 }
            running = r
        }
        let io = ioInFlight.load(ordering: .relaxed)
        // Failures and cancellations are counted at once, finished tasks in batches: a
        // snapshot taken in between would say fewer finished than failed (done < 0).
        let failed = failedCount.load(ordering: .relaxed), cancelled = cancelledCount.load(ordering: .relaxed)
        return RunProgress(total: n, finished: max(finished.load(ordering: .relaxed), failed + cancelled),
                           failed: failed, cancelled: cancelled,
                           running: running.map { $0 + io }, elapsedSeconds: Double(now()) * 1e-9)
    }

    func flush(_ local: inout Int) {
        guard local > 0 else { return }
        let total = finished.wrappingAdd(local, ordering: .acquiringAndReleasing).newValue
        local = 0
        if total == n { signalDone() }
    }

    func signalDone() {
        doneLock.withLock {
            done = true
            doneSignal.broadcast()
        }
    }

    // MARK: Core groups

    /// Waits while a group task runs (called between tasks, so the core is free).
    func pauseHere() {
        gangLock.withLock {
            pausedWorkers.wrappingAdd(1, ordering: .acquiringAndReleasing)
            while pauseRequested.load(ordering: .acquiring) { gangResume.wait() }
            pausedWorkers.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        }
    }

    /// Runs `body` with the whole machine: asks every other worker to pause after its current
    /// task, waits until they have, lets OpenBLAS use `cores` threads for the call, then sets
    /// it back to one thread and resumes the others. OpenBLAS 0.3.21's thread count is
    /// process-wide, so a group smaller than the machine would make the other workers'
    /// BLAS calls multithreaded too: with this OpenBLAS every group takes the whole run.
    func withWholeMachine<T>(cores: Int, leader: Int32, _ body: () throws -> T) rethrows -> T {
        // One group at a time: a worker that wants to lead while another leads pauses first.
        while true {
            let mine = gangLock.withLock { () -> Bool in
                guard !pauseRequested.load(ordering: .acquiring) else { return false }
                pauseRequested.store(true, ordering: .sequentiallyConsistent)
                return true
            }
            if mine { break }
            pauseHere()
        }
        parker.wakeAll()   // parked workers come to the pause point
        while pausedWorkers.load(ordering: .acquiring) < workerCount - 1 { sched_yield() }
        // A worker counts itself paused just before it sleeps: on a loaded machine it can be
        // preempted in between and stay runnable for milliseconds, beside the group's threads.
        var others: Set<Int32> = []
        for k in 0..<workerCount where k != Int(leader) { others.insert(workerTids[k]) }
        ProcessThreads.waitUntilAsleep(others, atMostNanos: 1_000_000_000)
        let before = ProcessThreads.ids()
        BLAS.setThreadCount(cores)
        defer {
            BLAS.setThreadCount(1)
            // OpenBLAS's pool threads (created by the first group call) finish their share and
            // go to sleep a little after the call returns; resuming the workers before that
            // would run more threads than cores for a moment (seen here: ~1 ms after each call).
            // The bound is generous: on a loaded machine a pool thread can wait tens of ms for
            // a core before it runs and goes to sleep (a 20 ms bound let a test see three
            // threads running on two cores when CI ran other tests beside it), and with
            // OpenBLAS's default timeout its threads busy-wait ~0.1 s after each call.
            blasPool.formUnion(ProcessThreads.ids().subtracting(before))
            ProcessThreads.waitUntilAsleep(blasPool, atMostNanos: 1_000_000_000)
            gangLock.withLock {
                pauseRequested.store(false, ordering: .sequentiallyConsistent)
                gangResume.broadcast()
            }
        }
        return try body()
    }

    /// Runs (or cancels) task `t` on worker `w` and returns the task to run next here, if any.
    @inline(__always)
    func runTask(_ t: Int32, worker w: Int32, ready: UnsafeMutableBufferPointer<Int32>,
                 targets: UnsafeMutableBufferPointer<Int32>, finishedHere: inout Int) -> Int32? {
        let i = Int(t)
        finishedHere += 1
        let flags = join.flags(i)   // one load: poison, and the op
        guard flags & JoinRecords.poisonedFlag == 0 else {
            return finish(t, .cancelled, ready: ready, targets: targets, worker: w)
        }
        let timing = options.timing
        if timing {
            startTime[i] = now()
            cpu[i] = Int32(CPU.current())
        }
        worker[i] = w
        let op = JoinRecords.op(flags)
        let body = closures.isEmpty ? bodies[op] : (closures[t] ?? bodies[op])
        if let taskFlags, taskFlags[i] != 0 {
            return runSpecial(t, flags: taskFlags[i], body: body, worker: w, ready: ready, targets: targets,
                              finishedHere: &finishedHere)
        }
        guard case .sync(let f) = body else {
            if timing { endTime[i] = now() }
            return finish(t, .failed(OpError("an async op cannot run on a CPU worker")), ready: ready, targets: targets, worker: w)
        }
        do {
            let value = try call(task: i, worker: w) { try f(OpInput(run: self, task: t)) }
            return finish(t, .done(consume value), ready: ready, targets: targets, worker: w)
        } catch {
            return finish(t, .failed(error), ready: ready, targets: targets, worker: w)
        }
    }

    /// Calls task `i`'s body on worker `w` (with the whole machine for a core-group task) and
    /// stamps its end. A group's time starts once it has the cores and ends before the other
    /// workers resume, so that no task's span overlaps it in the trace.
    @inline(__always)
    func call<T>(task i: Int, worker w: Int32, _ body: () throws -> T) rethrows -> T {
        let timing = options.timing
        if let groups = groupCores, groups[i] > 1, workerCount > 1 {
            return try withWholeMachine(cores: Int(groups[i]), leader: w) {
                if timing { startTime[i] = now() }
                defer { if timing { endTime[i] = now() } }
                return try body()
            }
        }
        defer { if timing { endTime[i] = now() } }
        return try body()
    }

    /// Runs a task that needs more than the fast path: in a worker process, with its result
    /// in shared memory, or with retries left after a failure.
    func runSpecial(_ t: Int32, flags: UInt8, body: OpBody, worker w: Int32, ready: UnsafeMutableBufferPointer<Int32>,
                    targets: UnsafeMutableBufferPointer<Int32>, finishedHere: inout Int) -> Int32? {
        let i = Int(t)
        let outcome: Outcome
        if flags & Run.processTask != 0 {
            outcome = runInProcess(t, worker: w)
            if options.timing { endTime[i] = now() }
        } else if case .sync(let f) = body {
            let input = OpInput(run: self, task: t)
            do {
                outcome = .done(try call(task: i, worker: w) {
                    flags & Run.sharedResult != 0
                        ? try Matrix.allocating(with: sharedMatrices) { () throws -> TaskValue in try f(input) }
                        : try f(input)
                })
            } catch {
                outcome = .failed(error)
            }
        } else {
            if options.timing { endTime[i] = now() }
            outcome = .failed(OpError("an async op cannot run on a CPU worker"))
        }
        if case .failed(let error) = outcome, flags & Run.retried != 0, let attempts,
           Int(attempts[i]) < graph.runPolicy(of: i).retries {
            scheduleRetry(t, after: error, worker: w)
            finishedHere -= 1
            return nil
        }
        return finish(t, outcome, ready: ready, targets: targets, worker: w)
    }

    /// Records a failed attempt of `t` and puts the task back on a worker's inbox after an
    /// exponential backoff: 50 ms after the first failure, doubling each time, at most 10 s.
    /// The wait holds no thread (it sleeps on the IO executor).
    func scheduleRetry(_ t: Int32, after error: any Error, worker w: Int32) {
        let i = Int(t)
        let attempt = Int(attempts![i]) + 1
        let record = ExecutionRecord(task: t, status: .failed, worker: w, cpu: cpu[i], startNanos: startTime[i],
                                     endNanos: endTime[i], message: String(describing: error), attempt: attempt,
                                     inProcess: taskFlags![i] & Run.processTask != 0)
        failureLock.withLock { retriedAttempts.append(record) }
        attempts![i] += 1
        let delay = min(0.05 * Double(1 << min(attempt - 1, 20)), 10)
        io.runAsync { [self] in
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            inboxes.put(Int(w), t)
            parker.notify(all: true)
        }
    }

    /// Runs `t` in worker `w`'s own worker process (started on first use, and again after
    /// one died), blocking this thread until the reply: the core runs the process meanwhile.
    func runInProcess(_ t: Int32, worker w: Int32) -> Outcome {
        let i = Int(t)
        let me = Int(w)
        let policy = graph.runPolicy(of: i)
        if processWorkers[me] == nil {
            do {
                let started = try ProcessWorker.start(executable: workerExecutable!, core: cores[me].logicalIndex, pin: options.pin)
                processWorkers[me] = started
            } catch {
                return .failed(OpError("cannot start a worker process: \(error)"))
            }
        }
        let process = processWorkers[me]!
        var request = FrameWriter()
        var keepAlive: [SharedMemory] = []
        request.str(graph.ids[i])
        request.str(graph.op(of: i))
        request.u32(UInt32(attempts.map { Int($0[i]) } ?? 0) + 1)
        request.u64(UInt64(policy.maxMemory ?? 0))
        request.str(options.baseDirectory)
        let args = graph.args[i].values.sorted { $0.key < $1.key }
        request.u32(UInt32(args.count))
        for (name, value) in args {
            request.str(name)
            request.arg(value)
        }
        let first = Int(inputOffsets[i]), last = Int(inputOffsets[i + 1])
        request.u32(UInt32(last - first))
        do {
            for k in first..<last {
                let j = Int(inputIndices[k])
                request.str(graph.ids[j])
                try ProcessWorker.encodeValue(values[j] ?? .nothing, into: &request, keepAlive: &keepAlive)
            }
        } catch {
            return .failed(OpError("cannot hand its inputs to a worker process: \(error)"))
        }
        let reply = process.run(request, timeout: policy.timeout)
        withExtendedLifetime(keepAlive) {}
        switch reply {
        case .value(let v, let c):
            cpu[i] = c
            return .done(v)
        case .failed(let message, let c):
            cpu[i] = c
            return .failed(OpError(message))
        case .died(let how, let lastWords):
            processWorkers[me] = nil
            var message = "its worker process (pid \(process.pid)) \(how)"
            if let lastWords {
                message += ": \(lastWords)"
            } else if let limit = policy.maxMemory, how.hasPrefix("killed") {
                message += " (the task ran under max_memory \(formatBytes(limit)))"
            }
            return .failed(OpError(message + "; a new worker process takes its place"))
        case .timedOut:
            processWorkers[me] = nil
            let seconds = policy.timeout ?? 0
            return .failed(OpError("timed out after \(seconds) s: its worker process (pid \(process.pid)) was killed "
                + "with SIGKILL; a new worker process takes its place"))
        }
    }

    /// How a task ended.
    enum Outcome: Sendable {
        case done(TaskValue)
        case failed(any Error)
        case cancelled
    }

    /// Records the outcome of `t`, releases its inputs, and passes the word on to its
    /// consumers. Returns the ready CPU task to run next on this worker.
    @inline(__always)
    func finish(_ t: Int32, _ outcome: consuming Outcome, ready: UnsafeMutableBufferPointer<Int32>,
                targets: UnsafeMutableBufferPointer<Int32>, worker w: Int32) -> Int32? {
        let i = Int(t)
        var poison = true
        switch consume outcome {
        case .done(let value):
            status[i] = 1
            poison = false
            switch value {
            case .nothing:
                break
            case .matrix(let m):
                resultBytes[i] = m.byteCount
                fallthrough
            default:
                if join.consumerCount(i) != 0 || options.keep != .none {
                    (values + i).pointee = value
                    stored[i] = true
                    if !anyStored.load(ordering: .relaxed) { anyStored.store(true, ordering: .relaxed) }
                }
            }
        case .failed(let error):
            status[i] = 2
            failedCount.wrappingAdd(1, ordering: .relaxed)
            recordFailure(t, error)
        case .cancelled:
            status[i] = 3
            cancelledCount.wrappingAdd(1, ordering: .relaxed)
            recordCancel(t)
        }
        // (Checked here: the call alone, for graphs that store nothing, was 1.5 % of a worker.)
        if anyStored.load(ordering: .relaxed) { releaseInputs(of: i) }
        // Consumers: decrement join counters; collect those now ready.
        var count = 0
        let (first, end) = join.consumerRange(i)
        // Start every consumer's record miss at once: the locked decrements below would
        // otherwise take their misses one after another.
        if end - first > 1 {
            for k in first..<end { join.prefetch(Int(consumerIndices[k])) }
        }
        for k in first..<end {
            let c = consumerIndices[k]
            if poison { join.poison(Int(c)) }
            // acquiring-and-releasing: publishes this task's value (and poison) to whoever
            // takes the counter to zero, and gives that thread every other input's value.
            if join.inputArrived(Int(c)) {
                if join.isIO(Int(c)) {
                    if join.isPoisoned(Int(c)) {
                        // Cancelled without running; its own consumers are handled recursively.
                        finishCancelledIO(c)
                    } else {
                        dispatchIO(c)
                    }
                } else {
                    // Its record is in cache now (the decrement): start the miss on its
                    // consumer list, which its own finish reads next.
                    dagrun_prefetch(consumerIndices + join.consumerStart(Int(c)))
                    ready[count] = c
                    count += 1
                }
            }
        }
        guard count > 0 else { return nil }
        if count == 1 && w >= 0 && criticalPathPolicy { return ready[0] }
        let batch = UnsafeMutableBufferPointer(rebasing: ready[0..<count])
        let where_ = UnsafeMutableBufferPointer(rebasing: targets[0..<count])
        if criticalPathPolicy {
            join.sortByPriority(batch)
            for k in 0..<count { where_[k] = -1 }
        } else {
            options.policy.arrange(ready: batch, targets: where_, worker: w, view: view)
        }
        var next: Int32? = nil
        var pushed = false
        let me = Int(w)
        if me < 0 {
            // Off the workers (an IO thread): hand every ready task over.
            for k in 0..<count {
                let target = where_[k]
                if target >= 0 && Int(target) < workerCount {
                    placed.put(Int(target), batch[k])
                } else {
                    inboxes.put(Int(UInt32(bitPattern: batch[k])) % workerCount, batch[k])
                }
            }
            parker.notify(all: true)
            return nil
        }
        var placedElsewhere = false
        for k in 0..<count {
            let target = where_[k]
            if target >= 0 && Int(target) != me && Int(target) < workerCount {
                placed.put(Int(target), batch[k])
                placedElsewhere = true
            } else if next == nil {
                next = batch[k]
            } else {
                deques.push(me, batch[k])
                pushed = true
            }
        }
        if placedElsewhere {
            parker.notify(all: true)   // the target must wake: nobody else takes its placed tasks
        } else if pushed {
            parker.notify(all: count > 2)
        }
        return next
    }

    /// Whether task `i` may take over input `j`'s value (see `OpInput.matrixForUpdate`).
    @inline(__always)
    func mayDonate(input j: Int, to i: Int) -> Bool {
        join.consumerCount(j) == 1 && options.keep != .all
            && (!graph.hasRunPolicies || graph.runPolicy(of: i).retries == 0)
    }

    func releaseInputs(of i: Int) {
        for k in Int(inputOffsets[i])..<Int(inputOffsets[i + 1]) {
            let j = Int(inputIndices[k])
            // Nothing stored (noop, a freed-at-birth `.nothing`): nothing to free, no atomic.
            guard stored[j] else { continue }
            if unfinishedConsumers[j].wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 && options.keep != .all {
                values[j] = nil
            }
        }
    }

    func recordFailure(_ t: Int32, _ error: any Error) {
        let i = Int(t)
        let cause = String(describing: error)
        options.logger.debug("task failed", metadata: ["task": "\(graph.ids[i])", "op": "\(graph.op(of: i))", "cause": "\(cause)"])
        let ins = (Int(inputOffsets[i])..<Int(inputOffsets[i + 1])).map { k -> (String, String) in
            let j = Int(inputIndices[k])
            return (graph.ids[j], values[j]?.description ?? (status[j] == 1 ? "nothing" : "freed"))
        }
        failureLock.withLock {
            failures.append(TaskFailure(taskID: graph.ids[i], op: graph.op(of: i), inputs: ins, cause: cause,
                                        location: graph.location(of: i)))
            messages[t] = cause
        }
    }

    func recordCancel(_ t: Int32) {
        let i = Int(t)
        var culprit = "an input"
        for k in Int(inputOffsets[i])..<Int(inputOffsets[i + 1]) where status[Int(inputIndices[k])] >= 2 {
            culprit = "input '\(graph.ids[Int(inputIndices[k])])'"
            break
        }
        failureLock.withLock { messages[t] = "cancelled: \(culprit) failed or was cancelled" }
    }

    // MARK: IO

    /// An IO task is ready: it starts if fewer than `ioConcurrency` are in flight, or waits
    /// for a slot (see `IOTasks.swift`).
    func dispatchIO(_ t: Int32) {
        ioInFlight.wrappingAdd(1, ordering: .relaxed)
        options.logger.trace("io task dispatched", metadata: ["task": "\(graph.ids[Int(t)])"])
        if ioGate.admit(t) { startIO(t) }
    }

    /// An IO task finished on an IO thread: record it, give its slot to the next waiting IO
    /// task, and hand ready CPU tasks to workers.
    func finishIO(_ t: Int32, _ outcome: Outcome, begin: UInt64) {
        ioInFlight.wrappingSubtract(1, ordering: .relaxed)
        let i = Int(t)
        startTime[i] = begin
        endTime[i] = now()
        worker[i] = -1
        if let next = ioGate.release() { startIO(next) }
        handOver(t, outcome)
    }

    func finishCancelledIO(_ t: Int32) {
        handOver(t, .cancelled)
    }

    /// Finishes `t` off the worker threads: ready CPU tasks go to inboxes (round-robin).
    func handOver(_ t: Int32, _ outcome: Outcome) {
        let count = join.consumerCount(Int(t))
        let ready = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
        let targets = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
        defer { ready.deallocate(); targets.deallocate() }
        _ = finish(t, outcome, ready: ready, targets: targets, worker: -1)
        let total = finished.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        if total == n { signalDone() }
    }
}

/// Pinning outcome per worker, written by each worker thread once.
final class PinResults: @unchecked Sendable {
    private let lock = ConditionLock()
    private var problems: [String?]
    private var cpuSeconds: [Double]
    init(count: Int) {
        problems = .init(repeating: nil, count: count)
        cpuSeconds = .init(repeating: 0, count: count)
    }
    func set(_ w: Int, _ p: String?) { lock.withLock { problems[w] = p } }
    func get(_ w: Int) -> String? { lock.withLock { problems[w] } }
    func setCPU(_ w: Int, _ s: Double) { lock.withLock { cpuSeconds[w] = s } }
    func cpu(_ w: Int) -> Double { lock.withLock { cpuSeconds[w] } }
}

/// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The threads of this process, from /proc/self/task.
enum ProcessThreads {
    static func ids() -> Set<Int32> {
        var out: Set<Int32> = []
        guard let dir = opendir("/proc/self/task") else { return out }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let tid = Int32(name) { out.insert(tid) }
        }
        return out
    }

    /// Whether thread `tid` of this process is running or runnable ('R' in its stat).
    static func isRunning(_ tid: Int32) -> Bool {
        let fd = open("/proc/self/task/\(tid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")), close + 2 < n else { return false }
        return buffer[close + 2] == UInt8(ascii: "R")
    }

    /// Polls until none of `tids` is running (or the time is up).
    static func waitUntilAsleep(_ tids: Set<Int32>, atMostNanos: UInt64) {
        guard !tids.isEmpty else { return }
        let deadline = monotonicNanos() &+ atMostNanos
        while tids.contains(where: isRunning) && monotonicNanos() < deadline { sched_yield() }
    }
}
