/// Numeric kernels on ``Matrix``, backed by OpenBLAS.
///
/// Every kernel reads its inputs, never writes them, and returns a new
/// matrix (see the sharing contract on ``Matrix``). Shape errors are thrown
/// as ``KernelError`` before any work is done. Each call runs on the calling
/// thread only once ``BLAS/useSingleThread()`` has been called.
public enum Kernels {
    // MARK: Constructors

    /// A `rows x cols` matrix of seeded random values.
    ///
    /// Elements are filled in row-major order from one ``SplitMix64`` stream
    /// seeded with `seed`, so a `2x3` matrix equals the first six values of a
    /// `1x6` one, and the same seed gives the same matrix on every run.
    ///
    /// - `.uniform` (the default): values in [0, 1), each the top 53 bits of
    ///   one 64-bit output times 2^-53: bit for bit the same on every
    ///   platform.
    /// - `.normal`: standard normal values by Marsaglia's polar method
    ///   (Marsaglia and Bray, 1964): two uniforms u, v in (-1, 1) from
    ///   consecutive outputs, rejected unless 0 < s = u² + v² < 1, give the
    ///   two values `u·√(-2 ln s / s)` and `v·√(-2 ln s / s)`. Besides IEEE
    ///   arithmetic and `sqrt` (both correctly rounded) only `log` is
    ///   involved, so the values are bit for bit reproducible wherever `log`
    ///   is (the same C library).
    ///
    /// - Complexity: O(`rows * cols`).
    public static func random(rows: Int, cols: Int, seed: UInt64, distribution: Distribution = .uniform) -> Matrix {
        let result = Matrix(rows: rows, cols: cols, zeroed: false)   // every element is written below
        let elements = result.baseAddress
        switch distribution {
        case .uniform:
            var generator = SplitMix64(seed: seed)
            for index in 0..<result.count {
                elements[index] = generator.nextUnitDouble()
            }
        case .normal:
            var normals = PolarNormals(seed: seed)
            for index in 0..<result.count {
                elements[index] = normals.next()
            }
        }
        return result
    }

    /// A `rows x cols` matrix of zeros.
    public static func zeros(rows: Int, cols: Int) -> Matrix {
        Matrix(rows: rows, cols: cols)
    }

    /// A `rows x cols` matrix of ones.
    public static func ones(rows: Int, cols: Int) -> Matrix {
        let result = Matrix(rows: rows, cols: cols)
        result.baseAddress.update(repeating: 1, count: result.count)
        return result
    }

    /// The `n x n` identity matrix.
    public static func eye(_ n: Int) -> Matrix {
        let result = Matrix(rows: n, cols: n)
        for i in 0..<n {
            result.baseAddress[i * n + i] = 1
        }
        return result
    }

    // MARK: Level 3

    /// `alpha * op(A) * op(B) + beta * C0`, where op(X) is X or its transpose.
    ///
    /// Runs `cblas_dgemm(CblasRowMajor, ...)`. With `c` nil the product
    /// starts from zero and `beta` is ignored. As in BLAS, when `beta` is 0
    /// the contents of `c` are not read, so NaNs in it do not propagate.
    ///
    /// ```swift
    /// let c = try Kernels.gemm(a, b)                      // A * B
    /// let d = try Kernels.gemm(a, a, transB: true)        // A * Aᵀ
    /// let e = try Kernels.gemm(a, b, c: e0, alpha: 2, beta: 1)
    /// ```
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes when
    ///   op(A)'s columns differ from op(B)'s rows or `c` is not `m x n`;
    ///   `.tooLarge` when a dimension exceeds OpenBLAS's 32-bit index.
    /// - Complexity: 2·m·n·k floating-point operations.
    public static func gemm(
        _ a: Matrix, _ b: Matrix, c: Matrix? = nil,
        alpha: Double = 1, beta: Double = 0,
        transA: Bool = false, transB: Bool = false
    ) throws(KernelError) -> Matrix {
        // With C: the caller keeps its reference, so `updating` writes into a copy.
        if let c { return try gemm(a, b, updating: c, alpha: alpha, beta: beta, transA: transA, transB: transB) }
        let shape = try GemmShape(a, b, c: nil, transA: transA, transB: transB)
        // beta 0: BLAS does not read C, so its elements need no zeros first.
        return try gemm(a, b, updating: Matrix(rows: shape.m, cols: shape.n, zeroed: false), alpha: alpha, beta: 0,
                        transA: transA, transB: transB)
    }

