import DagCore
import DagKernels
import DagTopology
import Glibc

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
    /// Which results stay in ``RunReport/results`` after the run.
    public var keep: KeepResults = .sinks

    public enum KeepResults: Sendable { case none, sinks, all }

    public init(workers: Int? = nil, baseDirectory: String = "") {
        self.workers = workers
        self.baseDirectory = baseDirectory
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
    public func count(_ status: ExecutionRecord.Status) -> Int { trace.records.lazy.filter { $0.status == status }.count }
}

/// Runs a ``TaskGraph``: CPU tasks on worker threads pinned one per core, taken from
/// one ready queue in static priority order (critical path first); IO tasks on an IO
/// executor (blocking-IO threads and Swift concurrency for waits) that holds no core.
///
/// A failed task cancels its dependents, transitively; independent work still runs.
/// A result is freed once its last consumer has finished.
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
        var bodies: [OpBody] = []
        bodies.reserveCapacity(graph.count)
        for i in 0..<graph.count {
            if let closure = graph.table.body(of: i) as? ClosureBody {
                bodies.append(closure.body)
            } else if let b = library[graph.op(of: i)] {
                bodies.append(b)
            } else {
                throw RunSetupError(description: "task '\(graph.ids[i])': op '\(graph.op(of: i))' has no implementation in this runtime")
            }
        }
        BLAS.useSingleThread()
        let assigned = (0..<n).map { cores[$0 % cores.count] }
        let run = Run(graph: graph, bodies: bodies, options: options, workerCount: n)
        return run.execute(topology: topology, cores: assigned)
    }
}

/// The state of one run. All mutable state is guarded by `lock`.
final class Run: @unchecked Sendable {
    let graph: TaskGraph
    let bodies: [OpBody]
    let options: RunOptions
    let workerCount: Int

    let lock = ConditionLock()
    /// Workers wait here for ready CPU tasks.
    let workAvailable: ConditionLock.Condition
    /// The caller waits here for the end of the run.
    let allFinished: ConditionLock.Condition

    enum State: UInt8 { case waiting, ready, running, done, failed, cancelled }
    var state: [State]
    /// Inputs not yet produced, per task (one per input slot).
    var pendingInputs: [Int32]
    /// Consumers not yet finished, per task; the value is freed when it reaches zero.
    var pendingConsumers: [Int32]
    var values: [TaskValue?]
    var records: [ExecutionRecord]
    var readyCPU: PriorityQueue
    var finished = 0
    var failures: [TaskFailure] = []
    var warnings: [String] = []
    var workersStopped = false
    let io: IOExecutor
    let start: UInt64

    init(graph: TaskGraph, bodies: [OpBody], options: RunOptions, workerCount: Int) {
        self.graph = graph
        self.bodies = bodies
        self.options = options
        self.workerCount = workerCount
        workAvailable = lock.makeCondition()
        allFinished = lock.makeCondition()
        let n = graph.count
        state = .init(repeating: .waiting, count: n)
        pendingInputs = (0..<n).map { Int32(graph.inputs(of: $0).count) }
        pendingConsumers = (0..<n).map { Int32(graph.consumers(of: $0).count) }
        values = .init(repeating: nil, count: n)
        records = (0..<n).map { ExecutionRecord(task: Int32($0), status: .cancelled, worker: -2, cpu: -1,
                                                readyNanos: 0, startNanos: 0, endNanos: 0) }
        readyCPU = PriorityQueue(rank: graph.priorityRank)
        io = IOExecutor(threads: max(1, options.ioThreads))
        start = monotonicNanos()
    }

    func now() -> UInt64 { monotonicNanos() &- start }

