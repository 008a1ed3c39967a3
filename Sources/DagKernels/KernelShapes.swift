/// Shape checks shared by ``Kernels`` and ``ReferenceKernels``, so both
/// reject exactly the same arguments with the same message.
enum KernelShapes {
    /// Throws `.shapeMismatch` unless `x` and `y` have one shape.
    static func requireSameShape(_ x: Matrix, _ y: Matrix, operation: String, verb: String) throws(KernelError) {
        guard x.rows == y.rows, x.cols == y.cols else {
            throw KernelError(
                .shapeMismatch, operation: operation,
                message: "cannot \(verb) \(x.shapeDescription) and \(y.shapeDescription) element by element; "
                    + "the shapes must be equal")
        }
    }

    /// Throws `.notSquare` unless `a` is square.
    static func requireSquare(_ a: Matrix, operation: String, name: String = "the matrix") throws(KernelError) {
        guard a.rows == a.cols else {
            throw KernelError(.notSquare, operation: operation,
                              message: "needs a square matrix, but \(name) is \(a.shapeDescription)")
        }
    }
}

/// The validated dimensions of `alpha * op(A) * x + beta * y`.
struct GemvShape {
    /// Elements of the result (rows of op(A)).
    let length: Int
    /// Elements of x (columns of op(A)).
    let inner: Int

    init(_ a: Matrix, _ x: Matrix, y: Matrix?, trans: Bool) throws(KernelError) {
        let (length, inner) = trans ? (a.cols, a.rows) : (a.rows, a.cols)
        let opA = trans ? "Aᵀ" : "A"
        guard x.cols == 1, x.rows == inner else {
            throw KernelError(
                .shapeMismatch, operation: "gemv",
                message: "cannot multiply \(a.shapeDescription)\(trans ? " (transposed: \(a.cols)x\(a.rows))" : "") "
                    + "by \(x.shapeDescription): x must be a \(inner)x1 vector, as \(opA) has \(inner) columns")
        }
        if let y, y.rows != length || y.cols != 1 {
            throw KernelError(
                .shapeMismatch, operation: "gemv",
                message: "y is \(y.shapeDescription) but the product is \(length)x1; pass a \(length)x1 y, or none")
        }
        self.length = length
        self.inner = inner
    }
}
