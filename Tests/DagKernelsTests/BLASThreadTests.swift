import DagKernels
import Foundation
import Synchronization
import Testing

@Suite("OpenBLAS threads")
struct BLASThreadTests {
    init() { BLASSetup.ensureSingleThreaded() }

    @Test("useSingleThread leaves one thread per call")
    func singleThread() {
        BLAS.useSingleThread()
        #expect(BLAS.threadCount == 1)
        #expect(BLAS.processorCount >= 1)
    }

    @Test("configuration names the library and the core")
    func configuration() {
        let configuration = BLAS.configuration
        print("OpenBLAS: \(configuration); parallelism \(BLAS.parallelism); \(BLAS.processorCount) CPUs")
        #expect(configuration.hasPrefix("OpenBLAS "))
        #expect(configuration.contains("(core: "))
    }

    /// Two OS threads, released together, each multiplying its own pair of
    /// 200x200 matrices repeatedly. Every product must equal the triple loop's.
    @Test("concurrent single-threaded gemm calls on two threads are independent")
    func concurrentCalls() throws {
        let iterations = 20
        let inputs = (0..<2).map { worker in
            (Kernels.random(rows: 200, cols: 200, seed: UInt64(100 + worker)),
             Kernels.random(rows: 200, cols: 200, seed: UInt64(200 + worker)))
        }
        let expected = try inputs.map { try ReferenceKernels.gemm($0.0, $0.1) }
        let worstErrors = Mutex<[Int: Double]>([:])
        let start = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        for worker in 0..<2 {
            let (a, b) = inputs[worker]
            let reference = expected[worker]
            let thread = Thread {
                start.wait()
                var worst = 0.0
                for _ in 0..<iterations {
                    do {
                        let product = try Kernels.gemm(a, b)
                        worst = max(worst, try relativeError(product, reference))
                    } catch {
                        worst = .infinity
                    }
                }
                worstErrors.withLock { $0[worker] = worst }
                finished.signal()
            }
            thread.start()
        }
        start.signal()
        start.signal()
        finished.wait()
        finished.wait()
        let results = worstErrors.withLock { $0 }
        #expect(results.count == 2)
        for worker in 0..<2 {
            let worst = try #require(results[worker])
            #expect(worst < 1e-12, "thread \(worker): relative error \(worst)")
        }
    }
}
