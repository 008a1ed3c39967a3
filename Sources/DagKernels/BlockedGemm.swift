/// The cache-blocked, register-tiled matrix product behind the `.blocked`
/// variants of ``ReferenceKernels``: plain Swift with `SIMD4<Double>`, no BLAS.
///
/// The loop structure is the one of Goto and van de Geijn, "Anatomy of
/// High-Performance Matrix Multiplication" (ACM TOMS 34(3), 2008):
///
/// 1. Columns of C in panels of `nc`; the inner dimension in slices of `kc`.
/// 2. The `kc x nc` slice of op(B) is packed into strips `nr` columns wide,
///    each strip contiguous row after row (`kc·nr` doubles), so the inner
///    kernel streams it linearly. Packing also absorbs transposes and
///    strides: every operand is read through (row, column) strides.
/// 3. Rows of C in blocks of `mc`; the `mc x kc` block of op(A), times
///    alpha, is packed into strips `mr` rows tall, column after column.
/// 4. The micro-kernel multiplies one A strip by one B strip into an
///    `mr x nr` tile of accumulators held in registers, then adds the tile
///    to C. Strips at the edges are zero-padded, so the kernel always runs
///    full-size and only the store is trimmed.
///
/// Sizes: `mr x nr` = 4 x 4 takes 8 of the 16 SSE registers of the x86-64
/// baseline Swift targets by default (two per `SIMD4<Double>`), leaving room
/// for the B row and the broadcast A values; `kc` = 256 keeps a B strip
/// (8 KB) in L1 and an A block (`mc` = 96: 192 KB) in L2.
enum BlockedGemm {
    static let mr = 4
    static let nr = 4
    static let kc = 256
    static let mc = 96
    static let nc = 2048

    /// `C += alpha * op(A) * op(B)` where op(A) is `m x k` with element
    /// (i, p) at `a[i * aRow + p * aCol]`, op(B) is `k x n` with (p, j) at
    /// `b[p * bRow + j * bCol]`, and C is row-major with leading dimension `ldc`.
    static func multiplyAdd(
        m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, aRow: Int, aCol: Int,
        b: UnsafePointer<Double>, bRow: Int, bCol: Int,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        let packedB = UnsafeMutablePointer<Double>.allocate(capacity: kc * (min(n, nc) + nr))
        let packedA = UnsafeMutablePointer<Double>.allocate(capacity: kc * (min(m, mc) + mr))
        defer {
            packedB.deallocate()
            packedA.deallocate()
        }
        for jc in stride(from: 0, to: n, by: nc) {
            let ncb = min(nc, n - jc)
            for pc in stride(from: 0, to: k, by: kc) {
                let kcb = min(kc, k - pc)
                packB(rows: kcb, cols: ncb, from: b + pc * bRow + jc * bCol, rowStride: bRow, colStride: bCol,
                      into: packedB)
                for ic in stride(from: 0, to: m, by: mc) {
                    let mcb = min(mc, m - ic)
                    packA(rows: mcb, cols: kcb, alpha: alpha, from: a + ic * aRow + pc * aCol,
                          rowStride: aRow, colStride: aCol, into: packedA)
                    for jr in stride(from: 0, to: ncb, by: nr) {
                        for ir in stride(from: 0, to: mcb, by: mr) {
                            microKernel(
                                k: kcb, a: packedA + ir * kcb, b: packedB + jr * kcb,
                                c: c + (ic + ir) * ldc + jc + jr, ldc: ldc,
                                rows: min(mr, mcb - ir), cols: min(nr, ncb - jr))
                        }
                    }
                }
            }
        }
    }

    /// Strips of `nr` columns; within a strip, row p's `nr` values are
    /// contiguous. Columns past `cols` are zero.
    @inline(__always)
    static func packB(rows: Int, cols: Int, from b: UnsafePointer<Double>, rowStride: Int, colStride: Int,
                      into out: UnsafeMutablePointer<Double>) {
        var dst = out
        for j0 in stride(from: 0, to: cols, by: nr) {
            let width = min(nr, cols - j0)
            for p in 0..<rows {
                let src = b + p * rowStride + j0 * colStride
                for j in 0..<nr {
                    dst[j] = j < width ? src[j * colStride] : 0
                }
                dst += nr
            }
        }
    }

    /// Strips of `mr` rows times alpha; within a strip, column p's `mr`
    /// values are contiguous. Rows past `rows` are zero.
    @inline(__always)
    static func packA(rows: Int, cols: Int, alpha: Double, from a: UnsafePointer<Double>, rowStride: Int,
                      colStride: Int, into out: UnsafeMutablePointer<Double>) {
        var dst = out
        for i0 in stride(from: 0, to: rows, by: mr) {
            let height = min(mr, rows - i0)
            for p in 0..<cols {
                let src = a + i0 * rowStride + p * colStride
                for i in 0..<mr {
                    dst[i] = i < height ? alpha * src[i * rowStride] : 0
                }
                dst += mr
            }
        }
    }

    /// One `mr x nr` tile: `C[0..<rows, 0..<cols] += Σ_p a[p] ⊗ b[p]`.
    @inline(__always)
    static func microKernel(k: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
                            c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, cols: Int) {
        var c0 = SIMD4<Double>(), c1 = SIMD4<Double>(), c2 = SIMD4<Double>(), c3 = SIMD4<Double>()
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        for p in 0..<k {
            let bv = rawB.loadUnaligned(fromByteOffset: p * 32, as: SIMD4<Double>.self)
            let av = rawA.loadUnaligned(fromByteOffset: p * 32, as: SIMD4<Double>.self)
            c0 += SIMD4(repeating: av[0]) * bv
            c1 += SIMD4(repeating: av[1]) * bv
            c2 += SIMD4(repeating: av[2]) * bv
            c3 += SIMD4(repeating: av[3]) * bv
        }
        if rows == mr && cols == nr {
            add(c0, to: c)
            add(c1, to: c + ldc)
            add(c2, to: c + 2 * ldc)
            add(c3, to: c + 3 * ldc)
            return
        }
        let tile = [c0, c1, c2, c3]
        for i in 0..<rows {
            for j in 0..<cols {
                c[i * ldc + j] += tile[i][j]
            }
        }
    }

    @inline(__always)
    static func add(_ v: SIMD4<Double>, to c: UnsafeMutablePointer<Double>) {
        let raw = UnsafeMutableRawPointer(c)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD4<Double>.self) + v, as: SIMD4<Double>.self)
    }
}
