import DagKernels
import Foundation
import Testing

/// Puts OpenBLAS in single-threaded mode exactly once, before the first
/// kernel call of any test. Swift Testing runs tests in parallel and
/// OpenBLAS does not synchronize thread-count changes with calls in flight,
/// so every test that calls a BLAS-backed kernel reads this first.
enum BLASSetup {
    static let singleThreaded: Bool = {
        BLAS.useSingleThread()
        return true
    }()

    static func ensureSingleThreaded() {
        #expect(singleThreaded)
    }
}

/// `max |x - y| / max(1, max |y|)`: the error of `x` relative to the
/// reference `y`'s scale.
func relativeError(_ x: Matrix, _ y: Matrix) throws -> Double {
    let difference = try Kernels.maxAbsDifference(x, y)
    let scale = y.toArray().reduce(1.0) { max($0, abs($1)) }
    return difference / scale
}

/// A fresh directory under the system temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("dagkernels-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// The names in `directory`, sorted.
func listing(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Runs `python3 -c script args...`; used to check files against numpy.
enum Python {
    struct Outcome {
        var status: Int32
        var output: String
    }

    static func run(_ script: String, _ arguments: [String] = []) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Whether `python3` with numpy is installed. When it is not, the numpy
    /// interoperability tests are reported as skipped with this reason.
    static let numpyAvailable: Bool = {
        let available = (try? run("import numpy"))?.status == 0
        if !available {
            print("skipped: numpy not available (python3 -c 'import numpy' failed); NPY interoperability tests will not run")
        }
        return available
    }()
}

/// A matrix with the given elements, row by row.
func matrix(_ rows: [[Double]]) -> Matrix {
    Matrix(rows: rows.count, cols: rows.first?.count ?? 0, elements: rows.flatMap { $0 })
}

/// Column `j` of `m` as an `m.rows x 1` matrix.
func column(_ m: Matrix, _ j: Int) -> Matrix {
    Matrix(rows: m.rows, cols: 1, elements: (0..<m.rows).map { m[$0, j] })
}

/// The lower (or upper) triangle of `m`, the rest zero; `unitDiagonal` puts ones on the diagonal.
func triangle(_ m: Matrix, lower: Bool, unitDiagonal: Bool = false) -> Matrix {
    let t = Matrix(rows: m.rows, cols: m.cols)
    for i in 0..<m.rows {
        for j in 0..<m.cols where lower ? j <= i : j >= i {
            t[i, j] = i == j && unitDiagonal ? 1 : m[i, j]
        }
    }
    return t
}

/// Shapes for property tests: fixed corner cases, then seeded random ones.
enum Shapes {
    /// (m, n, k) triples: 1x1, empty in each dimension, non-square, sizes just past the blocked kernels' blocks.
    static let gemm: [(Int, Int, Int)] = {
        var cases = [(1, 1, 1), (0, 3, 2), (3, 0, 2), (3, 2, 0), (7, 5, 3), (5, 7, 9), (97, 5, 260), (130, 67, 33)]
        var g = SplitMix64(seed: 2024)
        for _ in 0..<6 {
            cases.append((1 + Int(g.next() % 70), 1 + Int(g.next() % 70), 1 + Int(g.next() % 70)))
        }
        return cases
    }()
}
