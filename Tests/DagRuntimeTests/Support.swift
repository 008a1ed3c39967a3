import DagCore
import DagKernels
import DagTopology
@testable import DagRuntime
import Synchronization

let host: HardwareTopology = try! HardwareTopology.host()

func run(_ g: GraphBuilder, workers: Int? = nil, keep: RunOptions.KeepResults = .sinks,
         baseDirectory: String = "") throws -> RunReport {
    var options = RunOptions(workers: workers, baseDirectory: baseDirectory)
    options.keep = keep
    return try Scheduler(topology: host).run(try g.build(), options: options)
}

func seconds(_ nanos: UInt64) -> Double { Double(nanos) * 1e-9 }

/// Counts live instances, to check that results are freed after their last consumer.
final class Tracked: Sendable {
    static let alive = Atomic<Int>(0)
    init() { Self.alive.add(1, ordering: .sequentiallyConsistent) }
    deinit { Self.alive.subtract(1, ordering: .sequentiallyConsistent) }
}

/// Busy-waits about `seconds` on the calling thread (a CPU-bound stand-in).
func spin(_ seconds: Double) {
    let end = monotonicNanos() + UInt64(seconds * 1e9)
    var x = 0.0
    while monotonicNanos() < end { x += 1 }
    precondition(x >= 0)
}

/// A temporary directory, removed by the caller.
func temporaryDirectory() -> String {
    var template = Array("/tmp/dagrun-test-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

import Glibc