    func execute(topology: HardwareTopology, cores: [Core]) -> RunReport {
        var workerInfo = [ExecutionTrace.Worker](repeating: .init(index: 0, coreLogicalIndex: 0, osCPU: 0, pinned: false),
                                                 count: workerCount)
        var launch: [Int32] = []
        lock.withLock {
            for i in 0..<graph.count where pendingInputs[i] == 0 { makeReady(Int32(i), into: &launch) }
            if graph.count == 0 { allFinished.broadcast() }
        }
        dispatchIO(launch)

        let pinned = PinResults(count: workerCount)
        var threads: [pthread_t] = []
        for w in 0..<workerCount {
            let core = cores[w]
            workerInfo[w] = .init(index: w, coreLogicalIndex: core.logicalIndex, osCPU: core.osIndex, pinned: false)
            threads.append(startThread(name: "dagrun-w\(w)") { [self] in
                if options.pin {
                    do {
                        try topology.bindCurrentThread(to: core)
                        pinned.set(w, nil)
                    } catch {
                        pinned.set(w, "worker \(w) could not be pinned to core \(core.logicalIndex): \(error)")
                    }
                }
                workerLoop(worker: Int32(w))
            })
        }
        lock.withLock {
            while finished < graph.count { allFinished.wait() }
            workersStopped = true
            workAvailable.broadcast()
        }
        for t in threads { pthread_join(t, nil) }
        io.shutdown()
        let makespan = now()

        for w in 0..<workerCount {
            let problem = pinned.get(w)
            workerInfo[w].pinned = options.pin && problem == nil
            if let problem { warnings.append(problem) }
        }
        var results: [String: TaskValue] = [:]
        for i in 0..<graph.count {
            guard let v = values[i] else { continue }
            if options.keep == .all || (options.keep == .sinks && graph.consumers(of: i).isEmpty) {
                results[graph.ids[i]] = v
            }
        }
        values.removeAll()
        let trace = ExecutionTrace(graph: graph, workers: workerInfo, records: records, makespanNanos: makespan)
        return RunReport(trace: trace, failures: failures, results: results, warnings: warnings)
    }

    // MARK: Workers

    func workerLoop(worker: Int32) {
        while true {
            lock.lock()
            while readyCPU.isEmpty && !workersStopped { workAvailable.wait() }
            guard let t = readyCPU.pop() else {
                lock.unlock()
                return
            }
            let input = takeInput(t)
            lock.unlock()

            let cpu = Int32(CPU.current())
            let begin = now()
            let outcome: Result<TaskValue, any Error>
            if case .sync(let body) = bodies[Int(t)] {
                outcome = Result { try body(input) }
            } else {
                outcome = .failure(OpError("an async op cannot run on a CPU worker"))
            }
            let end = now()

            var launch: [Int32] = []
            lock.withLock { complete(t, outcome, worker: worker, cpu: cpu, begin: begin, end: end, launch: &launch) }
            dispatchIO(launch)
        }
    }

    // MARK: IO

    func dispatchIO(_ tasks: [Int32]) {
        for t in tasks {
            let input = lock.withLock { takeInput(t) }
            switch bodies[Int(t)] {
            case .sync(let body):
                io.runBlocking { [self] in
                    let begin = now()
                    let outcome = Result { try body(input) }
                    finishIO(t, outcome, begin: begin)
                }
            case .async(let body):
                io.runAsync { [self] in
                    let begin = now()
                    let outcome: Result<TaskValue, any Error>
                    do { outcome = .success(try await body(input)) } catch { outcome = .failure(error) }
                    finishIO(t, outcome, begin: begin)
                }
            }
        }
    }

    func finishIO(_ t: Int32, _ outcome: Result<TaskValue, any Error>, begin: UInt64) {
        let end = now()
        var launch: [Int32] = []
        lock.withLock { complete(t, outcome, worker: -1, cpu: -1, begin: begin, end: end, launch: &launch) }
        dispatchIO(launch)
    }

    // MARK: State transitions (lock held)

    /// Marks `t` ready: CPU tasks join the ready queue, IO tasks are collected in `launch`.
    func makeReady(_ t: Int32, into launch: inout [Int32]) {
        state[Int(t)] = .ready
        records[Int(t)].readyNanos = now()
        if graph.classes[Int(t)] == .cpu {
            readyCPU.push(t)
            workAvailable.signal()
        } else {
            launch.append(t)
        }
    }

