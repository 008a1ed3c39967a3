import DagGen
import Testing

/// The seeded random layered DAG: its bounds, and that the seed alone decides it.
struct RandomShapeTests {
    static func options(n: Int = 5000, seed: UInt64 = 1, maxInDegree: Int = 3, width: Int = 100, window: Int = 1000) -> GenOptions {
        var options = GenOptions(n: n)
        options.seed = seed
        options.maxInDegree = maxInDegree
        options.width = width
        options.window = window
        return options
    }

    @Test("in-degree stays within 0...maxInDegree and takes every value in that range",
          arguments: [0, 1, 3, 8])
    func inDegree(maxInDegree: Int) throws {
        let graph = try GeneratedGraph(.random, Self.options(maxInDegree: maxInDegree))
        let degrees = Set(graph.tasks.dropFirst(100).map(\.inputs.count))
        #expect(degrees == Set(0...maxInDegree))
    }

    @Test("inputs are distinct, sorted, from earlier layers, within the window")
    func inputsInWindow() throws {
        let options = Self.options(width: 100, window: 250)
        let graph = try GeneratedGraph(.random, options)
        for task in graph.tasks {
            let layerStart = task.index - task.index % options.width
            #expect(task.inputs == Array(Set(task.inputs)).sorted(), "t\(task.index): distinct and sorted")
            #expect(task.inputs.allSatisfy { $0 < layerStart && $0 >= layerStart - options.window },
                    "t\(task.index) takes \(task.inputs), outside [\(layerStart - options.window), \(layerStart))")
        }
        #expect(graph.tasks.prefix(options.width).allSatisfy { $0.inputs.isEmpty }, "the first layer has no inputs")
    }

    @Test("a window smaller than maxInDegree still gives distinct inputs")
    func tinyWindow() throws {
        let graph = try GeneratedGraph(.random, Self.options(n: 300, maxInDegree: 5, width: 10, window: 2))
        #expect(graph.tasks.allSatisfy { $0.inputs.count <= 2 && Set($0.inputs).count == $0.inputs.count })
    }

    @Test("the same seed writes the same bytes; another seed writes another graph of the same size")
    func seeded() throws {
        let a = try GeneratedGraph(.random, Self.options(seed: 1))
        let b = try GeneratedGraph(.random, Self.options(seed: 1))
        let c = try GeneratedGraph(.random, Self.options(seed: 2))
        #expect(a.bytes == b.bytes)
        #expect(a.bytes != c.bytes)
        #expect(a.tasks.count == c.tasks.count)
        #expect(a.tasks.map(\.inputs) != c.tasks.map(\.inputs))
    }

    @Test("the mean in-degree is about maxInDegree / 2")
    func meanInDegree() {
        let options = Self.options(n: 100_000, maxInDegree: 3, width: 1000, window: 10000)
        let mean = Double(GraphGenerator.edgeCount(.random, options)) / Double(options.n - options.width)
        #expect(abs(mean - 1.5) < 0.02)
    }

    @Test("a fixed seed gives a fixed graph (guards the byte format and the generator against drift)")
    func golden() throws {
        var bytes: [UInt8] = []
        GraphGenerator.write(.random, Self.options(n: 6, seed: 42, width: 3)) { bytes.append(contentsOf: $0) }
        #expect(String(decoding: bytes, as: UTF8.self) == """
            {"version": 1, "name": "random-6", "description": "dagrun gen random --n 6 --op noop --seed 42 --max-in-degree 3 --width 3 --window 1000", "tasks": [
            {"id": "t0", "op": "noop"},
            {"id": "t1", "op": "noop"},
            {"id": "t2", "op": "noop"},
            {"id": "t3", "op": "noop", "inputs": ["t0", "t2"]},
            {"id": "t4", "op": "noop", "inputs": ["t0"]},
            {"id": "t5", "op": "noop", "inputs": ["t0", "t1", "t2"]}
            ]}

            """)
    }
}
