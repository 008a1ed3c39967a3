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

    init(_ a: Matrix, _ x: Matrix, y: Matrix?, trans: Bool, triangle: Kernels.Triangle = .full) throws(KernelError) {
        if triangle != .full && a.rows != a.cols {
            throw KernelError(
                .notSquare, operation: "gemv",
                message: "the \(triangle.rawValue) triangle of A needs a square A, but A is \(a.shapeDescription)")
        }
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

    /// The length of `Σ_k op(M_k)·v_k` and each pair's inner dimension; errors name the pair.
    static func pairs(_ pairs: [(matrix: Matrix, vector: Matrix, trans: Bool)], triangles: [Kernels.Triangle]? = nil)
        throws(KernelError) -> (length: Int, inner: [Int])
    {
        guard let first = pairs.first else {
            throw KernelError(.shapeMismatch, operation: "gemv", message: "needs at least one (matrix, vector) pair")
        }
        if let triangles, triangles.count != pairs.count {
            throw KernelError(
                .shapeMismatch, operation: "gemv",
                message: "has \(pairs.count) pairs but \(triangles.count) triangles; give one triangle per pair, or none")
        }
        let length = first.trans ? first.matrix.cols : first.matrix.rows
        var inner: [Int] = []
        for (k, (m, v, trans)) in pairs.enumerated() {
            let shape: GemvShape
            do {
                shape = try GemvShape(m, v, y: nil, trans: trans, triangle: triangles?[k] ?? .full)
            } catch {
                throw KernelError(error.kind, operation: "gemv", message: "pair \(k): " + error.message)
            }
            if shape.length != length {
                throw KernelError(
                    .shapeMismatch, operation: "gemv",
                    message: "pair \(k) gives a \(shape.length)x1 product (M is \(m.shapeDescription)\(trans ? ", transposed" : "")) "
                        + "but pair 0 gives \(length)x1; every op(M) needs the same number of rows")
            }
            inner.append(shape.inner)
        }
        return (length, inner)
    }
}
