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
