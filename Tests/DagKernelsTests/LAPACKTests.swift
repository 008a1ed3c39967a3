import DagKernels
import Testing

@Suite("LAPACK")
struct LAPACKTests {
    init() { BLASSetup.ensureSingleThreaded() }

    @Test("potrf recovers a known factor, lower and upper")
    func potrfKnownFactor() throws {
        let l = matrix([[2, 0, 0], [1, 3, 0], [-1, 0.5, 1.5]])
        let a = try Kernels.gemm(l, l, transB: true)
        #expect(try Kernels.maxAbsDifference(try Kernels.potrf(a), l) < 1e-14)
        #expect(try Kernels.maxAbsDifference(try Kernels.potrf(a, lower: false), Kernels.transpose(l)) < 1e-14)
    }

    @Test("potrf: L·Lᵀ = A and Uᵀ·U = A, reading only the named triangle", arguments: [1, 2, 33, 200])
    func potrfIdentity(n: Int) throws {
        let a = try Kernels.spd(n: n, seed: UInt64(n))
        for lower in [true, false] {
            let poisoned = a.copy()
            for i in 0..<n { for j in 0..<n where lower ? j > i : j < i { poisoned[i, j] = .nan } }
            let f = try Kernels.potrf(poisoned, lower: lower)
            #expect(try Kernels.maxAbsDifference(f, triangle(f, lower: lower)) == 0, "the other triangle is zero")
            let back = lower ? try Kernels.gemm(f, f, transB: true) : try Kernels.gemm(f, f, transA: true)
            #expect(try relativeError(back, a) < 1e-14, "n \(n) lower \(lower)")
        }
    }

