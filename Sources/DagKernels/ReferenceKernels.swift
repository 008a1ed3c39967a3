/// Plain-Swift versions of four ``Kernels`` operations, with no BLAS: each
/// as the textbook loop (`.naive`) and as a cache-blocked, vectorised one
/// (`.blocked`).
///
/// Tests compare OpenBLAS against them; `dagrun run --kernels reference`
/// runs graphs on the blocked ones; `dagrun-kernel-bench` measures all
/// three. Every function has the same contract as its ``Kernels`` twin:
/// the same shapes accepted, the same errors (message included), the same
/// rule that `c` or `y` is not read when `beta` is 0.
public enum ReferenceKernels {
    /// Which implementation to run.
    public enum Variant: String, Sendable, CaseIterable {
        /// The textbook loop, written for obviousness: one dot product per
        /// result element, strided access wherever the layout gives it.
        case naive
        /// Cache-blocked with contiguous inner loops and `SIMD4<Double>`
        /// arithmetic (see `BlockedGemm`); the same results up to rounding.
        case blocked
    }

    // MARK: gemm

    /// `alpha * op(A) * op(B) + beta * C0`.
    ///
    /// `.naive` is the triple loop, each result element one dot product
    /// accumulated left to right over the inner index; `.blocked` packs
    /// panels and runs a 4 x 4 register-tiled kernel (`BlockedGemm`).
    ///
    /// - Complexity: 2·m·n·k flops.
    public static func gemm(
        _ a: Matrix, _ b: Matrix, c: Matrix? = nil,
        alpha: Double = 1, beta: Double = 0,
        transA: Bool = false, transB: Bool = false, variant: Variant = .naive
    ) throws(KernelError) -> Matrix {
        let shape = try GemmShape(a, b, c: c, transA: transA, transB: transB)
        let result = Matrix(rows: shape.m, cols: shape.n)
        // Element (i, p) of op(A) and (p, j) of op(B), in row-major storage.
        let aRowStride = transA ? 1 : a.cols
        let aInnerStride = transA ? a.cols : 1
        let bInnerStride = transB ? 1 : b.cols
        let bColStride = transB ? b.cols : 1
        withExtendedLifetime((a, b, c)) {
            let x = a.baseAddress, y = b.baseAddress, out = result.baseAddress
            switch variant {
            case .naive:
                for i in 0..<shape.m {
                    for j in 0..<shape.n {
                        var dot = 0.0
                        for p in 0..<shape.k {
                            dot += x[i * aRowStride + p * aInnerStride] * y[p * bInnerStride + j * bColStride]
                        }
                        var value = alpha * dot
                        if let c, beta != 0 {
                            value += beta * c.baseAddress[i * shape.n + j]
                        }
                        out[i * shape.n + j] = value
                    }
                }
            case .blocked:
                if let c, beta != 0 {
                    for i in 0..<result.count { out[i] = beta * c.baseAddress[i] }
                }
                BlockedGemm.multiplyAdd(
                    m: shape.m, n: shape.n, k: shape.k, alpha: alpha,
                    a: x, aRow: aRowStride, aCol: aInnerStride, b: y, bRow: bInnerStride, bCol: bColStride,
                    c: out, ldc: shape.n)
            }
        }
        return result
    }

    // MARK: gemv

    /// `alpha * op(A) * x + beta * y0`, as ``Kernels/gemv(_:_:y:alpha:beta:trans:triangle:)``.
    ///
    /// `.naive`: one dot product per result element, walking a column of A
    /// (stride n) when `trans`. `.blocked`: rows of A are read contiguously
    /// four at a time in `SIMD4<Double>` steps; for Aᵀ·x each group of four
    /// rows is added into the result (four axpys fused), so A is read once,
    /// in storage order, either way.
    ///
    /// A `triangle` other than `.full` is taken as a square copy of A with the
    /// rest zeroed (``triangle(of:_:)``), run through the same loops.
    ///
    /// - Complexity: 2·m·n flops.
    public static func gemv(
        _ a: Matrix, _ x: Matrix, y: Matrix? = nil, alpha: Double = 1, beta: Double = 0, trans: Bool = false,
        triangle: Kernels.Triangle = .full, variant: Variant = .naive
    ) throws(KernelError) -> Matrix {
        let shape = try GemvShape(a, x, y: y, trans: trans, triangle: triangle)
        let result = Matrix(rows: shape.length, cols: 1, isVector: x.isVector)
        let a = triangle == .full ? a : Self.triangle(of: a, triangle)
        withExtendedLifetime((a, x, y)) {
            let out = result.baseAddress
            if let y, beta != 0 {
                for i in 0..<shape.length { out[i] = beta * y.baseAddress[i] }
            }
            addProduct(a, x, trans: trans, alpha: alpha, length: shape.length, inner: shape.inner, variant: variant, into: out)
        }
        return result
    }

    /// The `part` of the square matrix A as a full matrix: the rest zero, and
    /// ones on the diagonal for `.lowerUnit` and `.upperUnit` (whose diagonal
    /// is not read). `.full` is a copy.
    ///
    /// - Precondition: A is square unless `part` is `.full`.
    public static func triangle(of a: Matrix, _ part: Kernels.Triangle) -> Matrix {
        guard let upper = part.isUpper else { return a.copy() }
        precondition(a.rows == a.cols, "the \(part.rawValue) triangle of a \(a.shapeDescription) matrix")
        let n = a.rows
        let result = Matrix(rows: n, cols: n)
        withExtendedLifetime(a) {
            for i in 0..<n {
                for j in upper ? i..<n : 0..<(i + 1) {
                    result.baseAddress[i * n + j] = i == j && part.isUnit ? 1 : a.baseAddress[i * n + j]
                }
            }
        }
        return result
    }