    func takeInput(_ t: Int32) -> OpInput {
        state[Int(t)] = .running
        let ins = graph.inputs(of: Int(t))
        return OpInput(taskID: graph.ids[Int(t)], inputIDs: ins.map { graph.ids[Int($0)] },
                       inputs: ins.map { values[Int($0)] ?? .nothing }, args: graph.args[Int(t)],
                       baseDirectory: options.baseDirectory)
    }

    func complete(_ t: Int32, _ outcome: Result<TaskValue, any Error>, worker: Int32, cpu: Int32,
                  begin: UInt64, end: UInt64, launch: inout [Int32]) {
        let i = Int(t)
        records[i].worker = worker
        records[i].cpu = cpu
        records[i].startNanos = begin
        records[i].endNanos = end
        finished += 1
        switch outcome {
        case .success(let value):
            state[i] = .done
            records[i].status = .done
            if pendingConsumers[i] > 0 || options.keep != .none { values[i] = value }
            for c in graph.consumers(of: i) {
                pendingInputs[Int(c)] -= 1
                if pendingInputs[Int(c)] == 0 && state[Int(c)] == .waiting { makeReady(c, into: &launch) }
            }
        case .failure(let error):
            state[i] = .failed
            let cause = String(describing: error)
            records[i].status = .failed
            records[i].message = cause
            let ins = graph.inputs(of: i)
            failures.append(TaskFailure(taskID: graph.ids[i], op: graph.op(of: i),
                                        inputs: ins.map { (graph.ids[Int($0)], values[Int($0)]?.description ?? "freed") },
                                        cause: cause, location: graph.location(of: i)))
            cancelDependents(of: t)
        }
        releaseInputs(of: t)
        if finished == graph.count { allFinished.broadcast() }
    }

    /// Cancels every task downstream of the failed task `t` that has not run.
    func cancelDependents(of t: Int32) {
        var stack: [Int32] = [t]
        let failedID = graph.ids[Int(t)]
        let at = now()
        while let u = stack.popLast() {
            for c in graph.consumers(of: Int(u)) where state[Int(c)] == .waiting {
                state[Int(c)] = .cancelled
                records[Int(c)].status = .cancelled
                records[Int(c)].message = "cancelled: upstream task '\(failedID)' failed"
                records[Int(c)].startNanos = at
                records[Int(c)].endNanos = at
                finished += 1
                releaseInputs(of: c)
                stack.append(c)
            }
        }
    }

    /// `t` no longer needs its inputs: free each one whose last consumer this was.
    func releaseInputs(of t: Int32) {
        for j in graph.inputs(of: Int(t)) {
            pendingConsumers[Int(j)] -= 1
            if pendingConsumers[Int(j)] == 0 && options.keep != .all { values[Int(j)] = nil }
        }
    }
}

/// Pinning outcome per worker, written by each worker thread once.
final class PinResults: @unchecked Sendable {
    private let lock = ConditionLock()
    private var problems: [String?]
    init(count: Int) { problems = .init(repeating: nil, count: count) }
    func set(_ w: Int, _ p: String?) { lock.withLock { problems[w] = p } }
    func get(_ w: Int) -> String? { lock.withLock { problems[w] } }
}

/// A binary min-heap of task indices keyed by static priority rank.
struct PriorityQueue {
    let rank: [Int32]
    private var heap: [Int32] = []

    init(rank: [Int32]) { self.rank = rank }

    var isEmpty: Bool { heap.isEmpty }

    mutating func push(_ t: Int32) {
        heap.append(t)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard rank[Int(heap[i])] < rank[Int(heap[p])] else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Int32? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && rank[Int(heap[l])] < rank[Int(heap[m])] { m = l }
                if r < heap.count && rank[Int(heap[r])] < rank[Int(heap[m])] { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
