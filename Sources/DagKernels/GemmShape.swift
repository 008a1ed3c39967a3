/// The validated dimensions of `alpha * op(A) * op(B) + beta * C`, shared by
/// ``Kernels/gemm(_:_:c:alpha:beta:transA:transB:)`` and its reference twin
/// so both reject exactly the same arguments with the same message.
struct GemmShape {
    /// Rows of op(A) and of the result.
    let m: Int
    /// Columns of op(B) and of the result.
    let n: Int
    /// Columns of op(A), rows of op(B).
    let k: Int

    init(_ a: Matrix, _ b: Matrix, c: Matrix?, transA: Bool, transB: Bool) throws(KernelError) {
        let (m, aInner) = transA ? (a.cols, a.rows) : (a.rows, a.cols)
        let (bInner, n) = transB ? (b.cols, b.rows) : (b.rows, b.cols)
        guard aInner == bInner else {
            let left = GemmShape.operand("A", a, transposed: transA)
            let right = GemmShape.operand("B", b, transposed: transB)
            throw KernelError(
                .shapeMismatch, operation: "gemm",
                message: "cannot multiply \(left.shape) by \(right.shape): "
                    + "\(left.name) has \(aInner) columns but \(right.name) has \(bInner) rows")
        }
        if let c, c.rows != m || c.cols != n {
            throw KernelError(
                .shapeMismatch, operation: "gemm",
                message: "c is \(c.shapeDescription) but the product is \(m)x\(n); "
                    + "pass a \(m)x\(n) c, or none")
        }
        self.m = m
        self.n = n
        self.k = aInner
    }

    /// How an operand is named in messages: "100x50" and "A", or
    /// "100x50 (transposed: 50x100)" and "op(A)".
    private static func operand(_ name: String, _ x: Matrix, transposed: Bool) -> (shape: String, name: String) {
        transposed
            ? ("\(x.shapeDescription) (transposed: \(x.cols)x\(x.rows))", "op(\(name))")
            : (x.shapeDescription, name)
    }
}
