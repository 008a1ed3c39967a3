import DagKernels
import Testing

@Suite("BLAS levels 1-3")
struct BLASKernelTests {
    init() { BLASSetup.ensureSingleThreaded() }

    @Test("axpy, dot and nrm2 worked by hand")
    func levelOneByHand() throws {
        let x = matrix([[1, 2], [3, 4]]), y = matrix([[10, 20], [30, 40]])
        #expect(try Kernels.axpy(2, x, y).toArray() == [12, 24, 36, 48])
        #expect(x.toArray() == [1, 2, 3, 4] && y.toArray() == [10, 20, 30, 40], "inputs unchanged")
        #expect(try Kernels.dot(x, y) == 300)
        #expect(Kernels.nrm2(matrix([[3, 4]])) == 5)
        #expect(Kernels.nrm2(Matrix(rows: 0, cols: 2)) == 0)
        // dnrm2 scales: squaring 1e200 would overflow.
        #expect(abs(Kernels.nrm2(matrix([[3e200, 4e200]])) / 5e200 - 1) < 1e-15)
        #expect(try Kernels.axpy(1, Matrix(vector: [1]), Matrix(vector: [2])).isVector)
    }

    @Test("axpy, dot and nrm2 against plain loops on random matrices", arguments: [(1, 1), (17, 3), (64, 65)])
    func levelOneAgainstLoops(rows: Int, cols: Int) throws {
        let x = Kernels.random(rows: rows, cols: cols, seed: 1, distribution: .normal)
        let y = Kernels.random(rows: rows, cols: cols, seed: 2, distribution: .normal)
        let xs = x.toArray(), ys = y.toArray()
        let expected = Matrix(rows: rows, cols: cols, elements: zip(xs, ys).map { -0.5 * $0 + $1 })
        #expect(try relativeError(try Kernels.axpy(-0.5, x, y), expected) < 1e-15)
        let dot = zip(xs, ys).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(try Kernels.dot(x, y) - dot) < 1e-12 * Double(xs.count))
        let norm = xs.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(Kernels.nrm2(x) - norm) < 1e-13 * norm)
    }

    @Test("level 1 shape errors name both shapes")
    func levelOneErrors() {
        let a = Matrix(rows: 2, cols: 3), b = Matrix(rows: 3, cols: 2)
        #expect(throws: KernelError(.shapeMismatch, operation: "axpy",
                                    message: "cannot combine 2x3 and 3x2 element by element; the shapes must be equal")) {
            try Kernels.axpy(1, a, b)
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "dot",
                                    message: "cannot take the dot product of 2x3 and 3x2 element by element; the shapes must be equal")) {
            try Kernels.dot(a, b)
        }
    }

    @Test("gemv matches gemm with a one-column B", arguments: [false, true])
    func gemvAgainstGemm(trans: Bool) throws {
        let a = Kernels.random(rows: 9, cols: 6, seed: 3)
        let x = Kernels.random(rows: trans ? 9 : 6, cols: 1, seed: 4)
        let y = Kernels.random(rows: trans ? 6 : 9, cols: 1, seed: 5)
        let product = try Kernels.gemv(a, x, y: y, alpha: 2, beta: -1, trans: trans)
        let expected = try ReferenceKernels.gemm(a, x, c: y, alpha: 2, beta: -1, transA: trans)
        #expect((product.rows, product.cols) == (trans ? 6 : 9, 1))
        #expect(try relativeError(product, expected) < 1e-14)
        // Without y, beta is ignored; with beta 0, y is not read.
        let plain = try Kernels.gemv(a, x, trans: trans)
        let nans = Matrix(rows: y.rows, cols: 1, elements: Array(repeating: .nan, count: y.rows))
        #expect(try Kernels.gemv(a, x, y: nans, beta: 0, trans: trans).toArray() == plain.toArray())
        #expect(try Kernels.gemv(a, Matrix(vector: x.toArray()), trans: trans).isVector)
    }

    @Test("gemv shape errors say what x and y must be")
    func gemvErrors() {
        let a = Matrix(rows: 4, cols: 3)
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv",
                                    message: "cannot multiply 4x3 by 4x1: x must be a 3x1 vector, as A has 3 columns")) {
            try Kernels.gemv(a, Matrix(rows: 4, cols: 1))
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv",
                                    message: "cannot multiply 4x3 (transposed: 3x4) by 3x1: x must be a 4x1 vector, as Aᵀ has 4 columns")) {
            try Kernels.gemv(a, Matrix(rows: 3, cols: 1), trans: true)
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv",
                                    message: "y is 3x1 but the product is 4x1; pass a 4x1 y, or none")) {
            try Kernels.gemv(a, Matrix(rows: 3, cols: 1), y: Matrix(rows: 3, cols: 1), beta: 1)
        }
    }

    /// Σ_k alpha·op(M_k)·v_k by plain loops, element (i) = alpha·Σ_k Σ_p op(M_k)[i][p]·v_k[p].
    static func pairsByLoops(_ pairs: [(matrix: Matrix, vector: Matrix, trans: Bool)], alpha: Double) -> [Double] {
        let length = pairs[0].trans ? pairs[0].matrix.cols : pairs[0].matrix.rows
        var y = [Double](repeating: 0, count: length)
        for (m, v, trans) in pairs {
            let a = m.toArray(), x = v.toArray()
            for i in 0..<length {
                for p in 0..<x.count { y[i] += alpha * (trans ? a[p * m.cols + i] : a[i * m.cols + p]) * x[p] }
            }
        }
        return y
    }

    @Test("gemv over pairs: the sum of each pair's product, transposed per pair, by OpenBLAS and both Swift variants")
    func gemvPairsAgainstLoops() throws {
        // A 7-row block from a 7x5 tile, a 4x7 tile transposed and a 7x7 one: lengths 7 each.
        let pairs: [(matrix: Matrix, vector: Matrix, trans: Bool)] = [
            (Kernels.random(rows: 7, cols: 5, seed: 1, distribution: .normal), Kernels.random(rows: 5, cols: 1, seed: 2), false),
            (Kernels.random(rows: 4, cols: 7, seed: 3, distribution: .normal), Kernels.random(rows: 4, cols: 1, seed: 4), true),
            (Kernels.random(rows: 7, cols: 7, seed: 5, distribution: .normal), Kernels.random(rows: 7, cols: 1, seed: 6), false),
        ]
        let expected = Matrix(rows: 7, cols: 1, elements: Self.pairsByLoops(pairs, alpha: -1.5))
        let blas = try Kernels.gemv(pairs: pairs, alpha: -1.5)
        #expect((blas.rows, blas.cols, blas.isVector) == (7, 1, false))
        #expect(try relativeError(blas, expected) < 1e-14)
        for variant in ReferenceKernels.Variant.allCases {
            #expect(try relativeError(try ReferenceKernels.gemv(pairs: pairs, alpha: -1.5, variant: variant), expected) < 1e-14)
        }
        // One pair is the plain gemv.
        let one = [pairs[1]]
        #expect(try Kernels.gemv(pairs: one).toArray() == (try Kernels.gemv(one[0].matrix, one[0].vector, trans: true)).toArray())
        let vectors = pairs.map { ($0.matrix, Matrix(vector: $0.vector.toArray()), $0.trans) }
        #expect(try Kernels.gemv(pairs: vectors).isVector)
        // A pair with no inner dimension (a 0x7 tile, transposed) adds nothing.
        let empty: (matrix: Matrix, vector: Matrix, trans: Bool) = (Matrix(rows: 0, cols: 7), Matrix(rows: 0, cols: 1), true)
        #expect(try Kernels.gemv(pairs: [pairs[0], empty]).toArray() == (try Kernels.gemv(pairs[0].matrix, pairs[0].vector)).toArray())
        #expect(try ReferenceKernels.gemv(pairs: [pairs[0], empty], variant: .blocked).rows == 7)
    }

    @Test("gemv of a triangle: the triangle as a full matrix, for every part, transposed or not, alone or in pairs",
          arguments: Kernels.Triangle.allCases, [false, true])
    func gemvTriangle(part: Kernels.Triangle, trans: Bool) throws {
        // NaN outside the triangle (and on a unit diagonal) proves that it is not read.
        let n = 9
        let m = Kernels.random(rows: n, cols: n, seed: 21, distribution: .normal)
        let poisoned = m.copy()
        if part != .full {
            let upper = part == .upper || part == .upperUnit, unit = part == .lowerUnit || part == .upperUnit
            for i in 0..<n { for j in 0..<n where (upper ? j < i : j > i) || (unit && i == j) { poisoned[i, j] = .nan } }
        }
        let whole = triangle(m, lower: part == .lower || part == .lowerUnit, unitDiagonal: part == .lowerUnit || part == .upperUnit)
        let t = part == .full ? m : whole
        #expect(try Kernels.maxAbsDifference(ReferenceKernels.triangle(of: m, part), t) == 0)
        let x = Kernels.random(rows: n, cols: 1, seed: 22), y = Kernels.random(rows: n, cols: 1, seed: 23)
        let expected = try Kernels.gemv(t, x, y: y, alpha: -2, beta: 0.5, trans: trans)
        let blas = try Kernels.gemv(poisoned, x, y: y, alpha: -2, beta: 0.5, trans: trans, triangle: part)
        #expect(try relativeError(blas, expected) < 1e-14)
        #expect(try relativeError(try Kernels.gemv(poisoned, x, trans: trans, triangle: part),
                                  try Kernels.gemv(t, x, trans: trans)) < 1e-14, "without y")
        for variant in ReferenceKernels.Variant.allCases {
            let swift = try ReferenceKernels.gemv(poisoned, x, y: y, alpha: -2, beta: 0.5, trans: trans, triangle: part,
                                                  variant: variant)
            #expect(try relativeError(swift, expected) < 1e-14, "\(variant)")
        }
        // In pairs, beside a full 9x4 tile: each pair its own triangle.
        let tile = Kernels.random(rows: n, cols: 4, seed: 24), v = Kernels.random(rows: 4, cols: 1, seed: 25)
        let pairs: [(matrix: Matrix, vector: Matrix, trans: Bool)] = [(tile, v, false), (poisoned, x, trans)]
        let sum = Matrix(rows: n, cols: 1, elements: Self.pairsByLoops([(tile, v, false), (t, x, trans)], alpha: 3))
        #expect(try relativeError(try Kernels.gemv(pairs: pairs, alpha: 3, triangles: [.full, part]), sum) < 1e-14)
        for variant in ReferenceKernels.Variant.allCases {
            let swift = try ReferenceKernels.gemv(pairs: pairs, alpha: 3, triangles: [.full, part], variant: variant)
            #expect(try relativeError(swift, sum) < 1e-14, "\(variant)")
        }
    }

    @Test("gemv of a triangle needs a square matrix and one triangle per pair")
    func gemvTriangleErrors() {
        let a = Matrix(rows: 4, cols: 3), x = Matrix(rows: 3, cols: 1), sq = Matrix(rows: 3, cols: 3)
        let notSquare = KernelError(.notSquare, operation: "gemv",
                                    message: "the upper triangle of A needs a square A, but A is 4x3")
        #expect(throws: notSquare) { try Kernels.gemv(a, x, triangle: .upper) }
        #expect(throws: notSquare) { try ReferenceKernels.gemv(a, x, triangle: .upper) }
        #expect(throws: KernelError(.notSquare, operation: "gemv",
                                    message: "pair 1: the lower-unit triangle of A needs a square A, but A is 4x3")) {
            try Kernels.gemv(pairs: [(Matrix(rows: 3, cols: 3), x, true), (a, x, true)], triangles: [.upper, .lowerUnit])
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv",
                                    message: "has 2 pairs but 1 triangles; give one triangle per pair, or none")) {
            try ReferenceKernels.gemv(pairs: [(sq, x, false), (sq, x, false)], triangles: [.upper])
        }
        #expect(throws: Never.self) { try Kernels.gemv(a, x, triangle: .full) }
    }

    @Test("gemv over pairs names the pair that does not fit")
    func gemvPairsErrors() {
        let a = Matrix(rows: 4, cols: 3), x = Matrix(rows: 3, cols: 1)
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv",
                                    message: "pair 1: cannot multiply 4x3 by 4x1: x must be a 3x1 vector, as A has 3 columns")) {
            try Kernels.gemv(pairs: [(a, x, false), (a, Matrix(rows: 4, cols: 1), false)])
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv",
                                    message: "pair 1 gives a 3x1 product (M is 4x3, transposed) but pair 0 gives 4x1; "
                                        + "every op(M) needs the same number of rows")) {
            try ReferenceKernels.gemv(pairs: [(a, x, false), (a, Matrix(rows: 4, cols: 1), true)])
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "gemv", message: "needs at least one (matrix, vector) pair")) {
            try Kernels.gemv(pairs: [])
        }
    }

    @Test("nrm2 of several matrices: √(Σ w·‖x‖²), against plain loops")
    func weightedNorm() throws {
        let xs = [Kernels.random(rows: 5, cols: 4, seed: 7, distribution: .normal), Kernels.random(rows: 3, cols: 1, seed: 8),
                  Kernels.random(rows: 6, cols: 6, seed: 9, distribution: .normal)]
        let weights = [1.0, 2.0, 0.5]
        let squares = xs.map { $0.toArray().reduce(0) { $0 + $1 * $1 } }
        let expected = zip(weights, squares).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
        #expect(abs(try Kernels.nrm2(of: xs, weights: weights) - expected) <= 1e-14 * expected)
        let unweighted = squares.reduce(0, +).squareRoot()
        #expect(abs(try Kernels.nrm2(of: xs) - unweighted) <= 1e-14 * unweighted)
        #expect(try Kernels.nrm2(of: [xs[2]]) == Kernels.nrm2(xs[2]), "one input without weights is dnrm2 itself")
        // Combined relative to the largest: no square overflows.
        #expect(abs(try Kernels.nrm2(of: [matrix([[3e200]]), matrix([[4e200]])]) / 5e200 - 1) < 1e-15)
        #expect(try Kernels.nrm2(of: [matrix([[3e200]])], weights: [4]) == 6e200)
        #expect(try Kernels.nrm2(of: [Matrix(rows: 0, cols: 1), Matrix(rows: 2, cols: 2)]) == 0)
        #expect(try Kernels.nrm2(of: [matrix([[1]]), matrix([[.nan]])], weights: [1, 0]).isNaN, "a NaN is never weighted away")
        #expect(throws: KernelError(.shapeMismatch, operation: "nrm2", message: "has 3 matrices but 2 weights; give one weight per matrix")) {
            try Kernels.nrm2(of: xs, weights: [1, 2])
        }
    }

    @Test("syrk is the full symmetric A·Aᵀ (or Aᵀ·A) plus beta·C", arguments: [false, true])
    func syrk(trans: Bool) throws {
        let a = Kernels.random(rows: 7, cols: 4, seed: 6)
        let n = trans ? 4 : 7
        let c = try Kernels.syrk(Kernels.random(rows: n, cols: 3, seed: 7))  // a symmetric C
        let result = try Kernels.syrk(a, c: c, alpha: 0.5, beta: 2, trans: trans)
        let expected = try ReferenceKernels.gemm(a, a, c: c, alpha: 0.5, beta: 2, transA: trans, transB: !trans)
        #expect((result.rows, result.cols) == (n, n))
        #expect(try relativeError(result, expected) < 1e-14)
        for i in 0..<n { for j in 0..<n { #expect(result[i, j] == result[j, i]) } }
        #expect(throws: KernelError(.shapeMismatch, operation: "syrk",
                                    message: "c is 3x3 but A·Aᵀ is 7x7; pass a 7x7 c, or none")) {
            try Kernels.syrk(a, c: Matrix(rows: 3, cols: 3), beta: 1)
        }
    }

    /// Every combination of side, triangle, transpose and unit diagonal: op(A)·X = alpha·B
    /// (or X·op(A) = alpha·B) holds for the X returned, and the other triangle of A is never read.
    @Test("trsm solves every variant", arguments: [Kernels.Side.left, .right], [false, true])
    func trsm(side: Kernels.Side, lower: Bool) throws {
        for transA in [false, true] {
            for unit in [false, true] {
                let order = side == .left ? 6 : 4
                let a = Kernels.random(rows: order, cols: order, seed: 8)
                for i in 0..<order { a[i, i] += Double(order) }  // well conditioned
                // The triangle trsm must ignore holds NaNs (and, with unit, so does the diagonal).
                let poisoned = a.copy()
                for i in 0..<order {
                    for j in 0..<order where (lower ? j > i : j < i) || (unit && i == j) { poisoned[i, j] = .nan }
                }
                let b = Kernels.random(rows: 6, cols: 4, seed: 9)
                let x = try Kernels.trsm(poisoned, b, side: side, lower: lower, transA: transA, unit: unit, alpha: 1.5)
                let t = triangle(a, lower: lower, unitDiagonal: unit)
                let back = side == .left ? try ReferenceKernels.gemm(t, x, transA: transA)
                    : try ReferenceKernels.gemm(x, t, transB: transA)
                #expect(try relativeError(back, Kernels.scale(b, by: 1.5)) < 1e-13,
                        "side \(side) lower \(lower) transA \(transA) unit \(unit)")
            }
        }
    }

    @Test("trsm shape errors")
    func trsmErrors() throws {
        #expect(throws: KernelError(.notSquare, operation: "trsm", message: "needs a square matrix, but A is 3x4")) {
            try Kernels.trsm(Matrix(rows: 3, cols: 4), Matrix(rows: 3, cols: 3))
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "trsm",
                                    message: "A is 3x3 and B is 4x3: op(A)·X = B needs A's order to equal B's rows (4)")) {
            try Kernels.trsm(Matrix(rows: 3, cols: 3), Matrix(rows: 4, cols: 3))
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "trsm",
                                    message: "A is 3x3 and B is 3x4: X·op(A) = B needs A's order to equal B's columns (4)")) {
            try Kernels.trsm(Matrix(rows: 3, cols: 3), Matrix(rows: 3, cols: 4), side: .right)
        }
        #expect(try Kernels.trsm(Matrix(rows: 0, cols: 0), Matrix(rows: 0, cols: 5)).cols == 5)
    }
}
