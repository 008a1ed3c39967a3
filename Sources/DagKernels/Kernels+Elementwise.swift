extension Kernels {
    /// `a - b`, element by element (`cblas_daxpy` with alpha -1 onto a copy
    /// of `a`; a + (-1)·b is exactly a - b in IEEE arithmetic).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes.
    public static func sub(_ a: Matrix, _ b: Matrix) throws(KernelError) -> Matrix {
        try KernelShapes.requireSameShape(a, b, operation: "sub", verb: "subtract")
        let result = Matrix(rows: a.rows, cols: a.cols, isVector: a.isVector && b.isVector)
        withExtendedLifetime((a, b)) {
            result.baseAddress.update(from: a.baseAddress, count: a.count)
            OpenBLASCalls.daxpy(count: b.count, alpha: -1, x: b.baseAddress, y: result.baseAddress)
        }
        return result
    }

    /// The element-wise (Hadamard) product `a[i] * b[i]`; BLAS has no such
    /// operation, so this is a plain loop the compiler vectorises.
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming both shapes.
    public static func mul(_ a: Matrix, _ b: Matrix) throws(KernelError) -> Matrix {
        try KernelShapes.requireSameShape(a, b, operation: "mul", verb: "multiply")
        let result = Matrix(rows: a.rows, cols: a.cols, isVector: a.isVector && b.isVector)
        withExtendedLifetime((a, b)) {
            let x = a.baseAddress, y = b.baseAddress, out = result.baseAddress
            for i in 0..<a.count {
                out[i] = x[i] * y[i]
            }
        }
        return result
    }

    /// The largest element; NaN if any element is NaN; `-infinity` for an
    /// empty matrix (the identity of max).
    public static func maxElement(_ a: Matrix) -> Double {
        withExtendedLifetime(a) {
            var largest = -Double.infinity
            for x in UnsafeBufferPointer(start: a.baseAddress, count: a.count) {
                if x.isNaN { return .nan }
                if x > largest { largest = x }
            }
            return largest
        }
    }
}
