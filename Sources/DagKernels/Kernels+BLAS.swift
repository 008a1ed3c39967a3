/// BLAS levels 1 to 3 beyond `gemm`, on row-major matrices.
///
/// Every call goes through ``OpenBLASCalls`` with `CblasRowMajor`, so
/// OpenBLAS reads the storage as it is, and runs on the calling thread once
/// ``BLAS/useSingleThread()`` has been called. Inputs are never written: each
/// result is a fresh matrix (a copy of `y`, `C` or `B` that BLAS then updates
/// in place).
extension Kernels {
    // MARK: Level 1: matrices as flat vectors of their elements

    /// `alpha * x + y`, element by element (`cblas_daxpy` onto a copy of `y`).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes.
    /// - Complexity: 2·count flops.
    public static func axpy(_ alpha: Double, _ x: Matrix, _ y: Matrix) throws(KernelError) -> Matrix {
        try KernelShapes.requireSameShape(x, y, operation: "axpy", verb: "combine")
        let result = Matrix(rows: y.rows, cols: y.cols, isVector: x.isVector && y.isVector)
        withExtendedLifetime((x, y)) {
            result.baseAddress.update(from: y.baseAddress, count: y.count)
            OpenBLASCalls.daxpy(count: x.count, alpha: alpha, x: x.baseAddress, y: result.baseAddress)
        }
        return result
    }

    /// `Σ x[i]·y[i]` over all elements in row-major order (`cblas_ddot`).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes.
    public static func dot(_ x: Matrix, _ y: Matrix) throws(KernelError) -> Double {
        try KernelShapes.requireSameShape(x, y, operation: "dot", verb: "take the dot product of")
        return withExtendedLifetime((x, y)) {
            OpenBLASCalls.ddot(count: x.count, x: x.baseAddress, y: y.baseAddress)
        }
    }

    /// The Euclidean norm of all elements, `√(Σ x[i]²)`: for a matrix, its
    /// Frobenius norm (`cblas_dnrm2`, which scales as it goes, so squares
    /// of very large or very small elements neither overflow nor vanish).
    public static func nrm2(_ x: Matrix) -> Double {
        withExtendedLifetime(x) {
            OpenBLASCalls.dnrm2(count: x.count, x: x.baseAddress)
        }
    }

    /// The Euclidean norm of the elements of several matrices taken together, each
    /// input's sum of squares scaled by its weight: `√(Σ_k w_k·‖x_k‖²)` (all weights 1
    /// when `weights` is nil). With weight 2 for the strictly-lower tiles and 1 for the
    /// diagonal ones, the lower tiles of a symmetric matrix give its Frobenius norm.
    ///
    /// Each input's norm is `cblas_dnrm2`'s; they are combined relative to the largest,
    /// so no square overflows or vanishes. One input without weights gives exactly
    /// ``nrm2(_:)``. A NaN in any input (even one weighted 0) makes the result NaN, an
    /// infinity makes it infinite; weights should be finite and ≥ 0 (a negative one can
    /// make the sum negative and the result NaN).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` when there are no inputs or the
    ///   weights are not one per input.
    /// - Complexity: O(total elements).
    public static func nrm2(of inputs: [Matrix], weights: [Double]? = nil) throws(KernelError) -> Double {
        guard !inputs.isEmpty else {
            throw KernelError(.shapeMismatch, operation: "nrm2", message: "needs at least one matrix")
        }
        if let weights, weights.count != inputs.count {
            throw KernelError(
                .shapeMismatch, operation: "nrm2",
                message: "has \(inputs.count) matrices but \(weights.count) weights; give one weight per matrix")
        }
        let norms = inputs.map { nrm2($0) }
        if inputs.count == 1 && weights == nil { return norms[0] }
        var largest = 0.0
        for s in norms {
            if s.isNaN { return .nan }
            largest = max(largest, s)
        }
        guard largest > 0, largest.isFinite else { return largest }
        var sum = 0.0
        for (k, s) in norms.enumerated() {
            let q = s / largest
            sum += (weights?[k] ?? 1) * q * q
        }
        return largest * sum.squareRoot()
    }

