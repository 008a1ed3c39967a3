import DagKernels
import Testing

@Suite("gemm")
struct GemmTests {
    init() { BLASSetup.ensureSingleThreaded() }

    /// op(A) is 7x5 and op(B) is 5x3 in every case; the stored operands are
    /// transposed to match, so each flag really changes the memory layout.
    static let transposeCases: [(Bool, Bool)] = [(false, false), (false, true), (true, false), (true, true)]

    @Test("OpenBLAS matches the triple loop, 7x5 * 5x3", arguments: transposeCases)
    func matchesReference(transA: Bool, transB: Bool) throws {
        let a = transA ? Kernels.random(rows: 5, cols: 7, seed: 1) : Kernels.random(rows: 7, cols: 5, seed: 1)
        let b = transB ? Kernels.random(rows: 3, cols: 5, seed: 2) : Kernels.random(rows: 5, cols: 3, seed: 2)
        let blas = try Kernels.gemm(a, b, transA: transA, transB: transB)
        let reference = try ReferenceKernels.gemm(a, b, transA: transA, transB: transB)
        #expect((blas.rows, blas.cols) == (7, 3))
        #expect(try relativeError(blas, reference) < 1e-12)
    }

    @Test("alpha and beta with c match the triple loop", arguments: transposeCases)
    func alphaBetaMatchReference(transA: Bool, transB: Bool) throws {
        let a = transA ? Kernels.random(rows: 5, cols: 7, seed: 3) : Kernels.random(rows: 7, cols: 5, seed: 3)
        let b = transB ? Kernels.random(rows: 3, cols: 5, seed: 4) : Kernels.random(rows: 5, cols: 3, seed: 4)
        let c = Kernels.random(rows: 7, cols: 3, seed: 5)
        let cBefore = c.toArray()
        let blas = try Kernels.gemm(a, b, c: c, alpha: 1.5, beta: -0.75, transA: transA, transB: transB)
        let reference = try ReferenceKernels.gemm(a, b, c: c, alpha: 1.5, beta: -0.75, transA: transA, transB: transB)
        #expect(try relativeError(blas, reference) < 1e-12)
        // beta really contributed: the result differs from alpha * op(A) op(B).
        let withoutC = try Kernels.gemm(a, b, alpha: 1.5, transA: transA, transB: transB)
        #expect(try Kernels.maxAbsDifference(blas, withoutC) > 0.1)
        #expect(c.toArray() == cBefore, "gemm must not write into c")
    }

    @Test("a product worked by hand")
    func knownProduct() throws {
        let a = Matrix(rows: 2, cols: 2, elements: [1, 2, 3, 4])
        let b = Matrix(rows: 2, cols: 2, elements: [5, 6, 7, 8])
        #expect(try Kernels.gemm(a, b).toArray() == [19, 22, 43, 50])
        #expect(try ReferenceKernels.gemm(a, b).toArray() == [19, 22, 43, 50])
        // Aᵀ B = [[1,3],[2,4]] [[5,6],[7,8]]
        #expect(try Kernels.gemm(a, b, transA: true).toArray() == [26, 30, 38, 44])
        let c = Matrix(rows: 2, cols: 2, elements: [1, 1, 1, 1])
        #expect(try Kernels.gemm(a, b, c: c, alpha: 2, beta: 10).toArray() == [48, 54, 96, 110])
    }

    @Test("without c, beta is ignored; with beta 0, c is not read")
    func betaRules() throws {
        let a = Kernels.random(rows: 4, cols: 6, seed: 6)
        let b = Kernels.random(rows: 6, cols: 2, seed: 7)
        let plain = try Kernels.gemm(a, b)
        #expect(try Kernels.gemm(a, b, beta: 5).toArray() == plain.toArray())
        let nans = Matrix(rows: 4, cols: 2, elements: Array(repeating: .nan, count: 8))
        let blas = try Kernels.gemm(a, b, c: nans, beta: 0)
        let reference = try ReferenceKernels.gemm(a, b, c: nans, beta: 0)
        #expect(!blas.toArray().contains { $0.isNaN })
        #expect(try relativeError(blas, reference) < 1e-12)
    }

    @Test("empty inner dimension gives beta * c; empty outer gives an empty matrix")
    func emptyDimensions() throws {
        let a = Matrix(rows: 3, cols: 0)
        let b = Matrix(rows: 0, cols: 2)
        #expect(try Kernels.gemm(a, b).toArray() == [0, 0, 0, 0, 0, 0])
        let c = Kernels.ones(rows: 3, cols: 2)
        #expect(try Kernels.gemm(a, b, c: c, beta: 3).toArray() == Array(repeating: 3, count: 6))
        #expect(try ReferenceKernels.gemm(a, b, c: c, beta: 3).toArray() == Array(repeating: 3, count: 6))
        let empty = try Kernels.gemm(Matrix(rows: 0, cols: 4), Matrix(rows: 4, cols: 5))
        #expect((empty.rows, empty.cols) == (0, 5))
    }

    @Test("mismatched inner dimensions name both shapes")
    func shapeMismatch() {
        let a = Matrix(rows: 100, cols: 50)
        let b = Matrix(rows: 60, cols: 10)
        for multiply in [{ try Kernels.gemm(a, b) }, { try ReferenceKernels.gemm(a, b) }] {
            let error = #expect(throws: KernelError.self) { try multiply() }
            #expect(error?.kind == .shapeMismatch)
            #expect(error?.description.contains("100x50") == true)
            #expect(error?.description.contains("60x10") == true)
            #expect(error?.description == "gemm: cannot multiply 100x50 by 60x10: A has 50 columns but B has 60 rows")
        }
    }

    @Test("a transposed mismatch shows the transposed shape")
    func transposedMismatch() throws {
        let a = Matrix(rows: 100, cols: 50)
        let b = Matrix(rows: 60, cols: 10)
        let error = #expect(throws: KernelError.self) { try Kernels.gemm(a, b, transB: true) }
        #expect(error?.description
            == "gemm: cannot multiply 100x50 by 60x10 (transposed: 10x60): A has 50 columns but op(B) has 10 rows")
        // Aᵀ * A is fine: op(A) is 50x100 and A is 100x50.
        #expect(try Kernels.gemm(a, a, transA: true).rows == 50)
    }

    @Test("a c of the wrong shape names both shapes")
    func cMismatch() {
        let a = Matrix(rows: 7, cols: 5)
        let b = Matrix(rows: 5, cols: 3)
        let c = Matrix(rows: 2, cols: 2)
        let error = #expect(throws: KernelError.self) { try Kernels.gemm(a, b, c: c, beta: 1) }
        #expect(error?.kind == .shapeMismatch)
        #expect(error?.description == "gemm: c is 2x2 but the product is 7x3; pass a 7x3 c, or none")
    }
}