    /// `out += alpha · op(A)·x` (`length` results, `inner` terms each), by the variant's loops.
    private static func addProduct(_ a: Matrix, _ x: Matrix, trans: Bool, alpha: Double, length: Int, inner: Int,
                                   variant: Variant, into out: UnsafeMutablePointer<Double>) {
        switch variant {
        case .naive:
            let rowStride = trans ? 1 : a.cols, innerStride = trans ? a.cols : 1
            for i in 0..<length {
                var dot = 0.0
                for p in 0..<inner {
                    dot += a.baseAddress[i * rowStride + p * innerStride] * x.baseAddress[p]
                }
                out[i] += alpha * dot
            }
        case .blocked:
            if trans {
                BlockedVector.transposedProductAdd(rows: a.rows, cols: a.cols, alpha: alpha, a: a.baseAddress,
                                                   x: x.baseAddress, y: out)
            } else {
                BlockedVector.productAdd(rows: a.rows, cols: a.cols, alpha: alpha, a: a.baseAddress,
                                         x: x.baseAddress, y: out)
            }
        }
    }

    /// `alpha · Σ_k op(M_k)·v_k`, as ``Kernels/gemv(pairs:alpha:triangles:)``: each pair's
    /// product is added into the result in pair order, by the loops of
    /// ``gemv(_:_:y:alpha:beta:trans:triangle:variant:)``.
    public static func gemv(
        pairs: [(matrix: Matrix, vector: Matrix, trans: Bool)], alpha: Double = 1, triangles: [Kernels.Triangle]? = nil,
        variant: Variant = .naive
    ) throws(KernelError) -> Matrix {
        let shapes = try GemvShape.pairs(pairs, triangles: triangles)
        let result = Matrix(rows: shapes.length, cols: 1, isVector: pairs.allSatisfy { $0.vector.isVector })
        let out = result.baseAddress
        for (k, (m, x, trans)) in pairs.enumerated() {
            let part = triangles?[k] ?? .full
            let a = part == .full ? m : triangle(of: m, part)
            withExtendedLifetime((a, x)) {
                addProduct(a, x, trans: trans, alpha: alpha, length: shapes.length, inner: shapes.inner[k],
                           variant: variant, into: out)
            }
        }
        return result
    }

    // MARK: potrf

    /// The Cholesky factor, as ``Kernels/potrf(_:lower:)``: only the named
    /// triangle of A is read, and the same `.notPositiveDefinite` error names
    /// the first failing leading minor (a diagonal that is not positive, or
    /// NaN, when it is reached, LAPACK's test).
    ///
    /// `.naive`: Cholesky–Banachiewicz, row by row, each element one dot
    /// product of two rows of L. `.blocked`: left-looking by block columns
    /// of 64: update the block column by the blocked gemm with everything
    /// left of it, factor its diagonal block with the naive loop, then solve
    /// the rows below against it. The upper factor is the lower factor of
    /// Aᵀ, transposed.
    ///
    /// - Complexity: n³/3 flops.
    public static func potrf(_ a: Matrix, lower: Bool = true, variant: Variant = .naive) throws(KernelError) -> Matrix {
        try KernelShapes.requireSquare(a, operation: "potrf")
        let n = a.rows
        let work = lower ? a.copy() : transpose(a)
        let failedOrder: Int? = switch variant {
        case .naive: BlockedCholesky.factorLower(work.baseAddress, n: n, ld: n, offset: 0)
        case .blocked: BlockedCholesky.factorBlocked(work.baseAddress, n: n)
        }
        if let order = failedOrder {
            throw Kernels.notPositiveDefinite(order: order, size: a.shapeDescription)
        }
        Kernels.zeroTriangle(work.baseAddress, n: n, upper: true)
        return lower ? work : transpose(work)
    }

    // MARK: axpy

    /// `alpha * x + y`, as ``Kernels/axpy(_:_:_:)``. `.naive`: one scalar loop;
    /// `.blocked`: `SIMD4<Double>` steps, four vectors per iteration.
    ///
    /// - Complexity: 2·count flops; memory-bound for anything beyond the caches.
    public static func axpy(_ alpha: Double, _ x: Matrix, _ y: Matrix, variant: Variant = .naive)
        throws(KernelError) -> Matrix
    {
        try KernelShapes.requireSameShape(x, y, operation: "axpy", verb: "combine")
        let result = Matrix(rows: y.rows, cols: y.cols, isVector: x.isVector && y.isVector)
        withExtendedLifetime((x, y)) {
            let xs = x.baseAddress, ys = y.baseAddress, out = result.baseAddress
            switch variant {
            case .naive:
                for i in 0..<x.count {
                    out[i] = alpha * xs[i] + ys[i]
                }
            case .blocked:
                BlockedVector.axpy(count: x.count, alpha: alpha, x: xs, y: ys, into: out)
            }
        }
        return result
    }

    /// Aᵀ in 32 x 32 tiles.
    static func transpose(_ a: Matrix) -> Matrix {
        let result = Matrix(rows: a.cols, cols: a.rows)
        withExtendedLifetime(a) {
            let src = a.baseAddress, dst = result.baseAddress
            for i0 in stride(from: 0, to: a.rows, by: 32) {
                for j0 in stride(from: 0, to: a.cols, by: 32) {
                    for i in i0..<min(i0 + 32, a.rows) {
                        for j in j0..<min(j0 + 32, a.cols) {
                            dst[j * a.rows + i] = src[i * a.cols + j]
                        }
                    }
                }
            }
        }
        return result
    }
}
