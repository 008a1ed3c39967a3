import DagCore
@testable import DagFormat
import DagGen
import Testing

/// Every generated shape, read by the fast reader (inputs found through their ids' numbers,
/// numbered runs in the id index) and by the tree decoder (a plain hash index), gives the
/// same graph: the same inputs for every task, and the same task for every id.
@Suite struct ReaderAgreementTests {
    func expectSameGraph(_ bytes: [UInt8], _ what: String) throws {
        let fast = try GraphFile.load(bytes: bytes, file: "g.json")
        let tree = try GraphFile.validate(GraphFile.decodeWithTree(bytes: bytes, file: "g.json"))
        #expect(fast.ids == tree.ids, "\(what)")
        #expect(fast.inputIndices == tree.inputIndices, "\(what)")
        #expect(fast.inputOffsets == tree.inputOffsets, "\(what)")
        for (k, id) in fast.ids.enumerated() where fast.index(of: id) != Int32(k) || tree.index(of: id) != Int32(k) {
            Issue.record("\(what): \(id) is task \(k), found as \(String(describing: fast.index(of: id)))")
            break
        }
    }

    @Test(arguments: GraphShape.allCases)
    func shapesAgree(shape: GraphShape) throws {
        var options = GenOptions(n: 20_000)
        options.width = 100
        options.levels = 20
        options.window = 3000
        var bytes: [UInt8] = []
        GraphGenerator.write(shape, options) { bytes.append(contentsOf: $0) }
        try expectSameGraph(bytes, shape.rawValue)
    }

    @Test(arguments: TiledAlgorithm.allCases)
    func tiledAlgorithmsAgree(algorithm: TiledAlgorithm) throws {
        var bytes: [UInt8] = []
        GraphGenerator.write(algorithm, TiledOptions(n: 512, tile: 64)) { bytes.append(contentsOf: $0) }
        try expectSameGraph(bytes, algorithm.rawValue)
    }
}
