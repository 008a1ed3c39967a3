import DagKernels
import Testing

/// Prints rough throughput figures; asserts correctness, never timings.
/// For numbers worth quoting run it alone, in release:
/// `swift test -c release -Xswiftc -enable-testing --filter Throughput`.
@Suite("Throughput")
struct ThroughputTests {
    init() { BLASSetup.ensureSingleThreaded() }

    @Test("GFLOP/s of OpenBLAS (n = 1024) and the triple loop (n = 256)")
    func gflops() throws {
        let n = 1024
        let a = Kernels.random(rows: n, cols: n, seed: 1)
        let b = Kernels.random(rows: n, cols: n, seed: 2)
        _ = try Kernels.gemm(a, b)  // warm-up: page faults, kernel selection
        var best = Duration.seconds(1_000)
        for _ in 0..<3 {
            best = min(best, try ContinuousClock().measure { _ = try Kernels.gemm(a, b) })
        }
        print("throughput: Kernels.gemm n=\(n), \(BLAS.threadCount) thread: \(format(gflops(n, best))) GFLOP/s (best of 3, \(best))")

        let m = 256
        let x = Kernels.random(rows: m, cols: m, seed: 3)
        let y = Kernels.random(rows: m, cols: m, seed: 4)
        var reference = Matrix(rows: 0, cols: 0)
        let naive = try ContinuousClock().measure { reference = try ReferenceKernels.gemm(x, y) }
        print("throughput: ReferenceKernels.gemm n=\(m): \(format(gflops(m, naive))) GFLOP/s (\(naive))")
        #expect(try relativeError(try Kernels.gemm(x, y), reference) < 1e-12)
    }

    private func gflops(_ n: Int, _ time: Duration) -> Double {
        let seconds = Double(time.components.seconds) + Double(time.components.attoseconds) * 1e-18
        return 2 * Double(n) * Double(n) * Double(n) / seconds / 1e9
    }

    private func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }
}
