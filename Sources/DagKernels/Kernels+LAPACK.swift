/// LAPACK factorizations and solves on row-major matrices.
///
/// ## Row-major storage and column-major LAPACK
///
/// LAPACK reads a matrix column by column. Handed the storage of a
/// row-major `m x n` matrix A with leading dimension n, it sees the
/// column-major `n x m` matrix Aᵀ. Each routine here uses that instead of
/// copying A into column-major order (what LAPACKE's row-major wrappers do):
///
/// - `potrf`: a symmetric A equals Aᵀ, so `dpotrf` factors A itself; its
///   upper factor U (Aᵀ = Uᵀ·U in its view) is, read row-major, Uᵀ: the
///   lower factor L. So `potrf(lower: true)` calls `dpotrf` with "U" and
///   `potrf(lower: false)` with "L". The triangle LAPACK reads is the named
///   one of the row-major A.
/// - `getrf`: `dgetrf` factors Aᵀ = P·L·U; A = Uᵀ·Lᵀ·Pᵀ (see ``LUFactors``),
///   and `getrs` solves A·X = B as (Aᵀ)ᵀ·X = B, `dgetrs` with "T".
/// - `getrfNoPivot` needs A's own rows and columns (L below the diagonal, U
///   above it, row interchanges): A is transposed into a column-major buffer,
///   `dgetrf` runs there, and the packed factors are transposed back.
/// - `geqrf` needs A's own columns: A is transposed once into a column-major
///   buffer (`cblas_domatcopy`), `dgeqrf` runs there, and R is copied out.
///
/// A positive LAPACK `info` becomes a ``KernelError`` in words; a negative
/// one (an argument LAPACK rejected, which the checks here should make
/// impossible) becomes `.illegalArgument` naming the routine and argument.
extension Kernels {
    /// The Cholesky factor of a symmetric positive-definite A: lower-
    /// triangular L with `A = L * Lᵀ` (`lower`, the default), or upper-
    /// triangular U with `A = Uᵀ * U`; the other triangle is zero (`dpotrf`).
    ///
    /// Only the named triangle of A is read (the lower one for `lower`), so
    /// A may hold anything in the other.
    ///
    /// ```swift
    /// let l = try Kernels.potrf(a)                     // a = l * lᵀ
    /// let u = try Kernels.potrf(a, lower: false)       // a = uᵀ * u, u = lᵀ
    /// ```
    ///
    /// - Throws: ``KernelError`` `.notSquare`; `.notPositiveDefinite` naming
    ///   the order of the first leading minor that is not positive definite.
    /// - Complexity: n³/3 flops.
    public static func potrf(_ a: Matrix, lower: Bool = true) throws(KernelError) -> Matrix {
        try KernelShapes.requireSquare(a, operation: "potrf")
        try OpenBLASCalls.checkIndex(a.rows, operation: "potrf")
        let n = a.rows
        let result = a.copy()
        guard n > 0 else { return result }
        // Row-major lower = the upper triangle of LAPACK's column-major view.
        let info = OpenBLASCalls.dpotrf(upper: lower, n: n, a: result.baseAddress, lda: n)
        try checkInfo(info, routine: "dpotrf", operation: "potrf") { order in
            notPositiveDefinite(order: order, size: a.shapeDescription)
        }
        zeroTriangle(result.baseAddress, n: n, upper: lower)
        return result
    }

    /// The error for a failed leading minor, shared with ``ReferenceKernels``.
    static func notPositiveDefinite(order: Int, size: String) -> KernelError {
        KernelError(
            .notPositiveDefinite, operation: "potrf",
            message: "the leading minor of order \(order) is not positive definite, so the \(size) matrix "
                + "is not symmetric positive-definite (Cholesky needs an SPD matrix: check how it was built, "
                + "or factor it with getrf)")
    }

    /// The LU factors of a square A with partial pivoting (`dgetrf`), for
    /// ``getrs(_:_:)``.
    ///
    /// - Throws: ``KernelError`` `.notSquare`; `.singular` naming the pivot
    ///   U(i,i) that is exactly zero.
    /// - Complexity: 2n³/3 flops.
    public static func getrf(_ a: Matrix) throws(KernelError) -> LUFactors {
        try KernelShapes.requireSquare(a, operation: "getrf")
        try OpenBLASCalls.checkIndex(a.rows, operation: "getrf")
        let n = a.rows
        let packed = Matrix(rows: n, cols: n)
        withExtendedLifetime(a) { packed.baseAddress.update(from: a.baseAddress, count: a.count) }
        var pivots = [Int32](repeating: 0, count: n)
        guard n > 0 else { return LUFactors(packed: packed, pivots: pivots) }
        let info = pivots.withUnsafeMutableBufferPointer { p in
            OpenBLASCalls.dgetrf(m: n, n: n, a: packed.baseAddress, lda: n, pivots: p.baseAddress!)
        }
        try checkInfo(info, routine: "dgetrf", operation: "getrf") { i in
            KernelError(
                .singular, operation: "getrf",
                message: "U(\(i),\(i)) is exactly zero: the \(a.shapeDescription) matrix is singular, so A·X = B "
                    + "has no unique solution (check the matrix for a zero, repeated or dependent row or column)")
        }
        return LUFactors(packed: packed, pivots: pivots)
    }