    @Test("potrf names the failing leading minor in words")
    func potrfNotPositiveDefinite() throws {
        // Leading minors: 4, 4·1 - 2·2 = 0 at order 2.
        let a = matrix([[4, 2, 0], [2, 1, 0], [0, 0, 1]])
        #expect(throws: KernelError(
            .notPositiveDefinite, operation: "potrf",
            message: "the leading minor of order 2 is not positive definite, so the 3x3 matrix is not symmetric "
                + "positive-definite (Cholesky needs an SPD matrix: check how it was built, or factor it with getrf)")) {
            try Kernels.potrf(a)
        }
        let third = try? Kernels.potrf(matrix([[1, 0, 0], [0, 1, 0], [0, 0, -1]]))
        #expect(third == nil)
        let error = #expect(throws: KernelError.self) { try Kernels.potrf(matrix([[1, 0, 0], [0, 1, 0], [0, 0, -1]])) }
        #expect(error?.message.hasPrefix("the leading minor of order 3 is not positive definite") == true)
        #expect(throws: KernelError(.notSquare, operation: "potrf", message: "needs a square matrix, but the matrix is 2x3")) {
            try Kernels.potrf(Matrix(rows: 2, cols: 3))
        }
        #expect(try Kernels.potrf(Matrix(rows: 0, cols: 0)).count == 0)
    }

    @Test("getrf then getrs solves A·X = B", arguments: [1, 2, 5, 40])
    func luSolves(n: Int) throws {
        let a = Kernels.random(rows: n, cols: n, seed: 11, distribution: .normal)
        let lu = try Kernels.getrf(a)
        #expect(lu.order == n && lu.pivots.count == n)
        #expect(lu.description == "LU factors of a \(n)x\(n) matrix")
        for k in [1, 3] {
            let b = Kernels.random(rows: n, cols: k, seed: 12)
            let x = try Kernels.getrs(lu, b)
            #expect((x.rows, x.cols) == (n, k))
            #expect(try relativeError(try Kernels.gemm(a, x), b) < 1e-11, "n \(n) k \(k)")
        }
        let vector = try Kernels.getrs(lu, Matrix(vector: Array(repeating: 1, count: n)))
        #expect(vector.isVector)
    }

    /// The documented layout: read row-major, `packed` holds Uᵀ on and below the diagonal and
    /// Lᵀ (unit diagonal) above it, and A·P = Uᵀ·Lᵀ where P applies the pivots to A's columns.
    @Test("getrf's factors are LAPACK's factors of Aᵀ, as documented")
    func luLayout() throws {
        let n = 6
        let a = Kernels.random(rows: n, cols: n, seed: 13)
        let lu = try Kernels.getrf(a)
        let lower = triangle(lu.packed, lower: true)                       // Uᵀ
        let upper = triangle(lu.packed, lower: false, unitDiagonal: true)  // Lᵀ
        let permuted = a.copy()
        for k in 0..<n {
            let p = Int(lu.pivots[k]) - 1
            #expect(p >= k && p < n)
            for r in 0..<n {
                let t = permuted[r, k]
                permuted[r, k] = permuted[r, p]
                permuted[r, p] = t
            }
        }
        #expect(try relativeError(try Kernels.gemm(lower, upper), permuted) < 1e-14)
    }

    @Test("a singular matrix names the zero pivot U(i,i)")
    func luSingular() throws {
        // Row 2 is twice row 1 (in Aᵀ's terms: column 2 is twice column 1).
        let a = matrix([[1, 2, 3], [2, 4, 6], [1, 0, 1]])
        let error = #expect(throws: KernelError.self) { try Kernels.getrf(Kernels.transpose(a)) }
        #expect(error?.kind == .singular)
        #expect(error?.message.contains("is exactly zero: the 3x3 matrix is singular") == true, "\(String(describing: error))")
        #expect(throws: KernelError(
            .singular, operation: "getrf",
            message: "U(2,2) is exactly zero: the 2x2 matrix is singular, so A·X = B has no unique solution "
                + "(check the matrix for a zero, repeated or dependent row or column)")) {
            try Kernels.getrf(matrix([[1, 2], [2, 4]]))
        }
        #expect(throws: KernelError.self) { try Kernels.getrf(Matrix(rows: 2, cols: 3)) }
    }

    /// Doolittle's elimination without pivoting, the textbook loop: packed L (unit, below the
    /// diagonal) and U (on and above it) of a row-major A.
    static func luByLoops(_ a: Matrix) -> Matrix {
        let n = a.rows
        var lu = a.toArray()
        for k in 0..<n {
            for i in (k + 1)..<max(n, k + 1) {
                lu[i * n + k] /= lu[k * n + k]
                for j in (k + 1)..<n { lu[i * n + j] -= lu[i * n + k] * lu[k * n + j] }
            }
        }
        return Matrix(rows: n, cols: n, elements: lu)
    }

    @Test("getrf without pivoting: the packed L and U of the textbook loop, with L·U = A", arguments: [1, 2, 7, 64, 150])
    func luWithoutPivoting(n: Int) throws {
        let a = try Kernels.diagdom(n: n, seed: UInt64(n))
        let before = a.toArray()
        let packed = try Kernels.getrfNoPivot(a)
        #expect(a.toArray() == before, "a matrix the caller still holds is not changed")
        #expect((packed.rows, packed.cols) == (n, n))
        #expect(try relativeError(packed, Self.luByLoops(a)) < 1e-13, "the same factors as the plain loop, orientation included")
        let l = triangle(packed, lower: true, unitDiagonal: true), u = triangle(packed, lower: false)
        #expect(try relativeError(try Kernels.gemm(l, u), a) < 1e-15 * Double(n))
        // By hand: multipliers 2/4 and 1/4, then (2 − 1/4)/(5 − 1/2) = 1.75/4.5; U's rows [4, 1, 0],
        // [4.5, 1], [6 − 1.75/4.5]. Dominant by columns: no interchange.
        let small = try Kernels.getrfNoPivot(matrix([[4, 1, 0], [2, 5, 1], [1, 2, 6]]))
        #expect(try Kernels.maxAbsDifference(small, matrix([[4, 1, 0], [0.5, 4.5, 1], [0.25, 1.75 / 4.5, 6 - 1.75 / 4.5]])) < 1e-15)
    }

    @Test("getrf without pivoting writes into a matrix only its caller holds")
    func luWithoutPivotingInPlace() throws {
        let expected = try Kernels.getrfNoPivot(try Kernels.diagdom(n: 20, seed: 3))
        let a = try Kernels.diagdom(n: 20, seed: 3)
        let id = ObjectIdentifier(a)
        let packed = try Kernels.getrfNoPivot(consume a)
        #expect(ObjectIdentifier(packed) == id)
        #expect(packed.toArray() == expected.toArray())
    }

    @Test("getrf without pivoting refuses a matrix that needs a row interchange, naming the row")
    func luWithoutPivotingNeedsPivoting() throws {
        // Column 0's largest entry is in row 1.
        #expect(throws: KernelError(
            .needsPivoting, operation: "getrf",
            message: "without pivoting, the 2x2 matrix needs a row interchange at row 0 (counting from 0): at that step "
                + "the largest entry of column 0 is in row 1, not on the diagonal. An LU without pivoting (a tiled LU) "
                + "needs a matrix diagonally dominant by columns, such as diagdom's; factor this one with pivoting "
                + "(getrf with pivot true)")) {
            try Kernels.getrfNoPivot(matrix([[1, 2], [3, 4]]))
        }
        // Dominant at step 0, not at step 1: the Schur complement's column 1 is [1 − 0.5·0.5, 4 − 0·0.5] = [0.75, 4].
        let error = #expect(throws: KernelError.self) {
            try Kernels.getrfNoPivot(matrix([[2, 0.5, 0], [1, 1, 0], [0, 4, 9]]))
        }
        #expect(error?.kind == .needsPivoting)
        #expect(error?.message.contains("at row 1 (counting from 0): at that step the largest entry of column 1 is in row 2") == true,
                "\(String(describing: error))")
        // A transposed diagdom matrix is dominant by rows and columns too; a zero pivot fails as singular.
        _ = try Kernels.getrfNoPivot(Kernels.transpose(try Kernels.diagdom(n: 30, seed: 1)))
        let singular = #expect(throws: KernelError.self) { try Kernels.getrfNoPivot(Matrix(rows: 2, cols: 2)) }
        #expect(singular?.kind == .singular)
        #expect(singular?.message.hasPrefix("U(1,1) is exactly zero: the 2x2 matrix is singular, so it has no LU") == true)
        #expect(throws: KernelError(.notSquare, operation: "getrf", message: "needs a square matrix, but the matrix is 2x3")) {
            try Kernels.getrfNoPivot(Matrix(rows: 2, cols: 3))
        }
        #expect(try Kernels.getrfNoPivot(Matrix(rows: 0, cols: 0)).count == 0)
    }

    @Test("getrs needs B with the factored order of rows")
    func getrsShape() throws {
        let lu = try Kernels.getrf(Kernels.eye(3))
        #expect(throws: KernelError(.shapeMismatch, operation: "getrs",
                                    message: "B is 4x2 but the factored matrix is 3x3; B needs 3 rows")) {
            try Kernels.getrs(lu, Matrix(rows: 4, cols: 2))
        }
    }

    @Test("geqrf: R is upper triangular and RᵀR = AᵀA", arguments: [(8, 5), (5, 5), (3, 7), (1, 1), (0, 3)])
    func qr(m: Int, n: Int) throws {
        let a = Kernels.random(rows: m, cols: n, seed: 14, distribution: .normal)
        let r = try Kernels.geqrf(a)
        #expect((r.rows, r.cols) == (min(m, n), n))
        #expect(try Kernels.maxAbsDifference(r, triangle(r, lower: false)) == 0)
        let gram = try Kernels.gemm(a, a, transA: true)
        #expect(try relativeError(try Kernels.gemm(r, r, transA: true), gram) < 1e-13)
    }
}
