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
    /// Which attempt this record describes, 1-based: the one that succeeded, or the last
    /// one that failed (a task with `retries` may run several); 0 for a task that never ran.
    public var attempt: UInt8

    public init(task: Int32, status: Status, worker: Int32, cpu: Int32, startNanos: UInt64,
                endNanos: UInt64, message: String? = nil, attempt: UInt8 = 1) {
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
        public init(index: Int, coreLogicalIndex: Int, osCPU: Int, pinned: Bool, cpuSeconds: Double = 0) {
            self.index = index
            self.coreLogicalIndex = coreLogicalIndex
            self.osCPU = osCPU
            self.pinned = pinned
            self.cpuSeconds = cpuSeconds
        }
    }

    public var graph: TaskGraph
    public var workers: [Worker]
    /// One record per task, indexed by task.
    public var records: [ExecutionRecord]
    public var makespanNanos: UInt64

    /// Whether each task's start and end were recorded (`RunOptions.timing`); without them
    /// the times, busy shares and the realised critical path are not known.
    public var timed: Bool

    public init(graph: TaskGraph, workers: [Worker], records: [ExecutionRecord], makespanNanos: UInt64, timed: Bool = true) {
        self.graph = graph
        self.workers = workers
        self.records = records
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
        var busy = [UInt64](repeating: 0, count: workers.count)
        for r in records where r.worker >= 0 { busy[Int(r.worker)] += r.durationNanos }
        return busy
    }
}
