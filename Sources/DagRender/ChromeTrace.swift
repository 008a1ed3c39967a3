import DagCore

/// Chrome trace-event JSON (the "JSON Object Format"), loadable in Perfetto and
/// chrome://tracing, and dagrun's saved-run format (``SavedRun`` reads it back for
/// `dagrun dot --schedule`, `dagrun explain` and `dagrun topology --load`).
///
/// - Process 1 holds one track per CPU worker, named by its core (the thread-name event
///   also carries the core, OS CPU, package and NUMA node as arguments).
/// - Process 2 holds the IO executor, its overlapping tasks spread over as few lanes as
///   possible.
/// - Process 3 holds the tasks that never ran (cancelled), as instant events.
/// - Each task that ran is a complete ("X") event whose arguments are its task index, op,
///   class, inputs (ids), status, OS CPU, the moment it became ready, attempt, executor
///   (thread, process or io), result bytes and error; a retried task has one event per attempt.
/// - Dependencies between tasks that ran are flow arrows ("s"/"f" events), up to
///   ``maxFlowArrows`` of them (a million arrows make a trace no viewer can open).
/// - `otherData` holds the run: graph name, task and worker counts, makespan, timing.
public enum ChromeTrace {
    /// The most dependency arrows written; beyond it they are left out (the trace says so).
    public static let maxFlowArrows = 20_000

    public static func json(_ trace: ExecutionTrace) -> String {
        let graph = trace.graph
        var events: [String] = []
        events.reserveCapacity(trace.records.count + trace.workers.count * 2 + 8)
        events.append(#"{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"dagrun CPU workers"}}"#)
        events.append(#"{"name":"process_name","ph":"M","pid":2,"tid":0,"args":{"name":"dagrun IO executor"}}"#)
        events.append(#"{"name":"process_name","ph":"M","pid":3,"tid":0,"args":{"name":"dagrun tasks not run"}}"#)
        events.append(#"{"name":"process_sort_index","ph":"M","pid":3,"tid":0,"args":{"sort_index":3}}"#)
        for w in trace.workers {
            let args = #""name":"worker \#(w.index) · core \#(w.coreLogicalIndex) (cpu \#(w.osCPU))","worker":\#(w.index),"core":\#(w.coreLogicalIndex),"cpu":\#(w.osCPU),"package":\#(w.packageIndex),"numa":\#(w.numaIndex),"pinned":\#(w.pinned),"cpu_s":\#(w.cpuSeconds)"#
            events.append(#"{"name":"thread_name","ph":"M","pid":1,"tid":\#(w.index),"args":{\#(args)}}"#)
            events.append(#"{"name":"thread_sort_index","ph":"M","pid":1,"tid":\#(w.index),"args":{"sort_index":\#(w.index)}}"#)
        }
        let laneOf = ioLanes(trace)
        for lane in Set(laneOf.values).sorted() {
            events.append(#"{"name":"thread_name","ph":"M","pid":2,"tid":\#(lane),"args":{"name":"io lane \#(lane)"}}"#)
        }
        events.append(#"{"name":"thread_name","ph":"M","pid":3,"tid":0,"args":{"name":"cancelled"}}"#)
        for r in trace.retriedAttempts + trace.records {
            let i = Int(r.task)
            let inputs = graph.inputs(of: i).map { jsonString(graph.ids[Int($0)]) }.joined(separator: ",")
            var args = #""index":\#(i),"op":\#(jsonString(graph.op(of: i))),"class":"\#(graph.classes[i].rawValue)","inputs":[\#(inputs)],"status":"\#(r.status.rawValue)""#
            args += #","attempt":\#(r.attempt)"#
            if r.ran { args += #","executor":"\#(r.inProcess ? "process" : r.worker >= 0 ? "thread" : "io")""# }
            if r.resultBytes > 0 { args += #","bytes":\#(r.resultBytes)"# }
            if let m = r.message { args += #","error":\#(jsonString(m))"# }
            if r.ran {
                let (pid, tid) = r.worker >= 0 ? (1, Int(r.worker)) : (2, laneOf[r.task] ?? 0)
                args += #","cpu":\#(r.cpu),"ready_us":\#(micros(trace.readyNanos(of: i)))"#
                events.append(#"{"name":\#(jsonString(graph.ids[i])),"cat":\#(jsonString(graph.op(of: i))),"ph":"X","pid":\#(pid),"tid":\#(tid),"ts":\#(micros(r.startNanos)),"dur":\#(micros(r.durationNanos)),"args":{\#(args)}}"#)
            } else {
                events.append(#"{"name":\#(jsonString(graph.ids[i])),"cat":\#(jsonString(graph.op(of: i))),"ph":"i","s":"t","pid":3,"tid":0,"ts":0,"args":{\#(args)}}"#)
            }
        }
        var arrows = 0
        var arrowsLeftOut = 0
        if trace.timed {
            for r in trace.records where r.ran {
                let i = Int(r.task)
                for j in graph.inputs(of: i) where trace.records[Int(j)].ran {
                    guard arrows < maxFlowArrows else { arrowsLeftOut += 1; continue }
                    let p = trace.records[Int(j)]
                    let (pp, pt) = p.worker >= 0 ? (1, Int(p.worker)) : (2, laneOf[p.task] ?? 0)
                    let (cp, ct) = r.worker >= 0 ? (1, Int(r.worker)) : (2, laneOf[r.task] ?? 0)
                    // The arrow leaves at the producer's last moment and lands at the consumer's start.
                    let leave = p.endNanos > p.startNanos ? p.endNanos - 1 : p.startNanos
                    events.append(#"{"name":"input","cat":"dependency","ph":"s","id":\#(arrows),"pid":\#(pp),"tid":\#(pt),"ts":\#(micros(leave))}"#)
                    events.append(#"{"name":"input","cat":"dependency","ph":"f","bp":"e","id":\#(arrows),"pid":\#(cp),"tid":\#(ct),"ts":\#(micros(r.startNanos))}"#)
                    arrows += 1
                }
            }
        }
        var other = #""dagrun_trace_format":1,"graph":\#(jsonString(graph.name ?? "graph")),"tasks":\#(graph.count),"workers":\#(trace.workers.count),"makespan_us":\#(micros(trace.makespanNanos)),"timed":\#(trace.timed),"flow_arrows":\#(arrows)"#
        if arrowsLeftOut > 0 { other += #","flow_arrows_left_out":\#(arrowsLeftOut)"# }
        return "{\"displayTimeUnit\":\"ms\",\"otherData\":{\(other)},\"traceEvents\":[\n" + events.joined(separator: ",\n") + "\n]}\n"
    }

    /// IO lanes: greedy interval partitioning of the IO tasks in start order.
    static func ioLanes(_ trace: ExecutionTrace) -> [Int32: Int] {
        let io = trace.records.filter { $0.worker == -1 }.sorted { $0.startNanos < $1.startNanos }
        var laneEnds: [UInt64] = []
        var laneOf: [Int32: Int] = [:]
        for r in io {
            if let lane = laneEnds.firstIndex(where: { $0 <= r.startNanos }) {
                laneEnds[lane] = r.endNanos
                laneOf[r.task] = lane
            } else {
                laneOf[r.task] = laneEnds.count
                laneEnds.append(r.endNanos)
            }
        }
        return laneOf
    }

    /// Microseconds with nanosecond precision ("12.345").
    static func micros(_ nanos: UInt64) -> String {
        let whole = nanos / 1000, frac = nanos % 1000
        return frac == 0 ? "\(whole)" : "\(whole)." + String(String(frac + 1000).dropFirst())
    }
}
