/// The LU factorization of a square matrix A, from ``Kernels/getrf(_:)``,
/// ready for ``Kernels/getrs(_:_:)`` to solve A·X = B with.
///
/// ## What is stored
///
/// `getrf` hands A's row-major storage to LAPACK's column-major `dgetrf`
/// without transposing it, so LAPACK factors what it sees there: Aᵀ.
/// It finds a permutation P, a unit lower-triangular L and an upper-
/// triangular U with
///
///     Aᵀ = P·L·U,   that is   A = Uᵀ·Lᵀ·Pᵀ,
///
/// and `packed` holds its output as it left it: in LAPACK's column-major
/// terms, U on and above the diagonal and L's multipliers below it (L's unit
/// diagonal is not stored). Read as the row-major matrix it is, `packed`
/// therefore has Uᵀ on and below its diagonal and Lᵀ's strict upper part
/// above it, so A·P = Uᵀ·Lᵀ: LU with column pivoting, with the pivots on
/// the lower factor's diagonal. `pivots` are LAPACK's, 1-based: in order for
/// k = 1...n, row k of Aᵀ (column k of A) was swapped with row `pivots[k-1]`.
/// ``Kernels/getrs(_:_:)`` solves with `dgetrs` on these factors in the
/// transposed mode, which is A·X = B.
///
/// Immutable and `Sendable`, like ``Matrix`` after publication.
public final class LUFactors: Sendable, CustomStringConvertible {
    /// n, for an `n x n` A.
    public let order: Int
    /// LAPACK's combined factors of Aᵀ (see the type documentation), `n x n`.
    public let packed: Matrix
    /// LAPACK's 1-based interchanges, `n` of them.
    public let pivots: [Int32]

    /// Factors as `dgetrf_` left them (for example read back from another process).
    public init(packed: Matrix, pivots: [Int32]) {
        precondition(packed.rows == packed.cols && pivots.count == packed.rows,
                     "LU factors of order \(packed.rows) need \(packed.rows) pivots and a square matrix")
        self.order = packed.rows
        self.packed = packed
        self.pivots = pivots
    }

    /// "LU factors of a 4x4 matrix".
    public var description: String { "LU factors of a \(order)x\(order) matrix" }
}
