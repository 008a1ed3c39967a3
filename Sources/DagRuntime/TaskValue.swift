import DagCore
import DagKernels

/// The result of a task, handed to its consumers.
///
/// Matrices are shared by reference between tasks and never mutated after their
/// producing task returns; an op that needs to change a matrix makes a new one.
public enum TaskValue: Sendable, CustomStringConvertible {
    case matrix(Matrix)
    /// The LU factors of a square matrix, from `getrf`, for `getrs`.
    case luFactors(LUFactors)
    case scalar(Double)
    case text(String)
    /// Raw bytes (`read_bytes`, `http_get` with `as: bytes`).
    case bytes([UInt8])
    case nothing
    /// Anything a Swift closure returns, boxed (see ``CustomValue``).
    case custom(CustomValue)

    public var description: String {
        switch self {
        case .matrix(let m): "matrix \(m.rows)x\(m.cols)"
        case .luFactors(let f): "\(f)"
        case .scalar(let v): "scalar \(v)"
        case .text(let s): "text (\(s.utf8.count) bytes)"
        case .bytes(let b): "\(b.count) bytes"
        case .nothing: "nothing"
        case .custom(let v): "\(type(of: v.value))"
        }
    }

    public var matrix: Matrix? { if case .matrix(let m) = self { m } else { nil } }
    public var luFactors: LUFactors? { if case .luFactors(let f) = self { f } else { nil } }
    public var scalar: Double? { if case .scalar(let v) = self { v } else { nil } }
    public var text: String? { if case .text(let s) = self { s } else { nil } }
    public var bytes: [UInt8]? { if case .bytes(let b) = self { b } else { nil } }
}

/// A closure's own result type, boxed: keeps ``TaskValue`` two words wide, so the
/// scheduler copies results without going through an existential container (a profile
/// of a 1M-task chain spent a third of the worker's time in such copies).
public final class CustomValue: Sendable {
    public let value: any Sendable
    public init(_ value: any Sendable) { self.value = value }
}

extension TaskValue {
    /// Wraps any Sendable value: `.wrap(myStruct)`.
    public static func wrap(_ value: any Sendable) -> TaskValue { .custom(CustomValue(value)) }
}

/// What an op implementation gets: its task, its input values in order, its validated
/// arguments, and the directory that relative paths are resolved against.
///
/// A view onto the run's arrays: building one allocates nothing, and an op that ignores
/// its inputs (`noop`) never pays for them. In a worker process, where there is no run,
/// it reads a ``DetachedTask`` decoded from the task frame instead.
public struct OpInput: @unchecked Sendable {
    /// Unowned: an OpInput lives only while its run executes the task (no retain per task).
    /// nil in a worker process (then `detached` is set).
    unowned(unsafe) let run: Run?
    let detached: DetachedTask?
    /// The task's index in the graph (0 in a worker process).
    public let task: Int32
    /// Set for an IO attempt that can be stopped (a timeout): blocking ops poll it between
    /// chunks and register how to stop what they wait for (an external command's kill).
    public let cancellation: CancelToken?

    init(run: Run, task: Int32, cancellation: CancelToken? = nil) {
        self.run = run
        self.detached = nil
        self.task = task
        self.cancellation = cancellation
    }

    /// Throws when this attempt was stopped (its timeout passed): long blocking ops call it
    /// between chunks of work.
    public func checkCancelled() throws(OpError) {
        if let c = cancellation, c.isCancelled { throw OpError("stopped: \(c.reason)") }
    }

    init(_ detached: DetachedTask) {
        self.run = nil
        self.detached = detached
        self.task = 0
        self.cancellation = nil   // a process task's timeout kills its worker process instead
    }

    public var taskID: String { detached?.taskID ?? run!.graph.ids[Int(task)] }
    public var args: Args { detached?.args ?? run!.graph.args[Int(task)] }
    public var baseDirectory: String { detached?.baseDirectory ?? run!.options.baseDirectory }
    /// Which attempt this is: 1 for the first, 2 for the first retry (see `retries`).
    public var attempt: Int { detached?.attempt ?? run!.attempts.map { Int($0[Int(task)]) + 1 } ?? 1 }

    public var inputCount: Int {
        if let detached { return detached.inputs.count }
        return Int(run!.inputOffsets[Int(task) + 1] - run!.inputOffsets[Int(task)])
    }

    /// Input `k`'s value.
    public func input(_ k: Int) -> TaskValue {
        if let detached { return detached.inputs[k] }
        let run = run!
        return run.values[Int(run.inputIndices[Int(run.inputOffsets[Int(task)]) + k])] ?? .nothing
    }

    /// Input `k`'s task id.
    public func inputID(_ k: Int) -> String {
        if let detached { return detached.inputIDs[k] }
        let run = run!
        return run.graph.ids[Int(run.inputIndices[Int(run.inputOffsets[Int(task)]) + k])]
    }

    /// All input values, in order (allocates an array).
    public var inputs: [TaskValue] { (0..<inputCount).map(input) }
    public var inputIDs: [String] { (0..<inputCount).map(inputID) }

    /// `path` resolved against ``baseDirectory`` unless absolute.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + "/" + path
    }

    /// Input `k` as a matrix, or an error naming the input and what it holds.
    public func matrix(_ k: Int) throws(OpError) -> Matrix {
        let v = input(k)
        guard case .matrix(let m) = v else { throw OpError("input '\(inputID(k))' is \(v), not a matrix") }
        return m
    }

    /// Input `k` as a matrix this op may update in place: when this task is the only reader
    /// of that result (one consumer slot in the graph, results not kept, no retries that
    /// would need the input again), the run hands its reference over, so that a kernel's
    /// uniqueness check can reuse the storage instead of copying it (an accumulating tile
    /// `gemm` then writes into its C). Otherwise the shared matrix, which a kernel copies.
    public func matrixForUpdate(_ k: Int) throws(OpError) -> Matrix {
        guard detached == nil, let run else { return try matrix(k) }
        let j = Int(run.inputIndices[Int(run.inputOffsets[Int(task)]) + k])
        guard run.mayDonate(input: j, to: Int(task)), case .matrix(let m)? = run.values[j] else { return try matrix(k) }
        run.values[j] = nil
        return m
    }

    /// Input `k` as a scalar, or an error naming the input and what it holds.
    public func scalar(_ k: Int) throws(OpError) -> Double {
        let v = input(k)
        guard case .scalar(let s) = v else { throw OpError("input '\(inputID(k))' is \(v), not a scalar") }
        return s
    }

    /// Input `k` as LU factors, or an error naming the input and what it holds.
    public func luFactors(_ k: Int) throws(OpError) -> LUFactors {
        let v = input(k)
        guard case .luFactors(let f) = v else {
            throw OpError("input '\(inputID(k))' is \(v), not LU factors; pass the result of a getrf task")
        }
        return f
    }
}

/// A task as a worker process receives it: everything an op reads, without a run.
final class DetachedTask: Sendable {
    let taskID: String
    let args: Args
    let inputs: [TaskValue]
    let inputIDs: [String]
    let baseDirectory: String
    let attempt: Int

    init(taskID: String, args: Args, inputs: [TaskValue], inputIDs: [String], baseDirectory: String, attempt: Int) {
        self.taskID = taskID
        self.args = args
        self.inputs = inputs
        self.inputIDs = inputIDs
        self.baseDirectory = baseDirectory
        self.attempt = attempt
    }
}

/// A failure inside an op, as a sentence.
public struct OpError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
