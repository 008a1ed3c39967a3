import DagKernels
import Testing

@Suite("Matrix")
struct MatrixTests {
    @Test("storage is zeroed, aligned, row-major and owned")
    func storage() {
        let m = Matrix(rows: 3, cols: 5)
        #expect(m.count == 15)
        #expect(m.byteCount == 120)
        #expect(Int(bitPattern: m.baseAddress) % 64 == 0)
        #expect(m.toArray() == Array(repeating: 0, count: 15))
        m[1, 2] = 7
        #expect(m.baseAddress[1 * 5 + 2] == 7)
        #expect(m[1, 2] == 7)
        let copy = m.copy()
        copy[1, 2] = 8
        #expect(m[1, 2] == 7, "copy() must not share storage")
        #expect(Int(bitPattern: Matrix(rows: 0, cols: 0).baseAddress) % 64 == 0)
    }

    @Test("elements are taken in row-major order; vectors are n x 1")
    func initializers() {
        let m = Matrix(rows: 2, cols: 3, elements: [1, 2, 3, 4, 5, 6])
        #expect(m[0, 2] == 3 && m[1, 0] == 4)
        #expect(!m.isVector)
        let v = Matrix(vector: [1, 2, 3])
        #expect((v.rows, v.cols, v.isVector) == (3, 1, true))
        #expect(v[2, 0] == 3)
    }
}

@Suite("constructors")
struct ConstructorTests {
    @Test("random: same seed, same matrix; different seed, different matrix")
    func randomDeterminism() {
        let a = Kernels.random(rows: 20, cols: 30, seed: 42)
        let b = Kernels.random(rows: 20, cols: 30, seed: 42)
        let c = Kernels.random(rows: 20, cols: 30, seed: 43)
        #expect(a.toArray() == b.toArray())
        #expect(a.toArray() != c.toArray())
        // Row-major fill from one stream: the shape does not change the values.
        #expect(Kernels.random(rows: 2, cols: 3, seed: 42).toArray()
            == Kernels.random(rows: 1, cols: 6, seed: 42).toArray())
    }

    @Test("random: the documented SplitMix64 stream, pinned")
    func randomGolden() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        // Values computed independently in Python from the same definition.
        #expect(Kernels.random(rows: 1, cols: 3, seed: 0).toArray()
            == [0.8833108082136426, 0.43152799704850997, 0.026433771592597743])
        #expect(Kernels.random(rows: 2, cols: 1, seed: 42).toArray() == [0.7415648787718233, 0.1599103928769201])
    }

    @Test("random: values in [0, 1) with mean near 0.5")
    func randomDistribution() {
        let values = Kernels.random(rows: 100, cols: 100, seed: 7).toArray()
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Double(values.count)
        // The mean of 10,000 uniforms has standard deviation 0.0029.
        #expect(abs(mean - 0.5) < 0.02)
        #expect(Set(values).count > 9_990, "values should not repeat")
    }

    @Test("zeros, ones, eye")
    func fixedMatrices() {
        let z = Kernels.zeros(rows: 2, cols: 3)
        #expect((z.rows, z.cols) == (2, 3))
        #expect(z.toArray() == [0, 0, 0, 0, 0, 0])
        #expect(Kernels.ones(rows: 3, cols: 2).toArray() == [1, 1, 1, 1, 1, 1])
        #expect(Kernels.eye(3).toArray() == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Kernels.eye(0).count == 0)
    }
}

@Suite("elementwise and reductions")
struct ElementwiseTests {
    init() { BLASSetup.ensureSingleThreaded() }

    @Test("add")
    func add() throws {
        let a = Matrix(rows: 2, cols: 3, elements: [1, 2, 3, 4, 5, 6])
        let b = Matrix(rows: 2, cols: 3, elements: [10, 20, 30, 40, 50, 60])
        let sum = try Kernels.add(a, b)
        #expect(sum.toArray() == [11, 22, 33, 44, 55, 66])
        #expect((sum.rows, sum.cols) == (2, 3))
        #expect(a.toArray() == [1, 2, 3, 4, 5, 6] && b.toArray() == [10, 20, 30, 40, 50, 60], "inputs unchanged")
        #expect(try Kernels.add(Matrix(vector: [1, 2]), Matrix(vector: [3, 4])).isVector)
    }

    @Test("add with mismatched shapes names both")
    func addMismatch() {
        let error = #expect(throws: KernelError.self) {
            try Kernels.add(Matrix(rows: 2, cols: 3), Matrix(rows: 3, cols: 2))
        }
        #expect(error?.kind == .shapeMismatch)
        #expect(error?.description == "add: cannot add 2x3 and 3x2 elementwise; the shapes must be equal")
    }

    @Test("scale returns a new matrix")
    func scale() {
        let a = Matrix(rows: 2, cols: 2, elements: [1, -2, 3, 0.5])
        #expect(Kernels.scale(a, by: -2).toArray() == [-2, 4, -6, -1])
        #expect(a.toArray() == [1, -2, 3, 0.5])
        #expect(Kernels.scale(a, by: 0).toArray() == [0, 0, 0, 0])
    }

    @Test("sum is compensated")
    func sum() {
        #expect(Kernels.sum(Matrix(rows: 2, cols: 2, elements: [1, 2, 3, 4])) == 10)
        #expect(Kernels.sum(Matrix(rows: 0, cols: 3)) == 0)
        #expect(Kernels.sum(Kernels.ones(rows: 30, cols: 40)) == 1200)
        // Plain left-to-right addition gives 0.9999999999999999.
        #expect(Kernels.sum(Matrix(rows: 1, cols: 10, elements: Array(repeating: 0.1, count: 10))) == 1.0)
        // Kahan gives 0 here; Neumaier keeps the 1.
        #expect(Kernels.sum(Matrix(rows: 1, cols: 3, elements: [1e100, 1, -1e100])) == 1)
    }

    @Test("maxAbsDifference")
    func maxAbsDifference() throws {
        let a = Matrix(rows: 1, cols: 3, elements: [1, 2, 3])
        let b = Matrix(rows: 1, cols: 3, elements: [1, 2.5, 1])
        #expect(try Kernels.maxAbsDifference(a, b) == 2)
        #expect(try Kernels.maxAbsDifference(a, Matrix(rows: 1, cols: 3, elements: [1, .nan, 3])).isNaN)
        #expect(throws: KernelError.self) { try Kernels.maxAbsDifference(a, Matrix(rows: 3, cols: 1)) }
    }
}
