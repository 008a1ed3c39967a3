import DagCore
import DagFormat
import DagGen
@testable import DagRuntime
import Synchronization
import Testing

/// Every task runs exactly once and after all its inputs, for every generated shape, on
/// 1 and 2 workers and on more workers than cores, with both policies and fixed seeds.
@Suite(.serialized) struct ShapeCorrectnessTests {
    static let cases: [(GraphShape, Int)] = GraphShape.allCases.flatMap { s in [1, 2, 5].map { (s, $0) } }

    static func graph(_ shape: GraphShape, seed: UInt64) throws -> TaskGraph {
        var options = GenOptions(n: 3000)
        options.seed = seed
        options.width = 40
        options.window = 500
        options.levels = 20
        var bytes: [UInt8] = []
        GraphGenerator.write(shape, options) { bytes.append(contentsOf: $0) }
        return try GraphFile.load(bytes: bytes, file: "\(shape.rawValue).json")
    }

    @Test(arguments: cases)
    func everyTaskOnceAfterItsInputs(shape: GraphShape, workers: Int) throws {
        let graph = try Self.graph(shape, seed: 7)
        let runs = Mutex([Int](repeating: 0, count: graph.count))
        var library = OpLibrary.standard
        library.register("noop", .sync { input in
            runs.withLock { $0[Int(input.task)] += 1 }
            return .nothing
        })
        for policy in PolicyRegistry.all {
            runs.withLock { $0 = [Int](repeating: 0, count: graph.count) }
            var options = RunOptions(workers: workers)
            options.policy = policy
            let report = try Scheduler(topology: host, library: library).run(graph, options: options)
            #expect(report.succeeded)
            #expect(runs.withLock { $0 } == [Int](repeating: 1, count: graph.count), "\(shape) \(workers) \(policy.name)")
            for i in 0..<graph.count {
                for j in graph.inputs(of: i) {
                    #expect(report.trace.records[Int(j)].endNanos <= report.trace.records[i].startNanos)
                }
            }
        }
    }

    /// A failure deep inside each shape cancels exactly its descendants; the run ends.
    @Test(arguments: GraphShape.allCases)
    func failureCancelsExactlyTheDescendants(shape: GraphShape) throws {
        let graph = try Self.graph(shape, seed: 11)
        let victim = Int32(graph.count / 3)
        var library = OpLibrary.standard
        library.register("noop", .sync { input in
            if input.task == victim { throw OpError("injected failure") }
            return .nothing
        })
        let report = try Scheduler(topology: host, library: library).run(graph, options: RunOptions(workers: 2))
        // Descendants of the victim, by a plain walk.
        var descendant = [Bool](repeating: false, count: graph.count)
        var stack = [victim]
        while let t = stack.popLast() {
            for c in graph.consumers(of: Int(t)) where !descendant[Int(c)] {
                descendant[Int(c)] = true
                stack.append(c)
            }
        }
        for r in report.trace.records {
            let expected: ExecutionRecord.Status = r.task == victim ? .failed : descendant[Int(r.task)] ? .cancelled : .done
            #expect(r.status == expected, "\(shape): task \(graph.ids[Int(r.task)])")
        }
        #expect(report.failures.map(\.taskID) == [graph.ids[Int(victim)]])
    }
}
