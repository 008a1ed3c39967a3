import DagKernels
import Testing

@Suite("element-wise, layout and constructors")
struct LayoutAndConstructorTests {
    init() { BLASSetup.ensureSingleThreaded() }

    @Test("sub, mul and maxElement")
    func elementwise() throws {
        let a = matrix([[1, 2], [3, 4]]), b = matrix([[0.5, -1], [2, 8]])
        #expect(try Kernels.sub(a, b).toArray() == [0.5, 3, 1, -4])
        #expect(try Kernels.mul(a, b).toArray() == [0.5, -2, 6, 32])
        #expect(Kernels.maxElement(b) == 8)
        #expect(Kernels.maxElement(matrix([[1, .nan, 3]])).isNaN)
        #expect(Kernels.maxElement(Matrix(rows: 0, cols: 1)) == -.infinity)
        #expect(throws: KernelError(.shapeMismatch, operation: "sub",
                                    message: "cannot subtract 2x2 and 1x4 element by element; the shapes must be equal")) {
            try Kernels.sub(a, Matrix(rows: 1, cols: 4))
        }
        #expect(throws: KernelError.self) { try Kernels.mul(a, Matrix(rows: 1, cols: 4)) }
    }

    @Test("transpose and slice")
    func transposeAndSlice() throws {
        let a = matrix([[1, 2, 3], [4, 5, 6]])
        #expect(Kernels.transpose(a).toArray() == [1, 4, 2, 5, 3, 6])
        #expect(Kernels.transpose(Matrix(rows: 0, cols: 3)).rows == 3)
        let big = Kernels.random(rows: 70, cols: 45, seed: 1)
        #expect(Kernels.transpose(Kernels.transpose(big)).toArray() == big.toArray())
        #expect(try Kernels.slice(a, row: 1, col: 1, rows: 1, cols: 2).toArray() == [5, 6])
        #expect(throws: KernelError(.outOfBounds, operation: "slice",
                                    message: "the block of rows 1..<3, columns 0..<1 does not lie inside the 2x3 matrix")) {
            try Kernels.slice(a, row: 1, col: 0, rows: 2, cols: 1)
        }
    }

    @Test("assemble: full and lower grids rebuild the matrix they were cut from")
    func assemble() throws {
        let whole = Kernels.random(rows: 7, cols: 7, seed: 2)
        let cuts = [0, 3, 5, 7]  // uneven tiles: 3, 2, 2
        func tile(_ i: Int, _ j: Int) throws -> Matrix {
            try Kernels.slice(whole, row: cuts[i], col: cuts[j], rows: cuts[i + 1] - cuts[i], cols: cuts[j + 1] - cuts[j])
        }
        var full: [Matrix] = []
        for i in 0..<3 { for j in 0..<3 { full.append(try tile(i, j)) } }
        #expect(try Kernels.assemble(full, gridRows: 3, gridCols: 3).toArray() == whole.toArray())
        var lower: [Matrix] = []
        for i in 0..<3 { for j in 0...i { lower.append(try tile(i, j)) } }
        let assembled = try Kernels.assemble(lower, gridRows: 3, gridCols: 3, fill: .lower)
        for i in 0..<7 {
            for j in 0..<7 {
                let blockAbove = cuts.lastIndex { $0 <= j }! > cuts.lastIndex { $0 <= i }!
                #expect(assembled[i, j] == (blockAbove ? 0 : whole[i, j]), "(\(i), \(j))")
            }
        }
        #expect(throws: KernelError(.shapeMismatch, operation: "assemble",
                                    message: "a 3x3 grid with fill lower takes 6 tiles, got 9")) {
            try Kernels.assemble(full, gridRows: 3, gridCols: 3, fill: .lower)
        }
        full.swapAt(0, 1)
        let error = #expect(throws: KernelError.self) { try Kernels.assemble(full, gridRows: 3, gridCols: 3) }
        #expect(error?.message == "tile 1 at grid (0, 1) is 3x3 but grid row 0 is 3 high; tiles in one grid row need one height"
            || error?.message.contains("grid column") == true, "\(String(describing: error))")
    }

    @Test("concat along both axes, and its errors")
    func concat() throws {
        let a = matrix([[1, 2]]), b = matrix([[3, 4], [5, 6]])
        #expect(try Kernels.concat([a, b], axis: .stackRows).toArray() == [1, 2, 3, 4, 5, 6])
        #expect(try Kernels.concat([b, Kernels.transpose(matrix([[7, 8]]))], axis: .sideBySide).toArray() == [3, 4, 7, 5, 6, 8])
        #expect(try Kernels.concat([Matrix(vector: [1]), Matrix(vector: [2])], axis: .stackRows).isVector)
        #expect(throws: KernelError(.shapeMismatch, operation: "concat",
                                    message: "part 1 is 2x2 but part 0 is 1x2; along axis 1 every part needs 1 rows")) {
            try Kernels.concat([a, b], axis: .sideBySide)
        }
        #expect(throws: KernelError.self) { try Kernels.concat([], axis: .stackRows) }
    }

    @Test("random normal: seeded, deterministic, one stream, standard moments")
    func normal() {
        let a = Kernels.random(rows: 200, cols: 100, seed: 3, distribution: .normal)
        #expect(a.toArray() == Kernels.random(rows: 200, cols: 100, seed: 3, distribution: .normal).toArray())
        #expect(a.toArray() != Kernels.random(rows: 200, cols: 100, seed: 4, distribution: .normal).toArray())
        #expect(Kernels.random(rows: 3, cols: 1, seed: 3, distribution: .normal).toArray() == Array(a.toArray().prefix(3)))
        let values = a.toArray()
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        // 20,000 samples: the mean has standard deviation 0.007, the variance 0.01.
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05, "mean \(mean), variance \(variance)")
        let beyond2 = Double(values.filter { abs($0) > 2 }.count) / Double(values.count)
        #expect(abs(beyond2 - 0.0455) < 0.01, "share beyond 2 sigma: \(beyond2)")
        // Uniform is the default and unchanged.
        #expect(Kernels.random(rows: 1, cols: 3, seed: 0, distribution: .uniform).toArray()
            == [0.8833108082136426, 0.43152799704850997, 0.026433771592597743])
    }

    @Test("random access into the SplitMix64 stream")
    func streamOutput() {
        var g = SplitMix64(seed: 99)
        for index in 0..<5 { #expect(SplitMix64.output(seed: 99, index: UInt64(index)) == g.next()) }
    }

    @Test("spd: symmetric, dominant diagonal, tiles are slices of the whole")
    func spd() throws {
        let n = 9
        let whole = try Kernels.spd(n: n, seed: 5)
        let uniform = Kernels.random(rows: n, cols: n, seed: 5)
        for i in 0..<n {
            for j in 0..<n {
                #expect(whole[i, j] == whole[j, i])
                let (r, c) = (min(i, j), max(i, j))
                #expect(whole[i, j] == uniform[r, c] + (i == j ? Double(n) : 0), "the documented formula at (\(i), \(j))")
            }
        }
        for (row, col, rows, cols) in [(0, 0, 4, 4), (4, 0, 5, 4), (2, 6, 3, 3), (8, 8, 1, 1)] {
            let tile = try Kernels.spd(n: n, seed: 5, row: row, col: col, rows: rows, cols: cols)
            #expect(tile.toArray() == (try Kernels.slice(whole, row: row, col: col, rows: rows, cols: cols)).toArray())
        }
        #expect(try Kernels.spd(n: n, seed: 5, row: 3).rows == 6, "rows default to the rest of the matrix")
        #expect(try Kernels.spd(n: 9, seed: 6).toArray() != whole.toArray())
        _ = try Kernels.potrf(try Kernels.spd(n: 300, seed: 1))
        #expect(throws: KernelError(.outOfBounds, operation: "spd",
                                    message: "the block of rows 5..<10, columns 0..<9 does not lie inside the 9x9 matrix; "
                                        + "keep row + rows and col + cols at most 9")) {
            try Kernels.spd(n: 9, seed: 5, row: 5, rows: 5)
        }
    }

    @Test("diagdom: random plus n·I, dominant by rows and columns, tiles are slices of the whole, spd's upper triangle")
    func diagdom() throws {
        let n = 9
        let whole = try Kernels.diagdom(n: n, seed: 5)
        let uniform = Kernels.random(rows: n, cols: n, seed: 5), spd = try Kernels.spd(n: n, seed: 5)
        for i in 0..<n {
            #expect(whole[i, i] >= Double(n))
            var row = 0.0, column = 0.0
            for j in 0..<n {
                #expect(whole[i, j] == uniform[i, j] + (i == j ? Double(n) : 0), "the documented formula at (\(i), \(j))")
                if j >= i { #expect(whole[i, j] == spd[i, j]) }
                if j != i { row += abs(whole[i, j]); column += abs(whole[j, i]) }
            }
            #expect(row < Double(n - 1) && column < Double(n - 1), "row and column \(i) are strictly dominated by the diagonal")
        }
        #expect(whole.toArray() != Kernels.transpose(whole).toArray(), "not symmetric")
        for (row, col, rows, cols) in [(0, 0, 4, 4), (4, 0, 5, 4), (2, 6, 3, 3), (8, 8, 1, 1), (0, 5, 4, 4)] {
            let tile = try Kernels.diagdom(n: n, seed: 5, row: row, col: col, rows: rows, cols: cols)
            #expect(tile.toArray() == (try Kernels.slice(whole, row: row, col: col, rows: rows, cols: cols)).toArray())
        }
        #expect(try Kernels.diagdom(n: n, seed: 5, col: 3).cols == 6, "columns default to the rest of the matrix")
        #expect(throws: KernelError(.outOfBounds, operation: "diagdom",
                                    message: "the block of rows 0..<9, columns 7..<10 does not lie inside the 9x9 matrix; "
                                        + "keep row + rows and col + cols at most 9")) {
            try Kernels.diagdom(n: 9, seed: 5, col: 7, cols: 3)
        }
    }
}