    // MARK: Level 2

    /// The part of a square matrix that a product reads (``gemv(_:_:y:alpha:beta:trans:triangle:)``):
    /// all of it, or one triangle, the diagonal included or taken as ones. A packed LU
    /// tile (unit-lower L below the diagonal, U on and above it) is `lowerUnit` for L and
    /// `upper` for U.
    public enum Triangle: String, Sendable, CaseIterable {
        /// Every element.
        case full
        /// The lower triangle and the diagonal; zero above.
        case lower
        /// The upper triangle and the diagonal; zero below.
        case upper
        /// The strict lower triangle with ones on the diagonal, which is not read.
        case lowerUnit = "lower-unit"
        /// The strict upper triangle with ones on the diagonal, which is not read.
        case upperUnit = "upper-unit"

        /// Whether the triangle is the upper one (nil for `full`).
        var isUpper: Bool? {
            switch self {
            case .full: nil
            case .lower, .lowerUnit: false
            case .upper, .upperUnit: true
            }
        }

        var isUnit: Bool { self == .lowerUnit || self == .upperUnit }
    }

    /// `alpha * op(A) * x + beta * y0`, a vector (`cblas_dgemv`).
    ///
    /// A is `m x n`; x is `n x 1` (`trans`: `m x 1`); the result is `m x 1`
    /// (`trans`: `n x 1`), a 1-D vector when x is one. Without `y` the
    /// product starts from zero; as in BLAS, `y` is not read when `beta` is 0.
    ///
    /// With a `triangle` other than `.full`, A must be square and only that
    /// part of it is read (`cblas_dtrmv` on a copy of x): op(A) is then the
    /// triangle, transposed when `trans` is set.
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming the shapes; `.notSquare`
    ///   for a triangle of a matrix that is not square.
    /// - Complexity: 2·m·n flops (a triangle: n² flops).
    public static func gemv(
        _ a: Matrix, _ x: Matrix, y: Matrix? = nil, alpha: Double = 1, beta: Double = 0, trans: Bool = false,
        triangle: Triangle = .full
    ) throws(KernelError) -> Matrix {
        let shape = try GemvShape(a, x, y: y, trans: trans, triangle: triangle)
        try OpenBLASCalls.checkIndex(a.rows, a.cols, operation: "gemv")
        let result = Matrix(rows: shape.length, cols: 1, isVector: x.isVector)
        if let y, beta != 0 {
            withExtendedLifetime(y) { result.baseAddress.update(from: y.baseAddress, count: y.count) }
        }
        guard shape.length > 0 else { return result }
        if triangle != .full {
            if y != nil && beta != 0 && beta != 1 { OpenBLASCalls.dscal(count: result.count, alpha: beta, x: result.baseAddress) }
            addTriangularProduct(a, x, triangle: triangle, trans: trans, alpha: alpha, into: result.baseAddress)
            return result
        }
        guard shape.inner > 0 else {
            // BLAS returns at once when A has no rows or columns, leaving y unscaled.
            if y != nil && beta != 0 { OpenBLASCalls.dscal(count: result.count, alpha: beta, x: result.baseAddress) }
            return result
        }
        withExtendedLifetime((a, x)) {
            OpenBLASCalls.dgemv(
                trans: trans, m: a.rows, n: a.cols, alpha: alpha, a: a.baseAddress, lda: a.cols,
                x: x.baseAddress, beta: y != nil && beta != 0 ? beta : 0, y: result.baseAddress)
        }
        return result
    }

