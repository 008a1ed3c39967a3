/// What happened to one task in a run: the runtime emits these; renderers and
/// summaries read them (they never reach into the scheduler).
public struct ExecutionRecord: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case done, failed, cancelled
    }

    public var task: Int32
    public var status: Status
    /// Which worker ran it: 0..<workers for pinned CPU workers, -1 for the IO executor, -2 if it never ran.
    public var worker: Int32
    /// The OS CPU the task started on (sched_getcpu), -1 when unknown (IO, cancelled).
    public var cpu: Int32
    /// Nanoseconds since the run started (its workers were up).
    public var startNanos: UInt64
    public var endNanos: UInt64
    /// Why it failed or was cancelled.
    public var message: String?
    /// Which attempt this record is: 1 for the first; more when `retries` re-ran the task
    /// (the earlier, failed attempts are in ``ExecutionTrace/retriedAttempts``).
    public var attempt: Int
    /// Whether the task ran in a worker process (then `cpu` is where that process ran it).
    public var inProcess: Bool
    /// Bytes of the task's result when it is a matrix (0 otherwise or unknown).
    public var resultBytes: Int

    public init(task: Int32, status: Status, worker: Int32, cpu: Int32, startNanos: UInt64,
                endNanos: UInt64, message: String? = nil, attempt: Int = 1, inProcess: Bool = false,
                resultBytes: Int = 0) {
        self.attempt = attempt
        self.inProcess = inProcess
        self.resultBytes = resultBytes
        self.task = task
        self.status = status
        self.worker = worker
        self.cpu = cpu
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.message = message
        self.attempt = attempt
    }

    public var durationNanos: UInt64 { endNanos >= startNanos ? endNanos - startNanos : 0 }
    public var ran: Bool { worker != -2 }
}

/// A whole run as the runtime saw it: the graph, the workers and one record per task.
public struct ExecutionTrace: Sendable {
    public struct Worker: Sendable, Hashable {
        public var index: Int
        /// hwloc logical core index and the OS CPU of its first PU.
        public var coreLogicalIndex: Int
        public var osCPU: Int
        public var pinned: Bool
        /// CPU time the worker thread used over the run (busy work plus spinning), seconds.
        public var cpuSeconds: Double
        /// hwloc logical indices of the core's package and NUMA node.
        public var packageIndex: Int
        public var numaIndex: Int
        public init(index: Int, coreLogicalIndex: Int, osCPU: Int, pinned: Bool, cpuSeconds: Double = 0,
                    packageIndex: Int = 0, numaIndex: Int = 0) {
            self.index = index
            self.coreLogicalIndex = coreLogicalIndex
            self.osCPU = osCPU
            self.pinned = pinned
            self.cpuSeconds = cpuSeconds
            self.packageIndex = packageIndex
            self.numaIndex = numaIndex
        }
    }

    public var graph: TaskGraph
    public var workers: [Worker]
    /// One record per task, indexed by task: its last attempt.
    public var records: ExecutionRecords
    /// Failed attempts that were tried again (`retries`), in the order they ended.
    public var retriedAttempts: [ExecutionRecord]
    public var makespanNanos: UInt64

    /// Whether each task's start and end were recorded (`RunOptions.timing`); without them
    /// the times, busy shares and the realised critical path are not known.
    public var timed: Bool

    public init(graph: TaskGraph, workers: [Worker], records: [ExecutionRecord], makespanNanos: UInt64, timed: Bool = true,
                retriedAttempts: [ExecutionRecord] = []) {
        self.init(graph: graph, workers: workers, records: ExecutionRecords(records), makespanNanos: makespanNanos,
                  timed: timed, retriedAttempts: retriedAttempts)
    }

    public init(graph: TaskGraph, workers: [Worker], records: ExecutionRecords, makespanNanos: UInt64, timed: Bool = true,
                retriedAttempts: [ExecutionRecord] = []) {
        self.graph = graph
        self.workers = workers
        self.records = records
        self.retriedAttempts = retriedAttempts
        self.makespanNanos = makespanNanos
        self.timed = timed
    }

    /// The realised critical path: from the task that finished last, back through the
    /// input that finished last each time. First task first.
    public var realisedCriticalPath: [Int32] {
        guard var cur = records.filter({ $0.ran }).max(by: { $0.endNanos < $1.endNanos })?.task else { return [] }
        var path = [cur]
        while let prev = graph.inputs(of: Int(cur)).filter({ records[Int($0)].ran })
            .max(by: { records[Int($0)].endNanos < records[Int($1)].endNanos }) {
            path.append(prev)
            cur = prev
        }
        return path.reversed()
    }

    /// When task `i` became ready: the end of its last input (0 for a task without inputs).
    /// Derived from the records rather than stored, as readiness is exactly that moment.
    public func readyNanos(of i: Int) -> UInt64 {
        graph.inputs(of: i).reduce(0) { max($0, records[Int($1)].endNanos) }
    }

    /// Busy nanoseconds per worker (CPU tasks only).
    public var busyNanosPerWorker: [UInt64] {
        var busy = records.busyNanos(workers: workers.count)
        for r in retriedAttempts where r.worker >= 0 { busy[Int(r.worker)] += r.durationNanos }
        return busy
    }
}

