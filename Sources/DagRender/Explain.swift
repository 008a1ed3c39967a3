import DagCore

/// Answers for one task of a run: when it became ready and which input arrived last, how
/// long it waited and what the cores were doing meanwhile, where it ran and whether that
/// was where its last input was made, and its share of the critical path. Without a task,
/// the longest waits of the run. Read from an ``ExecutionTrace`` (live or ``SavedRun``).
public enum Explain {
    /// What was known about one task, as plain values (the text is ``text(_:)``).
    public struct TaskAnswer: Sendable, Equatable {
        public var id: String
        public var op: String
        public var status: ExecutionRecord.Status
        public var readyNanos: UInt64
        /// The input that finished last (nil: the task had no inputs).
        public var lastInput: String?
        public var startNanos: UInt64
        public var endNanos: UInt64
        public var waitNanos: UInt64 { startNanos > readyNanos ? startNanos - readyNanos : 0 }
        /// "core 1 (cpu 1)", "io" or "not run".
        public var place: String
        /// What each core did while the task waited: (core label, busy nanoseconds of the wait, busiest task there).
        public var coresDuringWait: [CoreActivity]
        /// Whether it ran on the worker that made its last input.
        public var ranWhereLastInputWas: Bool?
        public var lastInputPlace: String?
        public var onCriticalPath: Bool
        /// Its duration as a share of the makespan when on the critical path.
        public var criticalShare: Double
        /// Time from its end until a consumer started (or the run ended): how much it could have been later.
        public var slackNanos: UInt64
    }

    public struct CoreActivity: Sendable, Equatable {
        public var core: String
        public var busyNanos: UInt64
        public var busiestTask: String?
    }

    /// The answer for task `i`.
    public static func task(_ trace: ExecutionTrace, _ i: Int) -> TaskAnswer {
        let graph = trace.graph
        let r = trace.records[i]
        let inputs = graph.inputs(of: i)
        let last = inputs.max { trace.records[Int($0)].endNanos < trace.records[Int($1)].endNanos }
        let ready = trace.readyNanos(of: i)
        func place(_ rec: ExecutionRecord) -> String {
            switch rec.worker {
            case 0...: "core \(trace.workers[Int(rec.worker)].coreLogicalIndex) (cpu \(rec.cpu))"
            case -1: "io"
            default: "not run"
            }
        }
        var activity: [CoreActivity] = []
        if r.ran && r.startNanos > ready {
            for w in trace.workers {
                var busy: UInt64 = 0
                var best: (Int32, UInt64)? = nil
                for other in trace.records where other.worker == Int32(w.index) && other.task != r.task {
                    let a = max(other.startNanos, ready), b = min(other.endNanos, r.startNanos)
                    guard b > a else { continue }
                    busy += b - a
                    if best == nil || b - a > best!.1 { best = (other.task, b - a) }
                }
                activity.append(CoreActivity(core: "core \(w.coreLogicalIndex)", busyNanos: busy,
                                             busiestTask: best.map { graph.ids[Int($0.0)] }))
            }
        }
        let path = trace.timed ? trace.realisedCriticalPath : []
        let onPath = path.contains(Int32(i))
        var slack: UInt64 = trace.makespanNanos > r.endNanos ? trace.makespanNanos - r.endNanos : 0
        for c in graph.consumers(of: i) where trace.records[Int(c)].ran {
            let s = trace.records[Int(c)].startNanos
            slack = min(slack, s > r.endNanos ? s - r.endNanos : 0)
        }
        let lastRecord = last.map { trace.records[Int($0)] }
        return TaskAnswer(
            id: graph.ids[i], op: graph.op(of: i), status: r.status, readyNanos: ready,
            lastInput: last.map { graph.ids[Int($0)] }, startNanos: r.startNanos, endNanos: r.endNanos,
            place: place(r), coresDuringWait: activity,
            ranWhereLastInputWas: lastRecord.map { $0.worker >= 0 && $0.worker == r.worker },
            lastInputPlace: lastRecord.map(place),
            onCriticalPath: onPath,
            criticalShare: onPath && trace.makespanNanos > 0 ? Double(r.durationNanos) / Double(trace.makespanNanos) : 0,
            slackNanos: onPath ? 0 : slack)
    }

