import DagCore
import DagFormat
import DagGen
import Testing

/// A generated tiled graph, read back by dagrun's own reader and validated against the
/// op vocabulary (``SpecCatalogue``): static shapes, argument types and input counts.
struct TiledGraph {
    struct Task {
        var index: Int
        var id: String
        var op: String
        var inputs: [String]
        /// The arguments as written (no defaults filled in).
        var args: [String: ArgValue]
    }

    var name: String?
    var bytes: [UInt8]
    var chunkSizes: [Int]
    var graph: TaskGraph
    var tasks: [Task]
    var byID: [String: Task]

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var edgeCount: Int { tasks.reduce(0) { $0 + $1.inputs.count } }

    /// Generates the graph, then checks what every generated graph must satisfy: it
    /// validates, ids are unique, every input is an earlier task, one task per line.
    init(_ algorithm: TiledAlgorithm, _ options: TiledOptions, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        var bytes: [UInt8] = []
        var chunkSizes: [Int] = []
        GraphGenerator.write(algorithm, options) { chunk in
            bytes.append(contentsOf: chunk)
            chunkSizes.append(chunk.count)
        }
        try self.init(bytes: bytes, file: "\(algorithm.rawValue).json", sourceLocation: sourceLocation)
        self.chunkSizes = chunkSizes
    }

    init(bytes: [UInt8], file: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        self.bytes = bytes
        chunkSizes = []
        do {
            graph = try GraphFile.load(bytes: bytes, file: file, catalogue: SpecCatalogue.catalogue)
        } catch {
            Issue.record("the generated graph does not validate:\n\(error.issues.map(\.description).joined(separator: "\n"))",
                         sourceLocation: sourceLocation)
            throw error
        }
        name = graph.name
        // The declared tasks: inputs by name and arguments as written, without defaults.
        let table = GraphFile.decode(bytes: bytes, file: file).table
        tasks = (0..<table.count).map { i in
            Task(index: i, id: table.ids[i], op: table.op(of: i), inputs: table.inputNames(of: i),
                 args: table.declaredArgs(of: i).values)
        }
        byID = [:]
        for task in tasks {
            #expect(byID[task.id] == nil, "duplicate id \(task.id)", sourceLocation: sourceLocation)
            for input in task.inputs {
                let earlier = byID[input].map { $0.index < task.index } ?? false
                #expect(earlier, "task \(task.id) takes \(input), which is not an earlier task", sourceLocation: sourceLocation)
            }
            byID[task.id] = task
        }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == tasks.count + 3, "expected one task per line", sourceLocation: sourceLocation)
    }

    subscript(id: String) -> Task? { byID[id] }

    /// Whether task `id` belongs to the residual check rather than to the algorithm, whose
    /// ids are the tiles `A[i][j]`, `B[i][j]`, `C[i][j]`, `L[i][j]`, `U[i][j]`, `LU[i][j]`,
    /// with `+k` for a step.
    func isCheck(_ id: String) -> Bool { id.wholeMatch(of: /(A|B|C|L|U|LU)\[\d+\]\[\d+\](\+\d+)?/) == nil }

    /// How many tasks run each op.
    var opCounts: [String: Int] { tasks.reduce(into: [:]) { $0[$1.op, default: 0] += 1 } }
}
