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
    case nothing
    /// Anything a Swift closure returns.
    case custom(any Sendable)

    public var description: String {
        switch self {
        case .matrix(let m): "matrix \(m.rows)x\(m.cols)"
        case .scalar(let v): "scalar \(v)"
        case .text(let s): "text (\(s.utf8.count) bytes)"
        case .nothing: "nothing"
        case .custom(let v): "\(type(of: v))"
        }
    }

    public var matrix: Matrix? { if case .matrix(let m) = self { m } else { nil } }
    public var scalar: Double? { if case .scalar(let v) = self { v } else { nil } }
    public var text: String? { if case .text(let s) = self { s } else { nil } }
}

/// What an op implementation gets: its task's id, input values in order, validated arguments,
/// and the directory that relative paths are resolved against.
public struct OpInput: Sendable {
    public var taskID: String
    public var inputIDs: [String]
    public var inputs: [TaskValue]
    public var args: Args
    public var baseDirectory: String

    /// `path` resolved against ``baseDirectory`` unless absolute.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + "/" + path
    }

    /// Input `i` as a matrix, or an error naming the input and what it holds.
    public func matrix(_ i: Int) throws(OpError) -> Matrix {
        guard case .matrix(let m) = inputs[i] else {
            throw OpError("input '\(inputIDs[i])' is \(inputs[i]), not a matrix")
        }
        return m
    }
}

/// A failure inside an op, as a sentence.
public struct OpError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