    /// The LU factorization of a square A without pivoting, A = L·U, as one
    /// packed row-major matrix: L's multipliers strictly below the diagonal
    /// (L is unit lower-triangular; its ones are not stored), U on and above
    /// it. This is the diagonal-tile step of a tiled LU without pivoting.
    ///
    /// `dgetrf` runs on a column-major copy of A and must make no row
    /// interchange: its factors are then exactly those of an LU without
    /// pivoting. It makes none when, at every step, the diagonal entry of the
    /// remaining column is strictly the largest in magnitude (ties go to the
    /// diagonal), which holds for every matrix that is strictly diagonally
    /// dominant by columns, since its Schur complements stay so (and then the
    /// entries of U grow by at most a factor 2: the factorization is stable).
    /// Elsewhere this refuses A even where a pivot-free LU exists, as that LU
    /// could be unstable. When the caller holds the only reference to A, the
    /// factors overwrite A's storage; otherwise A is not changed.
    ///
    /// ```swift
    /// let lu = try Kernels.getrfNoPivot(a)   // a = L·U: L = I + strict lower part, U = upper part
    /// ```
    ///
    /// - Throws: ``KernelError`` `.notSquare`; `.needsPivoting` naming the
    ///   first row (from 0) where partial pivoting would interchange rows;
    ///   `.singular` naming the pivot U(i,i) that is exactly zero.
    /// - Complexity: 2n³/3 flops, plus two n x n transposes.
    public static func getrfNoPivot(_ a: consuming Matrix) throws(KernelError) -> Matrix {
        try KernelShapes.requireSquare(a, operation: "getrf")
        try OpenBLASCalls.checkIndex(a.rows, operation: "getrf")
        let n = a.rows
        guard n > 0 else { return Matrix(rows: 0, cols: 0) }
        let columns = Matrix(rows: n, cols: n, zeroed: false)  // row-major Aᵀ = column-major A
        withExtendedLifetime(a) {
            OpenBLASCalls.transpose(rows: n, cols: n, a: a.baseAddress, lda: n, b: columns.baseAddress, ldb: n)
        }
        var pivots = [Int32](repeating: 0, count: n)
        let info = pivots.withUnsafeMutableBufferPointer { p in
            OpenBLASCalls.dgetrf(m: n, n: n, a: columns.baseAddress, lda: n, pivots: p.baseAddress!)
        }
        // LAPACK's pivots are 1-based: pivots[r] == r + 1 means row r stayed in place.
        if let r = pivots.indices.first(where: { pivots[$0] != Int32($0 + 1) }) {
            throw KernelError(
                .needsPivoting, operation: "getrf",
                message: "without pivoting, the \(a.shapeDescription) matrix needs a row interchange at row \(r) "
                    + "(counting from 0): at that step the largest entry of column \(r) is in row \(Int(pivots[r]) - 1), "
                    + "not on the diagonal. An LU without pivoting (a tiled LU) needs a matrix diagonally dominant "
                    + "by columns, such as diagdom's; factor this one with pivoting (getrf with pivot true)")
        }
        try checkInfo(info, routine: "dgetrf", operation: "getrf") { i in
            KernelError(
                .singular, operation: "getrf",
                message: "U(\(i),\(i)) is exactly zero: the \(a.shapeDescription) matrix is singular, so it has no LU "
                    + "factorization without pivoting (check the matrix for a zero, repeated or dependent row or column)")
        }
        var result = consume a
        if !isKnownUniquelyReferenced(&result) { result = Matrix(rows: n, cols: n, zeroed: false) }
        OpenBLASCalls.transpose(rows: n, cols: n, a: columns.baseAddress, lda: n, b: result.baseAddress, ldb: n)
        return result
    }

