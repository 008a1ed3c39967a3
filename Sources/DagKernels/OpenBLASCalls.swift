import COpenBLAS
import Glibc

/// Every call into OpenBLAS, in one place.
///
/// The rest of the module talks to these wrappers in Swift terms (`Int`,
/// `Bool`, ``Matrix``). Each wrapper converts sizes to OpenBLAS's 32-bit
/// `blasint` (this build has no `INTERFACE64`), which callers have checked
/// with ``OpenBLASCalls/checkIndex(_:operation:)`` first.
enum OpenBLASCalls {
    /// The largest dimension or leading dimension a `blasint` can hold.
    static let maxIndex = Int(Int32.max)

    /// Throws ``KernelError/Kind/tooLarge`` when a size does not fit in `blasint`.
    static func checkIndex(_ values: Int..., operation: String) throws(KernelError) {
        for value in values where value > maxIndex {
            throw KernelError(
                .tooLarge, operation: operation,
                message: "dimension \(value) exceeds the 32-bit index limit (\(maxIndex)) of this OpenBLAS build")
        }
    }

    // MARK: Level 3

    /// `C = alpha * op(A) * op(B) + beta * C` on row-major storage.
    ///
    /// `m x k` is op(A), `k x n` is op(B); the leading dimensions are the
    /// stored column counts (at least 1, as BLAS requires even when empty).
    static func dgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(max(1, lda)),
            b, blasint(max(1, ldb)),
            beta, c, blasint(max(1, ldc)))
    }

    /// The lower (`lower`) or upper triangle of `C = alpha * A * Aᵀ + beta * C`
    /// (`trans`: `alpha * Aᵀ * A + beta * C`) on row-major storage; the other
    /// triangle of `c` is neither read nor written.
    ///
    /// `n x n` is C; A is `n x k` (`trans`: `k x n`).
    static func dsyrk(
        lower: Bool, trans: Bool, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(
            CblasRowMajor, lower ? CblasLower : CblasUpper, trans ? CblasTrans : CblasNoTrans,
            blasint(n), blasint(k), alpha, a, blasint(max(1, lda)), beta, c, blasint(max(1, ldc)))
    }

    /// Overwrites the row-major `m x n` matrix `b` with X solving
    /// `op(A) * X = alpha * B` (`left`) or `X * op(A) = alpha * B`, where A is
    /// triangular (`lower` or upper; `unit`: its diagonal is taken as ones and
    /// not read) and `m x m` (`left`) or `n x n`.
    static func dtrsm(
        left: Bool, lower: Bool, transA: Bool, unit: Bool, m: Int, n: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        cblas_dtrsm(
            CblasRowMajor, left ? CblasLeft : CblasRight, lower ? CblasLower : CblasUpper,
            transA ? CblasTrans : CblasNoTrans, unit ? CblasUnit : CblasNonUnit,
            blasint(m), blasint(n), alpha, a, blasint(max(1, lda)), b, blasint(max(1, ldb)))
    }

    // MARK: Level 2

    /// `y = alpha * op(A) * x + beta * y`, A row-major `m x n`, x and y contiguous.
    ///
    /// x has n elements (`trans`: m) and y has m (`trans`: n). As in BLAS,
    /// y is not read when `beta` is 0.
    static func dgemv(
        trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n),
            alpha, a, blasint(max(1, lda)), x, 1, beta, y, 1)
    }

    /// `x = op(T) * x` in place, T the `upper` (or lower) triangle of the
    /// row-major `n x n` matrix at `a` (`unit`: its diagonal taken as ones
    /// and not read); x contiguous, n elements.
    static func dtrmv(
        upper: Bool, trans: Bool, unit: Bool, n: Int, a: UnsafePointer<Double>, lda: Int,
        x: UnsafeMutablePointer<Double>
    ) {
        cblas_dtrmv(
            CblasRowMajor, upper ? CblasUpper : CblasLower, trans ? CblasTrans : CblasNoTrans,
            unit ? CblasUnit : CblasNonUnit, blasint(n), a, blasint(max(1, lda)), x, 1)
    }

    // MARK: Copies

    /// `b = Aᵀ` for the row-major `rows x cols` matrix `a`; `b` is `cols x rows`
    /// (`cblas_domatcopy`, an OpenBLAS extension, blocked for the cache).
    static func transpose(
        rows: Int, cols: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        cblas_domatcopy(
            CblasRowMajor, CblasTrans, blasint(rows), blasint(cols), 1,
            a, blasint(max(1, lda)), b, blasint(max(1, ldb)))
    }

    // MARK: Level 1 (contiguous vectors of any length, split into blasint chunks)

    /// `y += alpha * x` over `count` contiguous elements.
    static func daxpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        forEachChunk(count) { offset, length in
            cblas_daxpy(length, alpha, x + offset, 1, y + offset, 1)
        }
    }

    /// `x *= alpha` over `count` contiguous elements.
    static func dscal(count: Int, alpha: Double, x: UnsafeMutablePointer<Double>) {
        forEachChunk(count) { offset, length in
            cblas_dscal(length, alpha, x + offset, 1)
        }
    }

    /// `Σ x[i] * y[i]` over `count` contiguous elements (chunk results added in order).
    static func ddot(count: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        var total = 0.0
        forEachChunk(count) { offset, length in
            total += cblas_ddot(length, x + offset, 1, y + offset, 1)
        }
        return total
    }

    /// `sqrt(Σ x[i]²)` over `count` contiguous elements, without overflow or
    /// underflow in the squares (dnrm2 scales; chunk norms combine by `hypot`).
    static func dnrm2(count: Int, x: UnsafePointer<Double>) -> Double {
        var total = 0.0
        forEachChunk(count) { offset, length in
            total = hypot(total, cblas_dnrm2(length, x + offset, 1))
        }
        return total
    }

    private static func forEachChunk(_ count: Int, _ body: (Int, blasint) -> Void) {
        var offset = 0
        while offset < count {
            let length = min(count - offset, maxIndex)
            body(offset, blasint(length))
            offset += length
        }
    }

    // MARK: LAPACK (column-major; every call returns LAPACK's `info`)

    /// Cholesky factor of the column-major `n x n` matrix at `a`, in place;
    /// only the `upper` (or lower) triangle is read and written.
    ///
    /// - Returns: LAPACK's `info`: 0 on success, `-i` when argument i is
    ///   illegal, `i > 0` when the leading minor of order `i` is not positive definite.
    static func dpotrf(upper: Bool, n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        var uplo = character(upper ? "U" : "L")
        var order = blasint(n)
        var leading = blasint(max(1, lda))
        var info: blasint = 0
        dpotrf_(&uplo, &order, a, &leading, &info, 1)
        return Int(info)
    }

    /// LU factors with partial pivoting of the column-major `m x n` matrix at
    /// `a`, in place; `pivots` (min(m, n) entries) receives the 1-based row
    /// interchanges.
    ///
    /// - Returns: `info`: 0, `-i`, or `i > 0` when U(i,i) is exactly zero.
    static func dgetrf(m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                       pivots: UnsafeMutablePointer<blasint>) -> Int {
        var rows = blasint(m), cols = blasint(n), leading = blasint(max(1, lda))
        var info: blasint = 0
        dgetrf_(&rows, &cols, a, &leading, pivots, &info)
        return Int(info)
    }

    /// Solves `op(A) * X = B` in place for the column-major `n x nrhs` matrix
    /// at `b`, from dgetrf's factors of A and its pivots.
    ///
    /// - Returns: `info`: 0 or `-i`.
    static func dgetrs(transposed: Bool, n: Int, nrhs: Int, factors: UnsafePointer<Double>, lda: Int,
                       pivots: UnsafePointer<blasint>, b: UnsafeMutablePointer<Double>, ldb: Int) -> Int {
        var trans = character(transposed ? "T" : "N")
        var order = blasint(n), count = blasint(nrhs)
        var leadingA = blasint(max(1, lda)), leadingB = blasint(max(1, ldb))
        var info: blasint = 0
        dgetrs_(&trans, &order, &count, factors, &leadingA, pivots, b, &leadingB, &info, 1)
        return Int(info)
    }

    /// QR factors of the column-major `m x n` matrix at `a`, in place: R on
    /// and above the diagonal, the Householder reflectors below it. Asks
    /// LAPACK for its preferred workspace first, then allocates it.
    ///
    /// - Returns: `info`: 0 or `-i`.
    static func dgeqrf(m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        var rows = blasint(m), cols = blasint(n), leading = blasint(max(1, lda))
        var info: blasint = 0
        let tau = UnsafeMutablePointer<Double>.allocate(capacity: max(1, min(m, n)))
        defer { tau.deallocate() }
        var size = 0.0
        var query: blasint = -1
        dgeqrf_(&rows, &cols, a, &leading, tau, &size, &query, &info)
        guard info == 0 else { return Int(info) }
        var length = blasint(min(max(Double(max(1, n)), size), Double(maxIndex)))
        let work = UnsafeMutablePointer<Double>.allocate(capacity: Int(length))
        defer { work.deallocate() }
        dgeqrf_(&rows, &cols, a, &leading, tau, work, &length, &info)
        return Int(info)
    }

    private static func character(_ letter: Unicode.Scalar) -> CChar {
        CChar(UInt8(ascii: letter))
    }

    // MARK: Threads and build

    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    static func stopThreadPool() {
        dagrun_blas_stop_thread_pool()
    }

    static func threadCount() -> Int {
        Int(openblas_get_num_threads())
    }

    static func processorCount() -> Int {
        Int(openblas_get_num_procs())
    }

    /// 0 sequential, 1 pthreads, 2 OpenMP.
    static func parallelMode() -> Int {
        Int(openblas_get_parallel())
    }

    /// `openblas_get_config()` writes into one static buffer on every call,
    /// so concurrent callers would race on it: read it exactly once.
    static let buildConfiguration: String = String(cString: openblas_get_config())

    static let coreName: String = String(cString: openblas_get_corename())
}
