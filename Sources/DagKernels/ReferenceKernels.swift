/// Plain-Swift versions of ``Kernels`` operations, with no BLAS, written for
/// obviousness rather than speed. Tests compare OpenBLAS against them.
public enum ReferenceKernels {
    /// `alpha * op(A) * op(B) + beta * C0` by the textbook triple loop.
    ///
    /// Same contract as ``Kernels/gemm(_:_:c:alpha:beta:transA:transB:)``,
    /// including its errors and its rule that `c` is not read when `beta`
    /// is 0. Each result element is one dot product accumulated left to
    /// right over the inner index.
    ///
    /// - Complexity: 2·m·n·k flops, with no blocking or vectorization.
    public static func gemm(
        _ a: Matrix, _ b: Matrix, c: Matrix? = nil,
        alpha: Double = 1, beta: Double = 0,
        transA: Bool = false, transB: Bool = false
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
        }
        return result
    }
}
