import DagCore
import DagKernels

/// The result of a task, handed to its consumers.
///
/// Matrices are shared by reference between tasks and never mutated after their
/// producing task returns; an op that needs to change a matrix makes a new one.
public enum TaskValue: Sendable, CustomStringConvertible {
    case matrix(Matrix)
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
        case .scalar(let v): "scalar \(v)"
        case .text(let s): "text (\(s.utf8.count) bytes)"
        case .bytes(let b): "\(b.count) bytes"
        case .nothing: "nothing"
        case .custom(let v): "\(type(of: v.value))"
        }
    }

    public var matrix: Matrix? { if case .matrix(let m) = self { m } else { nil } }
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
/// its inputs (`noop`) never pays for them.
public struct OpInput: @unchecked Sendable {
    /// Unowned: an OpInput lives only while its run executes the task (no retain per task).
    unowned(unsafe) let run: Run
    /// The task's index in the graph.
    public let task: Int32
    /// Set for an IO attempt that can be stopped (a timeout): blocking ops poll it between
    /// chunks and register how to stop what they wait for (an external command's kill).
    public let cancellation: CancelToken?

    init(run: Run, task: Int32, cancellation: CancelToken? = nil) {
        self.run = run
        self.task = task
        self.cancellation = cancellation
    }

    /// Throws when this attempt was stopped (its timeout passed): long blocking ops call it
    /// between chunks of work.
    public func checkCancelled() throws(OpError) {
        if let c = cancellation, c.isCancelled { throw OpError("stopped: \(c.reason)") }
    }

    public var taskID: String { run.graph.ids[Int(task)] }
    public var args: Args { run.graph.args[Int(task)] }
    public var baseDirectory: String { run.options.baseDirectory }

    public var inputCount: Int { Int(run.inputOffsets[Int(task) + 1] - run.inputOffsets[Int(task)]) }

    /// Input `k`'s value.
    public func input(_ k: Int) -> TaskValue {
        run.values[Int(run.inputIndices[Int(run.inputOffsets[Int(task)]) + k])] ?? .nothing
    }

    /// Input `k`'s task id.
    public func inputID(_ k: Int) -> String {
        run.graph.ids[Int(run.inputIndices[Int(run.inputOffsets[Int(task)]) + k])]
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
}

/// A failure inside an op, as a sentence.
public struct OpError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