    /// `alpha * op(A) * op(B) + beta * C`, written into C's storage when the caller holds
    /// the only reference to it (`isKnownUniquelyReferenced`), into a copy otherwise. The
    /// runtime hands C over when the task is its only reader, so a chain of accumulating
    /// tile products reuses one buffer instead of allocating and copying one per step.
    public static func gemm(
        _ a: Matrix, _ b: Matrix, updating c: consuming Matrix,
        alpha: Double = 1, beta: Double = 1, transA: Bool = false, transB: Bool = false
    ) throws(KernelError) -> Matrix {
        let shape = try GemmShape(a, b, c: c, transA: transA, transB: transB)
        try OpenBLASCalls.checkIndex(a.rows, a.cols, b.rows, b.cols, operation: "gemm")
        var result = consume c
        if !isKnownUniquelyReferenced(&result) || result === a || result === b { result = result.copy() }
        guard shape.m > 0, shape.n > 0 else { return result }
        withExtendedLifetime((a, b)) {
            OpenBLASCalls.dgemm(
                transA: transA, transB: transB, m: shape.m, n: shape.n, k: shape.k,
                alpha: alpha, a: a.baseAddress, lda: a.cols,
                b: b.baseAddress, ldb: b.cols,
                beta: beta, c: result.baseAddress, ldc: shape.n)
        }
        return result
    }

    // MARK: Elementwise

    /// `a + b`, element by element (`cblas_daxpy` onto a copy of `b`).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes.
    public static func add(_ a: Matrix, _ b: Matrix) throws(KernelError) -> Matrix {
        guard a.rows == b.rows, a.cols == b.cols else {
            throw KernelError(
                .shapeMismatch, operation: "add",
                message: "cannot add \(a.shapeDescription) and \(b.shapeDescription) elementwise; the shapes must be equal")
        }
        let result = Matrix(rows: b.rows, cols: b.cols, isVector: a.isVector && b.isVector)
        withExtendedLifetime((a, b)) {
            result.baseAddress.update(from: b.baseAddress, count: b.count)
            OpenBLASCalls.daxpy(count: a.count, alpha: 1, x: a.baseAddress, y: result.baseAddress)
        }
        return result
    }

    /// `alpha * a` as a new matrix (`cblas_dscal` on a copy).
    public static func scale(_ a: Matrix, by alpha: Double) -> Matrix {
        let result = a.copy()
        OpenBLASCalls.dscal(count: result.count, alpha: alpha, x: result.baseAddress)
        return result
    }

    // MARK: Reductions

    /// The sum of all elements, by Neumaier's compensated summation.
    ///
    /// Neumaier (1974), the Kahan–Babuška variant: a running compensation
    /// term recovers the low-order bits each addition loses, including when
    /// the new element is larger than the running sum, so the error is about
    /// one rounding of the exact sum instead of growing with the element
    /// count. `[1e100, 1, -1e100]` sums to 1 (plain or Kahan: 0). Elements
    /// are visited in row-major order, so the result is deterministic.
    ///
    /// - Complexity: O(`count`), about 4 flops per element.
    public static func sum(_ a: Matrix) -> Double {
        withExtendedLifetime(a) {
            var sum = 0.0
            var compensation = 0.0
            for x in UnsafeBufferPointer(start: a.baseAddress, count: a.count) {
                let t = sum + x
                if abs(sum) >= abs(x) {
                    compensation += (sum - t) + x
                } else {
                    compensation += (x - t) + sum
                }
                sum = t
            }
            return sum + compensation
        }
    }

    /// The largest `|a[i] - b[i]|`: 0 for empty matrices, NaN as soon as
    /// either matrix holds a NaN or the difference of two infinities is one.
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes.
    public static func maxAbsDifference(_ a: Matrix, _ b: Matrix) throws(KernelError) -> Double {
        guard a.rows == b.rows, a.cols == b.cols else {
            throw KernelError(
                .shapeMismatch, operation: "maxAbsDifference",
                message: "cannot compare \(a.shapeDescription) with \(b.shapeDescription); the shapes must be equal")
        }
        return withExtendedLifetime((a, b)) {
            var worst = 0.0
            for i in 0..<a.count {
                let d = abs(a.baseAddress[i] - b.baseAddress[i])
                if d.isNaN { return .nan }
                worst = max(worst, d)
            }
            return worst
        }
    }
}