/// A run's records, one per task, indexed by task: an ``ExecutionRecord`` array (a trace
/// read back from a file, a test's), or the columns the scheduler wrote during the run,
/// read as records when asked for. Building every record at the end of a run cost a
/// 10M-task run here 720 MB and 3 s of page faults; the columns are the run's own
/// (33 bytes a task) and need no copy.
public struct ExecutionRecords: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    private enum Storage: Sendable {
        case array([ExecutionRecord])
        case columns(ExecutionColumns, RunFacts)
    }

    /// What a run's records need beyond its columns, fixed once the run has ended (held
    /// here as constants: read as the class's variables, each record paid three
    /// exclusivity checks).
    package struct RunFacts: Sendable {
        /// Each task's class: IO tasks count their attempts apart.
        package var classes: [TaskClass]
        /// Retries made by CPU tasks (nil when no task has retries).
        package var cpuRetries: [Int32]?
        /// Which tasks ran in a worker process (nil when none did).
        package var inProcess: [Bool]?
        /// Why a task failed or was cancelled.
        package var messages: [Int32: String]

        package init(classes: [TaskClass], cpuRetries: [Int32]? = nil, inProcess: [Bool]? = nil,
                     messages: [Int32: String] = [:]) {
            self.classes = classes
            self.cpuRetries = cpuRetries
            self.inProcess = inProcess
            self.messages = messages
        }
    }

    private let storage: Storage
    public let startIndex = 0
    public let endIndex: Int

    public init(_ records: [ExecutionRecord]) {
        storage = .array(records)
        endIndex = records.count
    }

    public init(arrayLiteral records: ExecutionRecord...) { self.init(records) }

    /// The records of a finished run's columns.
    package init(columns: ExecutionColumns, facts: RunFacts) {
        precondition(facts.classes.count == columns.count, "one class per task")
        storage = .columns(columns, facts)
        endIndex = columns.count
    }

    public subscript(i: Int) -> ExecutionRecord {
        switch storage {
        case .array(let records):
            return records[i]
        case .columns(let c, let facts):
            precondition(i >= 0 && i < c.count, "record index \(i) out of range 0..<\(c.count)")
            let s = c.status[i]
            let st: ExecutionRecord.Status = s == 1 ? .done : s == 2 ? .failed : .cancelled
            let w = c.worker[i]
            let attempt = st == .cancelled && w == -2 ? 0
                : facts.classes[i] == .io ? Int(c.ioAttempts[i]) : facts.cpuRetries.map { Int($0[i]) + 1 } ?? 1
            return ExecutionRecord(task: Int32(i), status: st, worker: w, cpu: c.cpu[i], startNanos: c.startNanos[i],
                                   endNanos: c.endNanos[i], message: facts.messages.isEmpty ? nil : facts.messages[Int32(i)],
                                   attempt: attempt, inProcess: (facts.inProcess?[i] ?? false) && w >= 0,
                                   resultBytes: c.resultBytes[i])
        }
    }

    /// How many records have `status`, reading only the status column of a run's records.
    public func count(of status: ExecutionRecord.Status) -> Int {
        switch storage {
        case .array(let records):
            return records.lazy.filter { $0.status == status }.count
        case .columns(let c, _):
            let code: UInt8 = status == .done ? 1 : status == .failed ? 2 : 0
            var k = 0
            for i in 0..<c.count {
                let s = c.status[i]
                if code == 0 ? (s != 1 && s != 2) : s == code { k += 1 }
            }
            return k
        }
    }

    /// Nanoseconds each of `workers` pinned workers spent in tasks (records of the IO
    /// executor and of tasks that never ran add nothing).
    public func busyNanos(workers: Int) -> [UInt64] {
        var busy = [UInt64](repeating: 0, count: workers)
        switch storage {
        case .array(let records):
            for r in records where r.worker >= 0 && Int(r.worker) < workers { busy[Int(r.worker)] += r.durationNanos }
        case .columns(let c, _):
            for i in 0..<c.count {
                let w = Int(c.worker[i])
                let (start, end) = (c.startNanos[i], c.endNanos[i])
                if w >= 0 && w < workers && end >= start { busy[w] += end - start }
            }
        }
        return busy
    }
}

/// What the scheduler writes per task while it runs, owned here so that the trace can keep
/// it after the run: status, worker, CPU, start and end, result size and attempts, each a
/// column of `count`, plus the failure messages. Written by the run's threads, read only
/// after they are joined; immutable from then on.
package final class ExecutionColumns: @unchecked Sendable {
    package let count: Int
    /// 0 not finished, 1 done, 2 failed, 3 cancelled.
    package let status: UnsafeMutablePointer<UInt8>
    /// As ``ExecutionRecord/worker``: -2 until the task runs.
    package let worker: UnsafeMutablePointer<Int32>
    package let cpu: UnsafeMutablePointer<Int32>
    package let startNanos: UnsafeMutablePointer<UInt64>
    package let endNanos: UnsafeMutablePointer<UInt64>
    package let resultBytes: UnsafeMutablePointer<Int>
    /// Attempts of IO tasks (their executor retries them), from 1.
    package let ioAttempts: UnsafeMutablePointer<UInt8>

    package init(count: Int) {
        self.count = count
        let c = max(count, 1)
        status = .allocate(capacity: c)
        worker = .allocate(capacity: c)
        cpu = .allocate(capacity: c)
        startNanos = .allocate(capacity: c)
        endNanos = .allocate(capacity: c)
        resultBytes = .allocate(capacity: c)
        ioAttempts = .allocate(capacity: c)
        status.initialize(repeating: 0, count: count)
        worker.initialize(repeating: -2, count: count)
        cpu.initialize(repeating: -1, count: count)
        startNanos.initialize(repeating: 0, count: count)
        endNanos.initialize(repeating: 0, count: count)
        resultBytes.initialize(repeating: 0, count: count)
        ioAttempts.initialize(repeating: 1, count: count)
    }

    deinit {
        status.deallocate()
        worker.deallocate()
        cpu.deallocate()
        startNanos.deallocate()
        endNanos.deallocate()
        resultBytes.deallocate()
        ioAttempts.deallocate()
    }
}
