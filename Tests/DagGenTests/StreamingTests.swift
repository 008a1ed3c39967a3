import DagGen
import Testing

/// Output comes in bounded chunks whatever the size of the graph or of one line.
struct StreamingTests {
    @Test("a large graph arrives in chunks of about 1 MiB that concatenate to valid JSON")
    func chunks() throws {
        // 150k sources and one join line of about 1.4 MB: longer than a chunk.
        let graph = try GeneratedGraph(.independent, GenOptions(n: 150_000))
        #expect(graph.chunkSizes.count > 3)
        #expect(graph.chunkSizes.allSatisfy { $0 > 0 && $0 <= (1 << 20) + 64 })
        #expect(graph.chunkSizes.dropLast().allSatisfy { $0 >= 1 << 20 })
        #expect(graph.tasks.last?.inputs.count == 150_000)
    }

    @Test("a random graph of six-digit ids is about 58 bytes a task (58 MB for a million)")
    func size() {
        var bytes = 0
        GraphGenerator.write(.random, GenOptions(n: 200_000)) { bytes += $0.count }
        #expect(bytes > 50 * 200_000 && bytes < 62 * 200_000)
    }
}
