import DagCore
import DagJSON
import Glibc

/// A run read back from the trace `dagrun run --trace FILE` wrote (see ``ChromeTrace``):
/// the graph's structure (ids, ops, classes, inputs) and every task's record, as an
/// ``ExecutionTrace`` that the renderers take like a live one.
///
/// The graph is rebuilt from the trace alone, so ops need not be known to this dagrun:
/// each op becomes a signature that accepts what the trace recorded.
public enum SavedRun {
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads and rebuilds the run saved at `path`.
    public static func read(path: String) throws(ReadError) -> ExecutionTrace {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(description: "cannot read trace '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(description: "cannot read trace '\(path)': \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return try decode(bytes, name: path)
    }

    /// Rebuilds a run from trace JSON; `name` names it in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws(ReadError) -> ExecutionTrace {
        func fail(_ message: String) -> ReadError { ReadError(description: "\(name): \(message)") }
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch {
            throw fail("not JSON (\(error.message) at line \(error.position.line), column \(error.position.column))")
        }
        guard case .object(let top) = root.value else { throw fail("a trace is a JSON object") }
        guard let other = member(top, "otherData"), case .object(let meta) = other.value,
              int(member(meta, "dagrun_trace_format")) == 1 else {
            throw fail("not a trace written by `dagrun run --trace` (no otherData.dagrun_trace_format 1)")
        }
        guard let eventsNode = member(top, "traceEvents"), case .array(let events) = eventsNode.value else {
            throw fail("no traceEvents array")
        }
        let taskCount = int(member(meta, "tasks")) ?? -1
        guard taskCount >= 0 else { throw fail("otherData.tasks is missing") }

        struct Task {
            var id = "", op = "", taskClass = TaskClass.cpu, inputs: [String] = []
            var record: ExecutionRecord?
        }
        var tasks = [Task?](repeating: nil, count: taskCount)
        var workers: [ExecutionTrace.Worker] = []
        var retried: [ExecutionRecord] = []
        for e in events {
            guard case .object(let fields) = e.value, let ph = string(member(fields, "ph")) else { continue }
            let pid = int(member(fields, "pid")) ?? 0
            guard let argsNode = member(fields, "args"), case .object(let args) = argsNode.value else { continue }
            if ph == "M", string(member(fields, "name")) == "thread_name", pid == 1, let w = int(member(args, "worker")) {
                workers.append(ExecutionTrace.Worker(
                    index: w, coreLogicalIndex: int(member(args, "core")) ?? w, osCPU: int(member(args, "cpu")) ?? -1,
                    pinned: bool(member(args, "pinned")) ?? false, cpuSeconds: double(member(args, "cpu_s")) ?? 0,
                    packageIndex: int(member(args, "package")) ?? 0, numaIndex: int(member(args, "numa")) ?? 0))
                continue
            }
            guard ph == "X" || ph == "i", let index = int(member(args, "index")) else { continue }
            guard index >= 0 && index < taskCount else { throw fail("task index \(index) outside 0..<\(taskCount)") }
            var t = Task()
            t.id = string(member(fields, "name")) ?? "#\(index)"
            t.op = string(member(args, "op")) ?? "?"
            t.taskClass = TaskClass(rawValue: string(member(args, "class")) ?? "cpu") ?? .cpu
            if let inputs = member(args, "inputs"), case .array(let items) = inputs.value {
                t.inputs = items.compactMap { string($0) }
            }
            let status = ExecutionRecord.Status(rawValue: string(member(args, "status")) ?? "") ?? .done
            let start = nanos(member(fields, "ts")), duration = nanos(member(fields, "dur"))
            let worker: Int32 = ph == "i" ? -2 : pid == 1 ? Int32(int(member(fields, "tid")) ?? 0) : -1
            t.record = ExecutionRecord(task: Int32(index), status: status, worker: worker,
                                       cpu: Int32(int(member(args, "cpu")) ?? -1),
                                       startNanos: ph == "i" ? 0 : start, endNanos: ph == "i" ? 0 : start + duration,
                                       message: string(member(args, "error")),
                                       attempt: int(member(args, "attempt")) ?? 1,
                                       inProcess: string(member(args, "executor")) == "process",
                                       resultBytes: int(member(args, "bytes")) ?? 0)
            // A retried task has one event per attempt: the last is the record, the others
            // earlier attempts.
            if let earlier = tasks[index], let e = earlier.record, e.attempt > t.record!.attempt {
                retried.append(t.record!)
                continue
            } else if let earlier = tasks[index]?.record {
                retried.append(earlier)
            }
            tasks[index] = t
        }
        if let missing = tasks.firstIndex(where: { $0 == nil }) {
            throw fail("task \(missing) of \(taskCount) has no event; the trace is incomplete")
        }
        workers.sort { $0.index < $1.index }

        // The graph, from the recorded structure, with a signature per op that accepts it.
        var table = TaskTable(name: string(member(meta, "graph")))
        var catalogue = OpCatalogue()
        for t in tasks {
            let t = t!
            table.append(id: t.id, op: t.op, inputs: t.inputs, taskClass: t.taskClass)
            if catalogue[t.op] == nil {
                catalogue.register(OpSignature(name: t.op, summary: "as recorded in a trace", defaultClass: t.taskClass,
                                               inputs: .orderingOnly, shape: { _ in .unknown }, cost: { _, _ in 0 },
                                               fixed: (.unknown, 0)))
            }
        }
        let graph: TaskGraph
        do { graph = try GraphValidator(catalogue: catalogue).validate(table) } catch {
            throw fail("the recorded graph is not valid: \(error.issues.first.map(\.description) ?? "")")
        }
        return ExecutionTrace(graph: graph, workers: workers, records: tasks.map { $0!.record! },
                              makespanNanos: nanos(member(meta, "makespan_us")), timed: bool(member(meta, "timed")) ?? true,
                              retriedAttempts: retried)
    }

    static func member(_ members: [JSONMember], _ key: String) -> JSONNode? {
        members.first { $0.key == key }?.value
    }
    static func string(_ n: JSONNode?) -> String? { if case .string(let s)? = n?.value { s } else { nil } }
    static func int(_ n: JSONNode?) -> Int? { if case .int(let i)? = n?.value { i } else { nil } }
    static func bool(_ n: JSONNode?) -> Bool? { if case .bool(let b)? = n?.value { b } else { nil } }
    static func double(_ n: JSONNode?) -> Double? {
        switch n?.value {
        case .int(let i)?: Double(i)
        case .double(let d)?: d
        default: nil
        }
    }
    /// Microseconds (as written by ``ChromeTrace/micros(_:)``) to nanoseconds.
    static func nanos(_ n: JSONNode?) -> UInt64 {
        guard let us = double(n), us >= 0 else { return 0 }
        return UInt64((us * 1000).rounded())
    }
}
