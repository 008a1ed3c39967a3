import DagCore
@testable import DagFormat
import Foundation
import Testing

/// The fast reader and the tree decoder agree on every file the fast reader accepts,
/// and the fast reader hands everything unusual to the tree decoder.
@Suite struct FastGraphReaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func graphFiles() -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for dir in ["graphs", "graphs/invalid", "graphs/failing"] {
            let names = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []
            out += names.filter { $0.hasSuffix(".json") && $0 != "schema.json" }.map { "\(dir)/\($0)" }
        }
        return out.sorted()
    }

    func tables(_ text: String) -> (fast: TaskTable?, tree: TaskTable) {
        let bytes = Array(text.utf8)
        return (FastGraphReader.read(bytes, file: "t.json"), GraphFile.decodeWithTree(bytes: bytes, file: "t.json").table)
    }

    func expectSame(_ a: TaskTable, _ b: TaskTable, _ what: String) {
        #expect(a.name == b.name, "\(what)")
        #expect(a.ids == b.ids, "\(what)")
        #expect(a.count == b.count)
        for i in 0..<min(a.count, b.count) {
            #expect(a.op(of: i) == b.op(of: i), "\(what) task \(i)")
            #expect(Array(a.inputNames(of: i)) == Array(b.inputNames(of: i)), "\(what) task \(i)")
            #expect(a.declaredArgs(of: i) == b.declaredArgs(of: i), "\(what) task \(i)")
            #expect(a.declaredClass(of: i) == b.declaredClass(of: i), "\(what) task \(i)")
            #expect(a.declaredCost(of: i) == b.declaredCost(of: i), "\(what) task \(i)")
            #expect(a.location(of: i) == b.location(of: i), "\(what) task \(i)")
            for field in ["id", "op", "inputs", "inputs[0]", "inputs[1]", "args", "args.rows", "args.alpha", "class", "cost"] {
                #expect(a.location(of: i, field: field) == b.location(of: i, field: field), "\(what) task \(i) field \(field)")
            }
        }
    }

    @Test(arguments: graphFiles())
    func agreesWithTheTreeDecoder(file: String) throws {
        let bytes = Array(try Data(contentsOf: Self.root.appendingPathComponent(file)))
        let tree = GraphFile.decodeWithTree(bytes: bytes, file: file)
        let fast = FastGraphReader.read(bytes, file: file)
        if tree.issues.isEmpty && !file.contains("bad-structure") {
            let fast = try #require(fast, "\(file) should take the fast path")
            expectSame(fast, tree.table, file)
        } else {
            #expect(fast == nil, "\(file) has structural issues; the fast reader must hand it over")
        }
    }

    @Test func unusualInputGoesToTheTreeDecoder() {
        let cases = [
            #"{"version": 1, "tasks": [{"id": "a\u0041", "op": "noop"}]}"#,           // an escape
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop", "colour": 1}]}"#,     // unknown field
            #"{"version": 1, "tasks": [{"id": "a", "id": "b", "op": "noop"}]}"#,       // duplicate field
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop"},]}"#,                // trailing comma
            #"{"version": 2, "tasks": []}"#,                                           // wrong version
            #"{"tasks": []}"#,                                                          // no version
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop", "args": {"x": null}}]}"#,
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop"}]} trailing"#,
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop", "cost": 01}]}"#,
            #"{"version": 1, "tasks": [{"op": "noop"}]}"#,                              // no id
        ]
        for text in cases { #expect(tables(text).fast == nil, "\(text)") }
    }

    @Test func valuesAndPositionsMatch() throws {
        let text = """
        {"version": 1, "name": "n\u{e9}", "description": "d",
          "tasks": [
            {"id": "a", "op": "random", "args": {"rows": 2, "cols": 3, "seed": -5}, "cost": 1.5e-3, "doc": "x"},
            {"id": "b\u{e9}", "op": "scale", "inputs": ["a"], "args": {"alpha": 2.25}, "class": "io"},
            {"id": "c", "op": "exec", "args": {"argv": ["echo", "hi"], "cwd": "."}, "inputs": []},
            {"id": "d", "op": "noop", "inputs": ["a", "b\u{e9}", "c"], "args": {"flag": true, "big": 12345678901234567890}}
          ]
        }
        """
        let (fast, tree) = tables(text)
        let f = try #require(fast)
        expectSame(f, tree, "mixed")
        #expect(f.declaredArgs(of: 3)["big"] == .double(12345678901234567890))
        #expect(f.declaredArgs(of: 0)["seed"] == .int(-5))
    }
}