    /// `alpha · (op(M_0)·v_0 + op(M_1)·v_1 + …)`, one column: a block of a matrix–vector
    /// product computed from tiles, each pair one `cblas_dgemv` accumulating into the
    /// result (the sum runs in pair order). op(M_k) is M_k, or its transpose when the
    /// pair's `trans` is set.
    ///
    /// Every op(M_k) must have the same number of rows, the result's length; v_k is a
    /// column with as many rows as op(M_k) has columns. The result is a 1-D vector when
    /// every v_k is one. `triangles`, one per pair (nil: all `.full`), restricts a pair
    /// to a triangle of its square M_k, as in ``gemv(_:_:y:alpha:beta:trans:triangle:)``:
    /// that pair is a `cblas_dtrmv` on a copy of v_k, added in.
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming the pair, when there are no
    ///   pairs, a vector does not fit its matrix, two products differ in length or
    ///   `triangles` does not have one entry per pair; `.notSquare` for a triangle of
    ///   a matrix that is not square.
    /// - Complexity: 2·Σ rows·cols flops.
    public static func gemv(pairs: [(matrix: Matrix, vector: Matrix, trans: Bool)], alpha: Double = 1,
                            triangles: [Triangle]? = nil) throws(KernelError) -> Matrix {
        let shapes = try GemvShape.pairs(pairs, triangles: triangles)
        for (m, _, _) in pairs { try OpenBLASCalls.checkIndex(m.rows, m.cols, operation: "gemv") }
        let result = Matrix(rows: shapes.length, cols: 1, isVector: pairs.allSatisfy { $0.vector.isVector })
        guard shapes.length > 0 else { return result }
        for (k, (m, v, trans)) in pairs.enumerated() where shapes.inner[k] > 0 {
            if let triangle = triangles?[k], triangle != .full {
                addTriangularProduct(m, v, triangle: triangle, trans: trans, alpha: alpha, into: result.baseAddress)
                continue
            }
            withExtendedLifetime((m, v)) {
                OpenBLASCalls.dgemv(
                    trans: trans, m: m.rows, n: m.cols, alpha: alpha, a: m.baseAddress, lda: m.cols,
                    x: v.baseAddress, beta: 1, y: result.baseAddress)
            }
        }
        return result
    }

    /// `out += alpha · op(T)·x` for T a triangle (not `.full`) of the square `a`:
    /// `cblas_dtrmv` on a copy of x, then `cblas_daxpy` into `out`.
    private static func addTriangularProduct(_ a: Matrix, _ x: Matrix, triangle: Triangle, trans: Bool, alpha: Double,
                                             into out: UnsafeMutablePointer<Double>) {
        let n = a.rows
        guard n > 0, let upper = triangle.isUpper else { return }
        let product = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { product.deallocate() }
        withExtendedLifetime((a, x)) {
            product.initialize(from: x.baseAddress, count: n)
            OpenBLASCalls.dtrmv(upper: upper, trans: trans, unit: triangle.isUnit, n: n, a: a.baseAddress, lda: a.cols,
                                x: product)
        }
        OpenBLASCalls.daxpy(count: n, alpha: alpha, x: product, y: out)
    }

    // MARK: Level 3