    /// The answer as sentences.
    public static func text(_ a: TaskAnswer, workers: Int) -> String {
        var s = "task '\(a.id)' (op \(a.op)): \(a.status.rawValue)\n"
        if a.place == "not run" {
            return s + "  it never ran: an input failed or was cancelled, so it was cancelled\n"
        }
        if let last = a.lastInput {
            s += "  ready at \(formatDuration(nanos: a.readyNanos)), when its last input '\(last)' finished"
            s += a.lastInputPlace.map { " (on \($0))" } ?? ""
            s += "\n"
        } else {
            s += "  ready at the start (no inputs)\n"
        }
        s += "  started at \(formatDuration(nanos: a.startNanos)) on \(a.place), "
        s += "ran \(formatDuration(nanos: a.endNanos - min(a.startNanos, a.endNanos)))\n"
        if a.waitNanos == 0 {
            s += "  it did not wait: it started the moment it was ready\n"
        } else {
            s += "  it waited \(formatDuration(nanos: a.waitNanos)) after becoming ready"
            if a.place == "io" {
                s += " before the IO executor took it (hand-over, or all IO slots in use)\n"
            } else {
                let busyAll = a.coresDuringWait.allSatisfy { $0.busyNanos * 10 >= a.waitNanos * 9 }
                if busyAll && !a.coresDuringWait.isEmpty {
                    s += ": all \(a.coresDuringWait.count) cores were busy\n"
                } else {
                    s += ": some core was free part of that time, so it waited behind tasks of higher priority "
                        + "or on another worker's deque until it was taken\n"
                }
                for c in a.coresDuringWait {
                    let share = Double(c.busyNanos) / Double(max(a.waitNanos, 1)) * 100
                    s += "    \(c.core): busy \(Int(share.rounded())) % of the wait"
                    s += c.busiestTask.map { ", mostly with '\($0)'" } ?? ""
                    s += "\n"
                }
            }
        }
        if let same = a.ranWhereLastInputWas, a.place != "io" {
            s += same ? "  it ran on the core that made its last input (its data was in that core's cache)\n"
                : "  it ran on a different core from its last input (\(a.lastInputPlace ?? "?")): taken by another worker, or dealt there\n"
        }
        if a.onCriticalPath {
            s += "  on the critical path as run: \(Int((a.criticalShare * 100).rounded())) % of the makespan\n"
        } else {
            s += "  not on the critical path: it could have finished \(formatDuration(nanos: a.slackNanos)) later without delaying anything\n"
        }
        return s
    }

    /// The tasks that waited longest after becoming ready, longest first.
    public static func topWaits(_ trace: ExecutionTrace, limit: Int = 10) -> [(task: Int, waitNanos: UInt64)] {
        var waits: [(Int, UInt64)] = []
        for r in trace.records where r.ran {
            let ready = trace.readyNanos(of: Int(r.task))
            if r.startNanos > ready { waits.append((Int(r.task), r.startNanos - ready)) }
        }
        waits.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(waits.prefix(limit)).map { (task: $0.0, waitNanos: $0.1) }
    }

    /// The run overview: makespan, busy shares, and the longest waits with one line each.
    public static func overview(_ trace: ExecutionTrace, limit: Int = 10) -> String {
        let graph = trace.graph
        var s = "\(graph.name ?? "graph"): \(graph.count) tasks, makespan \(formatDuration(nanos: trace.makespanNanos))\n"
        let busy = trace.busyNanosPerWorker
        for w in trace.workers {
            let share = trace.makespanNanos > 0 ? Double(busy[w.index]) / Double(trace.makespanNanos) * 100 : 0
            s += "  core \(w.coreLogicalIndex) (cpu \(w.osCPU)): busy \(Int(share.rounded())) %\n"
        }
        let waits = topWaits(trace, limit: limit)
        if waits.isEmpty { return s + "no task waited after becoming ready\n" }
        s += "longest waits after becoming ready (`dagrun explain TRACE TASK` for one):\n"
        for (i, wait) in waits {
            let a = task(trace, i)
            let reason: String
            if a.place == "io" {
                reason = "IO slot"
            } else if a.coresDuringWait.allSatisfy({ $0.busyNanos * 10 >= wait * 9 }) {
                reason = "all cores busy" + (a.coresDuringWait.compactMap(\.busiestTask).first.map { " (e.g. with '\($0)')" } ?? "")
            } else {
                reason = "priority or stealing (a core was free part of the time)"
            }
            s += "  \(graph.ids[i]) (\(graph.op(of: i))): waited \(formatDuration(nanos: wait)), \(reason)\n"
        }
        return s
    }
}
