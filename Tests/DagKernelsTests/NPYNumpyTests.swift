import DagKernels
import Testing

/// Checks against the real numpy. These run only when `python3 -c 'import
/// numpy'` succeeds; otherwise Swift Testing reports them as skipped with
/// the reason below, and Support.swift prints "skipped: numpy not available".
@Suite("NPY against numpy", .enabled(if: Python.numpyAvailable, "numpy not available (python3 -c 'import numpy' failed)"))
struct NPYNumpyTests {
    /// The values both sides generate: element k (row-major) is (k + 1) / 7,
    /// correctly rounded by both Python and Swift.
    static func sevenths(_ count: Int) -> [Double] {
        (0..<count).map { Double($0 + 1) / 7 }
    }

    static let numpyPrelude = """
        import sys, numpy as np
        d = sys.argv[1]
        def sevenths(shape):
            return ((np.arange(int(np.prod(shape)), dtype=np.float64) + 1) / 7).reshape(shape)
        """

    @Test("files written by np.save read back with the same values")
    func readNumpyFiles() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let script = Self.numpyPrelude + """

                np.save(f"{d}/c_f8.npy", sevenths((3, 4)))
                np.save(f"{d}/f_f8.npy", np.asfortranarray(sevenths((3, 4))))
                np.save(f"{d}/c_f4.npy", sevenths((2, 5)).astype('<f4'))
                np.save(f"{d}/f_f4.npy", np.asfortranarray(sevenths((2, 5)).astype('<f4')))
                np.save(f"{d}/c_i8.npy", (np.arange(6).reshape(2, 3) * 1000003 - 5 + 2**40).astype('<i8'))
                np.save(f"{d}/f_i4.npy", np.asfortranarray((np.arange(6).reshape(3, 2) - 2).astype('<i4')))
                np.save(f"{d}/v_f8.npy", sevenths((7,)))
                np.save(f"{d}/v_i4.npy", (np.arange(5) - 2).astype('<i4'))
                np.save(f"{d}/empty.npy", np.zeros((0, 3)))
                for v in [(2, 0), (3, 0)]:
                    with open(f"{d}/version{v[0]}.npy", "wb") as f:
                        np.lib.format.write_array(f, sevenths((2, 2)), version=v)
                """
            let outcome = try Python.run(script, [directory])
            try #require(outcome.status == 0, "python failed: \(outcome.output)")

            let cases: [(file: String, rows: Int, cols: Int, vector: Bool, values: [Double])] = [
                ("c_f8", 3, 4, false, Self.sevenths(12)),
                ("f_f8", 3, 4, false, Self.sevenths(12)),
                ("c_f4", 2, 5, false, Self.sevenths(10).map { Double(Float($0)) }),
                ("f_f4", 2, 5, false, Self.sevenths(10).map { Double(Float($0)) }),
                ("c_i8", 2, 3, false, (0..<6).map { Double($0 * 1_000_003 - 5 + (1 << 40)) }),
                ("f_i4", 3, 2, false, (0..<6).map { Double($0 - 2) }),
                ("v_f8", 7, 1, true, Self.sevenths(7)),
                ("v_i4", 5, 1, true, [-2, -1, 0, 1, 2]),
                ("empty", 0, 3, false, []),
                ("version2", 2, 2, false, Self.sevenths(4)),
                ("version3", 2, 2, false, Self.sevenths(4)),
            ]
            for expected in cases {
                let m = try NPY.read(path: "\(directory)/\(expected.file).npy")
                #expect((m.rows, m.cols, m.isVector) == (expected.rows, expected.cols, expected.vector), "\(expected.file)")
                #expect(m.toArray() == expected.values, "\(expected.file)")
            }
        }
    }

    @Test("NPY.encode is byte-identical to np.save for float64")
    func identicalBytes() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let script = Self.numpyPrelude + """

                for name, shape in [("a", (3, 4)), ("b", (5,)), ("c", (0, 3)), ("d", (1, 1)),
                                    ("e", (1234, 3)), ("f", (0,)), ("g", (2, 123456))]:
                    np.save(f"{d}/{name}.npy", sevenths(shape))
                """
            let outcome = try Python.run(script, [directory])
            try #require(outcome.status == 0, "python failed: \(outcome.output)")
            let shapes: [(String, Int, Int, Bool)] = [
                ("a", 3, 4, false), ("b", 5, 1, true), ("c", 0, 3, false), ("d", 1, 1, false),
                ("e", 1234, 3, false), ("f", 0, 1, true), ("g", 2, 123_456, false),
            ]
            for (name, rows, cols, vector) in shapes {
                let m = vector
                    ? Matrix(vector: Self.sevenths(rows))
                    : Matrix(rows: rows, cols: cols, elements: Self.sevenths(rows * cols))
                let numpyBytes = try fileBytes("\(directory)/\(name).npy")
                let ours = NPY.encode(m)
                #expect(ours.count == numpyBytes.count, "\(name)")
                #expect(Array(ours.prefix(128)) == Array(numpyBytes.prefix(128)), "\(name): header differs")
                #expect(ours == numpyBytes, "\(name)")
            }
        }
    }

    @Test("np.load reads what NPY.write writes")
    func numpyLoadsOurFiles() throws {
        try withTemporaryDirectory { (directory: String) throws in
            try NPY.write(Matrix(rows: 3, cols: 4, elements: Self.sevenths(12)), path: "\(directory)/m.npy")
            try NPY.write(Matrix(vector: Self.sevenths(7)), path: "\(directory)/v.npy")
            try NPY.write(Matrix(rows: 0, cols: 3), path: "\(directory)/e.npy")
            let script = Self.numpyPrelude + """

                ok = True
                for name, shape in [("m", (3, 4)), ("v", (7,)), ("e", (0, 3))]:
                    a = np.load(f"{d}/{name}.npy")
                    good = (a.dtype == np.float64 and a.shape == shape
                            and np.allclose(a, sevenths(shape), rtol=0, atol=0)
                            and np.array_equal(a, sevenths(shape)))
                    if not good:
                        print(name, a.dtype, a.shape, a)
                        ok = False
                sys.exit(0 if ok else 1)
                """
            let outcome = try Python.run(script, [directory])
            #expect(outcome.status == 0, "numpy disagrees: \(outcome.output)")
        }
    }
}
