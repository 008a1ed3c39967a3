/// The parameters of a generated graph; which ones a shape reads is said on ``GraphShape``.
///
/// ```swift
/// var options = GenOptions(n: 100_000)
/// options.seed = 7
/// try options.validate()
/// GraphGenerator.write(.random, options) { bytes in sendToFile(bytes) }
/// ```
///
/// `op` chooses what the tasks do:
/// - `"noop"` (default): every task is `noop`; inputs only order the tasks. For
///   measuring scheduling overhead.
/// - `"random"`: every task without inputs is a `random` matrix of
///   `matrixSize` x `matrixSize` (seeded by its task number); every other task is
///   `sum` of its inputs (a scalar). Cheap, memory-bound work.
/// - `"gemm"`: sources as for `"random"`; a task with one input multiplies it by
///   itself, with two multiplies them, with three computes
///   `0.5/size * A·B + 0.5 * C`; with more it `add`s them. The factor `1/size` keeps
///   the values of chained products in [0, 1].
public struct GenOptions: Sendable {
    /// The number of tasks, roughly: see each ``GraphShape`` for how it is read.
    public var n: Int
    /// What each task does: `"noop"`, `"random"` or `"gemm"` (see the type's documentation).
    public var op: String = "noop"
    /// The seed of ``GraphShape/random``'s choices; the same seed writes the same bytes.
    public var seed: UInt64 = 1
    /// The most inputs of a ``GraphShape/random`` task.
    public var maxInDegree: Int = 3
    /// The layer width of ``GraphShape/random``, and the fan-out of ``GraphShape/forkjoin``.
    public var width: Int = 1000
    /// How many of the most recent earlier tasks a ``GraphShape/random`` task may take inputs from.
    public var window: Int = 10000
    /// The rounds of ``GraphShape/forkjoin``.
    public var levels: Int = 10
    /// The rows and columns of the matrices of a numeric `op`; `nil` means ``defaultMatrixSize``.
    public var matrixSize: Int? = nil

    /// The ops `op` may name.
    public static let ops = ["noop", "random", "gemm"]
    /// The matrix size of numeric ops when ``matrixSize`` is `nil`.
    public static let defaultMatrixSize = 64

    public init(n: Int) {
        self.n = n
    }

    /// Checks every field, throwing the first problem as a sentence a user can act on.
    public func validate() throws(GenOptionsError) {
        if n < 1 { throw GenOptionsError(option: "n", message: "n is \(n) but a graph needs at least 1 task") }
        if !Self.ops.contains(op) {
            throw GenOptionsError(option: "op", message: "unknown op '\(op)'; the generators write \(Self.ops.joined(separator: ", "))")
        }
        if maxInDegree < 0 {
            throw GenOptionsError(option: "max-in-degree", message: "max-in-degree is \(maxInDegree) but must be 0 or more")
        }
        if width < 1 { throw GenOptionsError(option: "width", message: "width is \(width) but must be 1 or more") }
        if window < 1 { throw GenOptionsError(option: "window", message: "window is \(window) but must be 1 or more") }
        if levels < 1 { throw GenOptionsError(option: "levels", message: "levels is \(levels) but must be 1 or more") }
        if let size = matrixSize, size < 1 {
            throw GenOptionsError(option: "matrix-size", message: "matrix-size is \(size) but must be 1 or more")
        }
    }
}

/// A ``GenOptions`` field out of range, from ``GenOptions/validate()``.
public struct GenOptionsError: Error, Sendable, CustomStringConvertible {
    /// The option's command-line name, e.g. `"max-in-degree"`.
    public var option: String
    public var message: String

    public var description: String { message }
}
