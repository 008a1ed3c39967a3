import DagKernels
import Testing

/// Kernels that write into an input's storage when the caller holds its only reference,
/// and into a copy otherwise (never into a matrix someone else can still see).
@Suite("in-place updates")
struct InPlaceUpdateTests {
    func values(_ m: Matrix) -> [Double] { m.toArray() }

    @Test func gemmAccumulatesIntoAUniqueC() throws {
        let a = Kernels.random(rows: 7, cols: 5, seed: 1), b = Kernels.random(rows: 5, cols: 6, seed: 2)
        let expected = try Kernels.gemm(a, b, c: Kernels.random(rows: 7, cols: 6, seed: 3), alpha: 2, beta: 0.5)
        let c = Kernels.random(rows: 7, cols: 6, seed: 3)
        let id = ObjectIdentifier(c)
        let result = try Kernels.gemm(a, b, updating: consume c, alpha: 2, beta: 0.5)
        #expect(ObjectIdentifier(result) == id, "the only reference: written in place")
        #expect(try Kernels.maxAbsDifference(result, expected) < 1e-12)
    }

    @Test func gemmCopiesASharedC() throws {
        let a = Kernels.random(rows: 4, cols: 4, seed: 1), b = Kernels.random(rows: 4, cols: 4, seed: 2)
        let c = Kernels.random(rows: 4, cols: 4, seed: 3)
        let before = values(c)
        let result = try Kernels.gemm(a, b, updating: c, beta: 1)
        #expect(result !== c, "someone else still holds C: a copy")
        #expect(values(c) == before, "the shared C is untouched")
        #expect(try Kernels.maxAbsDifference(result, try Kernels.gemm(a, b, c: c, beta: 1)) < 1e-12)
        // C that is also an operand is never overwritten while being read.
        let x = Kernels.random(rows: 4, cols: 4, seed: 4)
        let square = try Kernels.gemm(x, x, c: x, beta: 1)
        #expect(try Kernels.maxAbsDifference(try Kernels.gemm(x, x, updating: x, beta: 1), square) < 1e-12)
    }

    @Test func trsmSolvesIntoAUniqueB() throws {
        let l = try Kernels.potrf(Kernels.spd(n: 6, seed: 9))
        let expected = try Kernels.trsm(l, Kernels.random(rows: 4, cols: 6, seed: 5), side: .right, transA: true)
        let b = Kernels.random(rows: 4, cols: 6, seed: 5)
        let id = ObjectIdentifier(b)
        let x = try Kernels.trsm(l, consume b, side: .right, transA: true)
        #expect(ObjectIdentifier(x) == id)
        #expect(try Kernels.maxAbsDifference(x, expected) < 1e-12)
        let shared = Kernels.random(rows: 4, cols: 6, seed: 5)
        let before = values(shared)
        let y = try Kernels.trsm(l, shared, side: .right, transA: true)
        #expect(y !== shared && values(shared) == before)
    }
}
