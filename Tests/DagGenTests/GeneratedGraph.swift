import DagGen
import Foundation
import Testing

/// A generated graph parsed back with Foundation (tests only), as plain arrays.
struct GeneratedGraph {
    struct Task {
        var index: Int
        var op: String
        var inputs: [Int]
        var args: [String: Any]
    }

    var name: String
    var description: String
    var tasks: [Task]
    var bytes: [UInt8]
    var chunkSizes: [Int]

    var edgeCount: Int { tasks.reduce(0) { $0 + $1.inputs.count } }

    /// Generates `shape`, then parses it, checking the invariants every generated graph has:
    /// version 1, ids `t0`, `t1`, ... in order, every input an earlier task, one task per line.
    init(_ shape: GraphShape, _ options: GenOptions, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var bytes: [UInt8] = []
        var chunkSizes: [Int] = []
        GraphGenerator.write(shape, options) { chunk in
            bytes.append(contentsOf: chunk)
            chunkSizes.append(chunk.count)
        }
        self.bytes = bytes
        self.chunkSizes = chunkSizes

        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        let root = try #require(object as? [String: Any], sourceLocation: sourceLocation)
        #expect(root["version"] as? Int == 1, sourceLocation: sourceLocation)
        name = try #require(root["name"] as? String, sourceLocation: sourceLocation)
        description = try #require(root["description"] as? String, sourceLocation: sourceLocation)
        let list = try #require(root["tasks"] as? [[String: Any]], sourceLocation: sourceLocation)

        tasks = []
        tasks.reserveCapacity(list.count)
        for (position, task) in list.enumerated() {
            let id = try #require(task["id"] as? String, sourceLocation: sourceLocation)
            try #require(id == "t\(position)", "task \(position) has id \(id)", sourceLocation: sourceLocation)
            let op = try #require(task["op"] as? String, sourceLocation: sourceLocation)
            let inputIDs = task["inputs"].map { $0 as? [String] } ?? []
            let inputs = try #require(inputIDs, "task \(id) has inputs that are not strings", sourceLocation: sourceLocation)
                .map { input -> Int in
                    guard input.first == "t", let k = Int(input.dropFirst()) else { return -1 }
                    return k
                }
            // Acyclic by construction: every input is an earlier task.
            try #require(inputs.allSatisfy { $0 >= 0 && $0 < position },
                         "task \(id) has inputs \(inputIDs ?? []) that are not earlier tasks", sourceLocation: sourceLocation)
            tasks.append(Task(index: position, op: op, inputs: inputs, args: task["args"] as? [String: Any] ?? [:]))
        }

        // One task per line: the header line, the tasks, the closing line.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == tasks.count + 3, "expected one task per line", sourceLocation: sourceLocation)
    }

    /// The length of the longest path, in tasks.
    var depth: Int {
        var level = [Int](repeating: 1, count: tasks.count)
        for task in tasks {
            for input in task.inputs { level[task.index] = max(level[task.index], level[input] + 1) }
        }
        return level.max() ?? 0
    }

    /// Tasks that no other task takes as input.
    var sinks: [Int] {
        var consumed = [Bool](repeating: false, count: tasks.count)
        for task in tasks { for input in task.inputs { consumed[input] = true } }
        return consumed.indices.filter { !consumed[$0] }
    }
}
