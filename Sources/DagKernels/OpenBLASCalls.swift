import COpenBLAS

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

    private static func forEachChunk(_ count: Int, _ body: (Int, blasint) -> Void) {
        var offset = 0
        while offset < count {
            let length = min(count - offset, maxIndex)
            body(offset, blasint(length))
            offset += length
        }
    }

    // MARK: LAPACK

    /// Cholesky factor of the column-major `n x n` matrix at `a`, in place.
    ///
    /// - Returns: LAPACK's `info`: 0 on success, `i > 0` when the leading
    ///   minor of order `i` is not positive definite.
    static func dpotrf(upper: Bool, n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        var uplo: CChar = upper ? CChar(UInt8(ascii: "U")) : CChar(UInt8(ascii: "L"))
        var order = blasint(n)
        var leading = blasint(max(1, lda))
        var info: blasint = 0
        dpotrf_(&uplo, &order, a, &leading, &info, 1)
        return Int(info)
    }

    // MARK: Threads and build

    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
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