    /// X solving `A * X = B` from the LU factors of A (`dgetrs`); B is
    /// `n x k`, X too.
    ///
    /// `dgetrs` wants B column-major. A single right-hand side (`n x 1`) is
    /// the same in both orders; a wider B is transposed into a column-major
    /// buffer and the solution transposed back (O(n·k) copies beside the
    /// 2n²·k flops of the solve).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` when B does not have n rows.
    public static func getrs(_ lu: LUFactors, _ b: Matrix) throws(KernelError) -> Matrix {
        let n = lu.order
        guard b.rows == n else {
            throw KernelError(
                .shapeMismatch, operation: "getrs",
                message: "B is \(b.shapeDescription) but the factored matrix is \(n)x\(n); B needs \(n) rows")
        }
        try OpenBLASCalls.checkIndex(b.rows, b.cols, operation: "getrs")
        let k = b.cols
        let result = b.copy()
        guard n > 0, k > 0 else { return result }
        var info = 0
        withExtendedLifetime((lu, b)) {
            lu.pivots.withUnsafeBufferPointer { pivots in
                if k == 1 {
                    info = OpenBLASCalls.dgetrs(
                        transposed: true, n: n, nrhs: 1, factors: lu.packed.baseAddress, lda: n,
                        pivots: pivots.baseAddress!, b: result.baseAddress, ldb: n)
                    return
                }
                let columns = Matrix(rows: k, cols: n)  // row-major Bᵀ = column-major B
                OpenBLASCalls.transpose(rows: n, cols: k, a: b.baseAddress, lda: k, b: columns.baseAddress, ldb: n)
                info = OpenBLASCalls.dgetrs(
                    transposed: true, n: n, nrhs: k, factors: lu.packed.baseAddress, lda: n,
                    pivots: pivots.baseAddress!, b: columns.baseAddress, ldb: n)
                OpenBLASCalls.transpose(rows: k, cols: n, a: columns.baseAddress, lda: n, b: result.baseAddress, ldb: k)
            }
        }
        try checkInfo(info, routine: "dgetrs", operation: "getrs") { i in
            KernelError(.illegalArgument, operation: "getrs", message: "dgetrs returned an unexpected info \(i)")
        }
        return result
    }

    /// R of the QR factorization A = Q·R of an `m x n` A (`dgeqrf`): the
    /// `min(m, n) x n` upper-triangular (trapezoidal when m < n) factor, as
    /// LAPACK computes it, so its diagonal may hold negative values. Q is
    /// not formed. RᵀR = AᵀA.
    ///
    /// - Complexity: 2n²(m - n/3) flops for m ≥ n, 2m²(n - m/3) otherwise.
    public static func geqrf(_ a: Matrix) throws(KernelError) -> Matrix {
        try OpenBLASCalls.checkIndex(a.rows, a.cols, operation: "geqrf")
        let m = a.rows, n = a.cols, k = min(m, n)
        let result = Matrix(rows: k, cols: n)
        guard k > 0 else { return result }
        let columns = Matrix(rows: n, cols: m)  // row-major Aᵀ = column-major A, leading dimension m
        withExtendedLifetime(a) {
            OpenBLASCalls.transpose(rows: m, cols: n, a: a.baseAddress, lda: n, b: columns.baseAddress, ldb: m)
        }
        let info = OpenBLASCalls.dgeqrf(m: m, n: n, a: columns.baseAddress, lda: m)
        try checkInfo(info, routine: "dgeqrf", operation: "geqrf") { i in
            KernelError(.illegalArgument, operation: "geqrf", message: "dgeqrf returned an unexpected info \(i)")
        }
        let r = result.baseAddress, qr = columns.baseAddress
        for i in 0..<k {
            for j in i..<n {
                r[i * n + j] = qr[j * m + i]  // R(i, j), column-major at (i, j)
            }
        }
        return result
    }

    /// Throws for a nonzero LAPACK `info`: `positive(info)` for info > 0, an
    /// `.illegalArgument` error naming the argument for info < 0.
    static func checkInfo(
        _ info: Int, routine: String, operation: String, positive: (Int) -> KernelError
    ) throws(KernelError) {
        if info > 0 { throw positive(info) }
        if info < 0 {
            throw KernelError(
                .illegalArgument, operation: operation,
                message: "\(routine): argument \(-info) had an illegal value (a bug in how dagrun calls LAPACK; "
                    + "please report it with the shapes involved)")
        }
    }

    /// Sets the strict upper (`upper`) or lower triangle of a row-major
    /// `n x n` matrix to zero.
    static func zeroTriangle(_ m: UnsafeMutablePointer<Double>, n: Int, upper: Bool) {
        for r in 0..<n {
            if upper {
                (m + r * n + r + 1).update(repeating: 0, count: n - r - 1)
            } else {
                (m + r * n).update(repeating: 0, count: r)
            }
        }
    }
}
