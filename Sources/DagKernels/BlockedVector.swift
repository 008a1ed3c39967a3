/// Vectorised loops over contiguous rows for the `.blocked` variants of
/// ``ReferenceKernels`` (`SIMD4<Double>`, no BLAS).
enum BlockedVector {
    /// `y += alpha * A * x` for row-major `rows x cols` A: four rows at a
    /// time, each a dot product with x in `SIMD4` lanes, summed at the end.
    static func productAdd(rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>,
                           x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        let vectorCols = cols & ~3
        var i = 0
        while i + 4 <= rows {
            let r0 = UnsafeRawPointer(a + i * cols), r1 = UnsafeRawPointer(a + (i + 1) * cols)
            let r2 = UnsafeRawPointer(a + (i + 2) * cols), r3 = UnsafeRawPointer(a + (i + 3) * cols)
            let xs = UnsafeRawPointer(x)
            var s0 = SIMD4<Double>(), s1 = SIMD4<Double>(), s2 = SIMD4<Double>(), s3 = SIMD4<Double>()
            var offset = 0
            while offset < vectorCols * 8 {
                let xv = xs.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                s0 += r0.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) * xv
                s1 += r1.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) * xv
                s2 += r2.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) * xv
                s3 += r3.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) * xv
                offset += 32
            }
            var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
            for p in vectorCols..<cols {
                t0 += a[i * cols + p] * x[p]
                t1 += a[(i + 1) * cols + p] * x[p]
                t2 += a[(i + 2) * cols + p] * x[p]
                t3 += a[(i + 3) * cols + p] * x[p]
            }
            y[i] += alpha * t0
            y[i + 1] += alpha * t1
            y[i + 2] += alpha * t2
            y[i + 3] += alpha * t3
            i += 4
        }
        while i < rows {
            var t = 0.0
            for p in 0..<cols { t += a[i * cols + p] * x[p] }
            y[i] += alpha * t
            i += 1
        }
    }

    /// `y += alpha * Aᵀ * x` for row-major `rows x cols` A: y (`cols` long)
    /// gets four scaled rows of A added per pass, so A is read once, in order.
    static func transposedProductAdd(rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>,
                                     x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        let vectorCols = cols & ~3
        let ys = UnsafeMutableRawPointer(y)
        var i = 0
        while i + 4 <= rows {
            let x0 = alpha * x[i], x1 = alpha * x[i + 1], x2 = alpha * x[i + 2], x3 = alpha * x[i + 3]
            let v0 = SIMD4(repeating: x0), v1 = SIMD4(repeating: x1), v2 = SIMD4(repeating: x2), v3 = SIMD4(repeating: x3)
            let r0 = UnsafeRawPointer(a + i * cols), r1 = UnsafeRawPointer(a + (i + 1) * cols)
            let r2 = UnsafeRawPointer(a + (i + 2) * cols), r3 = UnsafeRawPointer(a + (i + 3) * cols)
            var offset = 0
            while offset < vectorCols * 8 {
                var acc = ys.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                acc += v0 * r0.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                acc += v1 * r1.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                acc += v2 * r2.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                acc += v3 * r3.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                ys.storeBytes(of: acc, toByteOffset: offset, as: SIMD4<Double>.self)
                offset += 32
            }
            for j in vectorCols..<cols {
                y[j] += x0 * a[i * cols + j] + x1 * a[(i + 1) * cols + j] + x2 * a[(i + 2) * cols + j]
                    + x3 * a[(i + 3) * cols + j]
            }
            i += 4
        }
        while i < rows {
            let xi = alpha * x[i]
            for j in 0..<cols { y[j] += xi * a[i * cols + j] }
            i += 1
        }
    }

    /// `out = alpha * x + y` in `SIMD4` steps, unrolled by four.
    static func axpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
                     into out: UnsafeMutablePointer<Double>) {
        let xs = UnsafeRawPointer(x), ys = UnsafeRawPointer(y), os = UnsafeMutableRawPointer(out)
        let a = SIMD4<Double>(repeating: alpha)
        let unrolled = count & ~15
        var offset = 0
        while offset < unrolled * 8 {
            for lane in stride(from: 0, to: 128, by: 32) {
                let v = a * xs.loadUnaligned(fromByteOffset: offset + lane, as: SIMD4<Double>.self)
                    + ys.loadUnaligned(fromByteOffset: offset + lane, as: SIMD4<Double>.self)
                os.storeBytes(of: v, toByteOffset: offset + lane, as: SIMD4<Double>.self)
            }
            offset += 128
        }
        for i in unrolled..<count {
            out[i] = alpha * x[i] + y[i]
        }
    }
}

/// Cholesky factorization in place on row-major storage, lower triangle,
/// for ``ReferenceKernels/potrf(_:lower:variant:)``.
enum BlockedCholesky {
    static let blockSize = 64

    /// Cholesky–Banachiewicz on the `n x n` lower triangle at `m` (leading
    /// dimension `ld`): row by row, L(i, j) = (A(i, j) - Σ_{p<j} L(i,p)·L(j,p)) / L(j, j).
    ///
    /// - Returns: nil on success, else the order (counted from `offset` + 1)
    ///   of the first leading minor whose pivot is not positive.
    static func factorLower(_ m: UnsafeMutablePointer<Double>, n: Int, ld: Int, offset: Int) -> Int? {
        for i in 0..<n {
            let rowI = m + i * ld
            for j in 0...i {
                let rowJ = m + j * ld
                var s = rowI[j]
                for p in 0..<j { s -= rowI[p] * rowJ[p] }
                if i == j {
                    guard s > 0 else { return offset + i + 1 }  // also catches NaN
                    rowI[i] = s.squareRoot()
                } else {
                    rowI[j] = s / rowJ[j]
                }
            }
        }
        return nil
    }

    /// Left-looking blocked Cholesky of the row-major `n x n` matrix at `m`.
    ///
    /// For each block column K (width `blockSize`): A[K:, K] -= L[K:, :K]·L[K, :K]ᵀ
    /// by the blocked gemm; factor the diagonal block; then each row below
    /// solves x·L(K,K)ᵀ = A(row, K) by forward substitution.
    static func factorBlocked(_ m: UnsafeMutablePointer<Double>, n: Int) -> Int? {
        for k0 in stride(from: 0, to: n, by: blockSize) {
            let kb = min(blockSize, n - k0)
            // Block column k0..<k0+kb, rows k0..<n, minus L[k0:, 0:k0] · L[k0:k0+kb, 0:k0]ᵀ.
            BlockedGemm.multiplyAdd(
                m: n - k0, n: kb, k: k0, alpha: -1,
                a: m + k0 * n, aRow: n, aCol: 1,
                b: m + k0 * n, bRow: 1, bCol: n,
                c: m + k0 * n + k0, ldc: n)
            if let order = factorLower(m + k0 * n + k0, n: kb, ld: n, offset: k0) { return order }
            for i in (k0 + kb)..<n {
                let row = m + i * n + k0
                for j in 0..<kb {
                    let diagonalRow = m + (k0 + j) * n + k0
                    var s = row[j]
                    for p in 0..<j { s -= row[p] * diagonalRow[p] }
                    row[j] = s / diagonalRow[j]
                }
            }
        }
        return nil
    }
}