    /// `alpha * A * Aᵀ + beta * C0` (`trans`: `alpha * Aᵀ * A + beta * C0`),
    /// the full symmetric `n x n` matrix.
    ///
    /// `cblas_dsyrk` computes the lower triangle (half the flops of `gemm`);
    /// it is then mirrored into the upper one. C0 must be symmetric: only
    /// its lower triangle is read, and not at all when `beta` is 0.
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` when `c` is not `n x n`.
    /// - Complexity: n·(n + 1)·k flops.
    public static func syrk(
        _ a: Matrix, c: Matrix? = nil, alpha: Double = 1, beta: Double = 0, trans: Bool = false
    ) throws(KernelError) -> Matrix {
        let (n, k) = trans ? (a.cols, a.rows) : (a.rows, a.cols)
        if let c, c.rows != n || c.cols != n {
            throw KernelError(
                .shapeMismatch, operation: "syrk",
                message: "c is \(c.shapeDescription) but \(trans ? "Aᵀ·A" : "A·Aᵀ") is \(n)x\(n); pass a \(n)x\(n) c, or none")
        }
        try OpenBLASCalls.checkIndex(a.rows, a.cols, operation: "syrk")
        let result = Matrix(rows: n, cols: n)
        let useC = c != nil && beta != 0
        if let c, useC {
            withExtendedLifetime(c) { result.baseAddress.update(from: c.baseAddress, count: c.count) }
        }
        guard n > 0 else { return result }
        withExtendedLifetime(a) {
            OpenBLASCalls.dsyrk(
                lower: true, trans: trans, n: n, k: k, alpha: alpha, a: a.baseAddress, lda: a.cols,
                beta: useC ? beta : 0, c: result.baseAddress, ldc: n)
        }
        mirrorLowerToUpper(result.baseAddress, n: n)
        return result
    }

    /// Which side of X the triangular matrix stands on in ``trsm(_:_:side:lower:transA:unit:alpha:)``.
    public enum Side: String, Sendable, CaseIterable {
        /// Solve op(A)·X = alpha·B.
        case left
        /// Solve X·op(A) = alpha·B.
        case right
    }

    /// X solving `op(A) * X = alpha * B` (`side` `.left`) or
    /// `X * op(A) = alpha * B` (`.right`), A triangular (`cblas_dtrsm`).
    ///
    /// Only the `lower` (or upper) triangle of A is read; with `unit` its
    /// diagonal is taken as ones and not read either. A singular triangle
    /// (a zero on the diagonal) yields infinities or NaNs, as in BLAS.
    ///
    /// - Throws: ``KernelError`` `.notSquare` when A is not square,
    ///   `.shapeMismatch` when its order differs from B's rows (`.left`) or
    ///   columns (`.right`).
    /// - Complexity: m²·n flops (`.left`, B `m x n`), n²·m (`.right`).
    public static func trsm(
        _ a: Matrix, _ b: consuming Matrix, side: Side = .left, lower: Bool = true, transA: Bool = false,
        unit: Bool = false, alpha: Double = 1
    ) throws(KernelError) -> Matrix {
        try KernelShapes.requireSquare(a, operation: "trsm", name: "A")
        let needed = side == .left ? b.rows : b.cols
        guard a.rows == needed else {
            let what = side == .left ? "op(A)·X = B needs A's order to equal B's rows"
                : "X·op(A) = B needs A's order to equal B's columns"
            throw KernelError(
                .shapeMismatch, operation: "trsm",
                message: "A is \(a.shapeDescription) and B is \(b.shapeDescription): \(what) (\(needed))")
        }
        try OpenBLASCalls.checkIndex(b.rows, b.cols, operation: "trsm")
        let (rows, cols) = (b.rows, b.cols)
        var result = consume b
        // dtrsm overwrites B with X: in place when the caller holds the only reference to B.
        if !isKnownUniquelyReferenced(&result) || result === a { result = result.copy() }
        guard rows > 0, cols > 0 else { return result }
        withExtendedLifetime(a) {
            OpenBLASCalls.dtrsm(
                left: side == .left, lower: lower, transA: transA, unit: unit, m: rows, n: cols,
                alpha: alpha, a: a.baseAddress, lda: a.cols, b: result.baseAddress, ldb: cols)
        }
        return result
    }

    /// Copies the strict lower triangle of the row-major `n x n` matrix onto
    /// the upper one, in 32 x 32 tiles so that the column-wise writes stay
    /// in cache.
    static func mirrorLowerToUpper(_ m: UnsafeMutablePointer<Double>, n: Int) {
        let tile = 32
        for i0 in stride(from: 0, to: n, by: tile) {
            for j0 in stride(from: 0, through: i0, by: tile) {
                for i in i0..<min(i0 + tile, n) {
                    for j in j0..<min(j0 + tile, i) {
                        m[j * n + i] = m[i * n + j]
                    }
                }
            }
        }
    }
}
