/// Why a numeric kernel refused its arguments.
///
/// Thrown by ``Kernels`` and ``ReferenceKernels`` before any arithmetic
/// happens, so a thrown error never leaves a half-written result behind.
/// `description` is a sentence naming the operation and the offending
/// shapes, for example:
///
///     gemm: cannot multiply 100x50 by 60x10: A has 50 columns but B has 60 rows
public struct KernelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of problem, for code that wants to branch on it.
    public enum Kind: Sendable, Equatable {
        /// Operand shapes are incompatible (inner dimensions, `c`, elementwise).
        case shapeMismatch
        /// The operation needs a square matrix.
        case notSquare
        /// Cholesky found a leading minor that is not positive definite.
        case notPositiveDefinite
        /// LU factorization found an exactly zero pivot: the matrix is singular.
        case singular
        /// LU factorization without pivoting met a column whose largest entry is off the
        /// diagonal: partial pivoting would interchange rows there.
        case needsPivoting
        /// A block, slice or tile does not lie inside the matrix it refers to.
        case outOfBounds
        /// LAPACK rejected an argument (a negative `info`); a bug in the caller.
        case illegalArgument
        /// A dimension exceeds the 32-bit index range of the OpenBLAS build.
        case tooLarge
    }

    /// The class of problem.
    public let kind: Kind
    /// The public function that threw: "gemm", "add", "potrf", ...
    public let operation: String
    /// What is wrong and, where there is one, what to pass instead.
    public let message: String

    public init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}
