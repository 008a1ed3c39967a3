import DagCore

/// Chrome trace-event JSON (the "JSON Object Format"), loadable in Perfetto and
/// chrome://tracing: process 1 holds one track per CPU worker, named by its core;
/// process 2 holds the IO executor, its overlapping tasks spread over as few lanes as
/// possible. Each task is a complete ("X") event with its op, inputs, status, attempt and executor
/// (a retried task has one event per attempt).
public enum ChromeTrace {
    public static func json(_ trace: ExecutionTrace) -> String {
        let graph = trace.graph
        var events: [String] = []
        events.append(#"{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"dagrun CPU workers"}}"#)
        events.append(#"{"name":"process_name","ph":"M","pid":2,"tid":0,"args":{"name":"dagrun IO executor"}}"#)
        for w in trace.workers {
            events.append(#"{"name":"thread_name","ph":"M","pid":1,"tid":\#(w.index),"args":{"name":"worker \#(w.index) · core \#(w.coreLogicalIndex) (cpu \#(w.osCPU))"}}"#)
            events.append(#"{"name":"thread_sort_index","ph":"M","pid":1,"tid":\#(w.index),"args":{"sort_index":\#(w.index)}}"#)
        }
        // IO lanes: greedy interval partitioning in start order.
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
        for lane in laneEnds.indices {
            events.append(#"{"name":"thread_name","ph":"M","pid":2,"tid":\#(lane),"args":{"name":"io lane \#(lane)"}}"#)
        }
        for r in trace.retriedAttempts + trace.records where r.ran {
            let i = Int(r.task)
            let (pid, tid) = r.worker >= 0 ? (1, Int(r.worker)) : (2, laneOf[r.task] ?? 0)
            let inputs = graph.inputs(of: i).map { jsonString(graph.ids[Int($0)]) }.joined(separator: ",")
            var args = #""op":\#(jsonString(graph.op(of: i))),"inputs":[\#(inputs)],"status":"\#(r.status.rawValue)""#
            args += #","class":"\#(graph.classes[i].rawValue)","cpu":\#(r.cpu),"ready_us":\#(micros(trace.readyNanos(of: i)))"#
            args += #","attempt":\#(r.attempt),"executor":"\#(r.inProcess ? "process" : r.worker >= 0 ? "thread" : "io")""#
            if let m = r.message { args += #","error":\#(jsonString(m))"# }
            events.append(#"{"name":\#(jsonString(graph.ids[i])),"cat":\#(jsonString(graph.op(of: i))),"ph":"X","pid":\#(pid),"tid":\#(tid),"ts":\#(micros(r.startNanos)),"dur":\#(micros(r.durationNanos)),"args":{\#(args)}}"#)
        }
        return "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n" + events.joined(separator: ",\n") + "\n]}\n"
    }

    /// Microseconds with nanosecond precision ("12.345").
    static func micros(_ nanos: UInt64) -> String {
        let whole = nanos / 1000, frac = nanos % 1000
        return frac == 0 ? "\(whole)" : "\(whole)." + String(String(frac + 1000).dropFirst())
    }
}
