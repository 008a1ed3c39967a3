import DagKernels
import Testing

/// The naive and blocked plain-Swift kernels against OpenBLAS on many shapes.
@Suite("reference kernels")
struct ReferenceKernelTests {
    init() { BLASSetup.ensureSingleThreaded() }

    static let variants = ReferenceKernels.Variant.allCases

    @Test("gemm: naive and blocked match OpenBLAS on every shape and transpose", arguments: variants)
    func gemm(variant: ReferenceKernels.Variant) throws {
        for (m, n, k) in Shapes.gemm {
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = transA ? Kernels.random(rows: k, cols: m, seed: 1) : Kernels.random(rows: m, cols: k, seed: 1)
                let b = transB ? Kernels.random(rows: n, cols: k, seed: 2) : Kernels.random(rows: k, cols: n, seed: 2)
                let c = Kernels.random(rows: m, cols: n, seed: 3)
                let blas = try Kernels.gemm(a, b, c: c, alpha: 0.75, beta: -2, transA: transA, transB: transB)
                let mine = try ReferenceKernels.gemm(a, b, c: c, alpha: 0.75, beta: -2, transA: transA, transB: transB,
                                                     variant: variant)
                #expect((mine.rows, mine.cols) == (m, n))
                #expect(try relativeError(mine, blas) < 1e-13, "\(m)x\(n)x\(k) transA \(transA) transB \(transB)")
            }
        }
        let nans = Matrix(rows: 2, cols: 2, elements: [.nan, .nan, .nan, .nan])
        let noC = try ReferenceKernels.gemm(Kernels.eye(2), Kernels.eye(2), c: nans, beta: 0, variant: variant)
        #expect(noC.toArray() == [1, 0, 0, 1], "c is not read when beta is 0")
    }

    @Test("gemv: naive and blocked match OpenBLAS", arguments: variants)
    func gemv(variant: ReferenceKernels.Variant) throws {
        for (m, n) in [(1, 1), (0, 3), (3, 0), (7, 5), (5, 7), (33, 130), (130, 9)] {
            let a = Kernels.random(rows: m, cols: n, seed: 4)
            for trans in [false, true] {
                let x = Kernels.random(rows: trans ? m : n, cols: 1, seed: 5)
                let y = Kernels.random(rows: trans ? n : m, cols: 1, seed: 6)
                let blas = try Kernels.gemv(a, x, y: y, alpha: 1.25, beta: 0.5, trans: trans)
                let mine = try ReferenceKernels.gemv(a, x, y: y, alpha: 1.25, beta: 0.5, trans: trans, variant: variant)
                #expect(try relativeError(mine, blas) < 1e-13, "\(m)x\(n) trans \(trans)")
            }
        }
        let error = #expect(throws: KernelError.self) {
            try ReferenceKernels.gemv(Matrix(rows: 4, cols: 3), Matrix(rows: 4, cols: 1), variant: variant)
        }
        #expect(error?.description == "gemv: cannot multiply 4x3 by 4x1: x must be a 3x1 vector, as A has 3 columns")
    }

    @Test("potrf: naive and blocked match OpenBLAS and fail at the same minor", arguments: variants)
    func potrf(variant: ReferenceKernels.Variant) throws {
        for n in [0, 1, 2, 63, 64, 65, 150] {
            let a = try Kernels.spd(n: n, seed: 7)
            for lower in [true, false] {
                let blas = try Kernels.potrf(a, lower: lower)
                let mine = try ReferenceKernels.potrf(a, lower: lower, variant: variant)
                #expect(try relativeError(mine, blas) < 1e-13, "n \(n) lower \(lower)")
            }
        }
        // Make the leading minor of order 100 fail: its pivot ends up negative.
        let bad = try Kernels.spd(n: 130, seed: 8)
        bad[99, 99] = -1000
        let expected = #expect(throws: KernelError.self) { try Kernels.potrf(bad) }
        let mine = #expect(throws: KernelError.self) { try ReferenceKernels.potrf(bad, variant: variant) }
        #expect(expected?.message.hasPrefix("the leading minor of order 100 ") == true)
        #expect(mine == expected)
    }

    @Test("axpy: naive and blocked match OpenBLAS", arguments: variants)
    func axpy(variant: ReferenceKernels.Variant) throws {
        for count in [0, 1, 3, 15, 16, 17, 1000] {
            let x = Kernels.random(rows: count, cols: 1, seed: 9), y = Kernels.random(rows: count, cols: 1, seed: 10)
            let mine = try ReferenceKernels.axpy(-3, x, y, variant: variant)
            // OpenBLAS's kernel for this CPU may fuse the multiply-add (one rounding instead of two).
            #expect(try relativeError(mine, try Kernels.axpy(-3, x, y)) < 1e-15, "count \(count)")
        }
        #expect(throws: KernelError.self) { try ReferenceKernels.axpy(1, Matrix(rows: 1, cols: 2), Matrix(rows: 2, cols: 1)) }
    }
}
