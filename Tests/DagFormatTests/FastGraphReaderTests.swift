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
            #expect(a.declaredRunPolicy(of: i) == b.declaredRunPolicy(of: i), "\(what) task \(i)")
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
        // The fast reader hands over structural problems and duplicate ids (the tree decoder
        // and the validator report those with both places).
        if tree.issues.isEmpty && !file.contains("bad-structure") && !file.contains("duplicate-id") {
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
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop", "max_memory": "2G"}]}"#,  // a size with a unit
            #"{"version": 1, "tasks": [{"id": "a", "op": "noop", "executor": "gpu"}]}"#,   // unknown executor
        ]
        for text in cases { #expect(tables(text).fast == nil, "\(text)") }
    }

    @Test func valuesAndPositionsMatch() throws {
        let text = """
        {"version": 1, "name": "n\u{e9}", "description": "d",
          "tasks": [
            {"id": "a", "op": "random", "doc": "x } ] { [", "args": {"rows": 2, "cols": 3, "seed": -5}, "cost": 1.5e-3},
            {"id": "b\u{e9}", "op": "scale", "inputs": ["a"], "args": {"alpha": 2.25}, "class": "io"},
            {"id": "c", "op": "exec", "args": {"argv": ["echo", "hi"], "cwd": "."}, "inputs": []},
            {"id": "d", "op": "noop", "inputs": ["a", "b\u{e9}", "c"], "args": {"flag": true, "big": 12345678901234567890}},
            {"id": "e", "op": "gemm", "inputs": ["a", "a"], "args": {"transB": true}, "executor": "process", "timeout": 2.5, "retries": 3, "max_memory": 1073741824},
            {"id": "f", "op": "sleep", "args": {"seconds": 0}, "timeout": 1, "retries": 0},
            {"id": "g", "op": "gemm", "inputs": ["a", "a"], "args": {"transB": true}, "cores": "all"},
            {"id": "h", "op": "gemm", "inputs": ["a", "a"], "args": {"transB": true}, "cores": 2}
          ]
        }
        """
        let (fast, tree) = tables(text)
        let f = try #require(fast)
        expectSame(f, tree, "mixed")
        #expect(f.declaredArgs(of: 3)["big"] == .double(12345678901234567890))
        #expect(f.declaredArgs(of: 0)["seed"] == .int(-5))
        #expect(f.declaredRunPolicy(of: 4) == TaskRunPolicy(executor: .process, timeout: 2.5, retries: 3, maxMemory: 1 << 30))
        #expect(f.declaredRunPolicy(of: 5) == TaskRunPolicy(timeout: 1))
        #expect(f.declaredRunPolicy(of: 3) == .default)
        #expect(f.declaredRunPolicy(of: 6) == TaskRunPolicy(cores: TaskRunPolicy.allCores))
        #expect(f.declaredRunPolicy(of: 7) == TaskRunPolicy(cores: 2))
    }
}

/// Inputs the fast reader resolves while reading, and those it leaves to validation.
@Suite struct ResolvedInputTests {
    @Test func forwardReferencesResolveInValidation() throws {
        let text = """
        {"version": 1, "tasks": [
          {"id": "late-user", "op": "noop", "inputs": ["early", "later"]},
          {"id": "early", "op": "noop"},
          {"id": "later", "op": "noop", "inputs": ["early"]}
        ]}
        """
        let table = try #require(FastGraphReader.read(Array(text.utf8), file: "t.json"))
        #expect(table.inputsResolved)
        #expect(table.inputNames(of: 0) == ["early", "later"])
        let graph = try GraphValidator().validate(table)
        #expect(Array(graph.inputs(of: 0)) == [1, 2])
        #expect(Array(graph.inputs(of: 2)) == [1])
        #expect(graph.topologicalOrder.firstIndex(of: 1)! < graph.topologicalOrder.firstIndex(of: 0)!)
        #expect(graph.index(of: "later") == 2)
    }

    /// Ids longer than the 8 bytes the recent-id cache holds inline, ids that share their
    /// first 8 bytes, empty-looking short ids and an id ending at the file's last bytes all
    /// resolve to the right task.
    @Test func longAndSharedPrefixIdsResolveExactly() throws {
        var tasks: [String] = []
        for k in 0..<300 { tasks.append(#"{"id": "task_0000\#(k)", "op": "noop"}"#) }
        for k in 0..<300 {
            tasks.append(#"{"id": "u\#(k)", "op": "noop", "inputs": ["task_0000\#(k)", "task_0000\#(299 - k)"]}"#)
        }
        tasks.append(#"{"id": "x", "op": "noop", "inputs": ["u1", "u10", "u100"]}"#)
        let text = #"{"version": 1, "tasks": ["# + tasks.joined(separator: ",\n") + "]}"
        let table = try #require(FastGraphReader.read(Array(text.utf8), file: "t.json"))
        let graph = try GraphValidator().validate(table)
        for k in 0..<300 {
            #expect(graph.inputs(of: 300 + k).map { graph.ids[Int($0)] } == ["task_0000\(k)", "task_0000\(299 - k)"])
        }
        #expect(graph.inputs(of: 600).map { graph.ids[Int($0)] } == ["u1", "u10", "u100"])
        // Declared in order, so declaration order is the topological order.
        #expect(graph.topologicalOrder == (0..<601).map(Int32.init))
    }

    /// A file of a megabyte or more is mapped, not read; errors in it still carry exact
    /// positions (the field locator keeps the mapping alive after loading returns).
    @Test func mappedFilesKeepExactErrorPositions() throws {
        var lines = [#"{"version": 1, "tasks": ["#]
        for k in 0..<30_000 {
            let inputs = k == 0 ? "" : "\"t\(k - 1)\""
            lines.append(#"{"id": "t\#(k)", "op": "noop", "inputs": [\#(inputs)]},"#)
        }
        lines.append(#"{"id": "bad", "op": "scale", "inputs": ["t29999"], "args": {"alpha": "two"}}"#)
        lines.append("]}")
        let text = lines.joined(separator: "\n")
        #expect(text.utf8.count >= FileBytes.mapThreshold)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-mapped-\(getpid()).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let decoded = try GraphFile.decode(path: path)
        #expect(decoded.table.inputsResolved, "the fast reader took the mapped file")
        do {
            _ = try GraphFile.validate(decoded)
            Issue.record("expected an error for args.alpha")
        } catch {
            #expect(error.issues.map(\.description) == [
                "\(path):30002:70: error: task 'bad', field 'args.alpha': argument 'alpha' must be a number, got string \"two\"",
            ])
        }
    }

    /// Inputs found through the number that ends their id, with several numbered sequences
    /// side by side, more prefixes than the reader tracks, numbers with leading zeros, ids
    /// made of digits only, inputs written before the id and a task naming itself: each input
    /// resolves to the task with exactly that id, or is reported.
    @Test func numberedIdsResolveExactly() throws {
        var tasks: [String] = []
        var expected: [[String]] = []
        func add(_ id: String, _ inputs: [String], inputsFirst: Bool = false) {
            let list = inputs.map { "\"\($0)\"" }.joined(separator: ", ")
            tasks.append(inputsFirst ? #"{"inputs": [\#(list)], "id": "\#(id)", "op": "noop"}"#
                : #"{"id": "\#(id)", "op": "noop", "inputs": [\#(list)]}"#)
            expected.append(inputs)
        }
        for k in 0..<100 { add("a\(k)", k == 0 ? [] : ["a\(k - 1)"]) }
        for k in 0..<100 { add("b\(k)", ["a\(k)", "a\(99 - k)"] + (k == 0 ? [] : ["b\(k - 1)"])) }
        // 200 prefixes, interleaved: their numbering entries collide and are replaced.
        for k in 0..<400 { add("p\(k % 200)_\(k / 200)", ["a\(k % 100)", "b\(k % 100)"]) }
        for k in 0..<400 { add("q\(k)", ["p\(k % 200)_\(k / 200)"], inputsFirst: k % 2 == 0) }
        add("7", ["a7"])
        add("007", ["7", "a7"])
        add("x9", ["007", "7"])
        add("long_identifier_beyond_eight_bytes_1", ["x9"])
        add("long_identifier_beyond_eight_bytes_2", ["long_identifier_beyond_eight_bytes_1"])
        add("end", ["long_identifier_beyond_eight_bytes_2", "long_identifier_beyond_eight_bytes_1", "q399", "b99", "a0"])
        let text = #"{"version": 1, "tasks": ["# + tasks.joined(separator: ",\n") + "]}"
        let table = try #require(FastGraphReader.read(Array(text.utf8), file: "t.json"))
        let graph = try GraphValidator().validate(table)
        for (i, names) in expected.enumerated() {
            #expect(graph.inputs(of: i).map { graph.ids[Int($0)] } == names, "task \(graph.ids[i])")
        }
        #expect(graph.index(of: "007") != graph.index(of: "7"))

        // Near misses are not found: "a07" is not "a7", "a100" is past the sequence, and a
        // task cannot reach itself through its number.
        let bad = """
        {"version": 1, "tasks": [
          {"id": "a0", "op": "noop"}, {"id": "a1", "op": "noop"}, {"id": "a7", "op": "noop"},
          {"id": "a2", "op": "noop", "inputs": ["a07", "a100", "a2"]}
        ]}
        """
        do {
            _ = try GraphFile.load(bytes: Array(bad.utf8), file: "t.json")
            Issue.record("expected errors")
        } catch {
            #expect(error.issues.map(\.message) == [
                "unknown input 'a07': no task has this id",
                "unknown input 'a100': no task has this id",
                "task 'a2' lists itself as an input (cycle: a2 -> a2)",
            ])
        }
    }

    /// The most tasks and inputs the reader makes room for hold for the tightest files.
    @Test func minifiedFilesFitTheReservedColumns() throws {
        var tasks: [String] = []
        for k in 0..<2000 { tasks.append(#"{"id":"\#(k)","op":"noop"\#(k == 0 ? "" : #","inputs":["\#(k - 1)","0"]"#)}"#) }
        let text = #"{"version":1,"tasks":["# + tasks.joined(separator: ",") + "]}"
        let table = try #require(FastGraphReader.read(Array(text.utf8), file: "t.json"))
        let graph = try GraphValidator().validate(table)
        #expect(graph.count == 2000)
        #expect(graph.inputs(of: 1999).map { graph.ids[Int($0)] } == ["1998", "0"])
    }

    /// CRLF line ends, tabs, a byte-order mark and no blanks at all read as the tree decoder
    /// reads them, positions included; a task with more inputs than the reader first makes
    /// room for, none of them numbered, resolves every one.
    @Test func unusualLayoutsAndWideTasks() throws {
        let crlf = "\u{FEFF}{\"version\": 1,\r\n\t\"tasks\": [\r\n\t{\"id\": \"a\", \"op\": \"noop\"},\r\n"
            + "\t{\"id\": \"b1\",\r\n\t \"op\": \"noop\", \"inputs\": [\"a\"], \"cost\": 2},{\"id\":\"b2\",\"op\":\"noop\",\"inputs\":[\"b1\",\"a\"]}\r\n]}\r\n"
        let bytes = Array(crlf.utf8)
        let fast = try #require(FastGraphReader.read(bytes, file: "t.json"))
        let tree = GraphFile.decodeWithTree(bytes: bytes, file: "t.json")
        #expect(tree.issues.isEmpty)
        #expect(fast.ids == tree.table.ids)
        for i in 0..<fast.count {
            #expect(fast.location(of: i) == tree.table.location(of: i), "task \(i)")
            for field in ["id", "op", "inputs[0]", "inputs[1]", "cost"] {
                #expect(fast.location(of: i, field: field) == tree.table.location(of: i, field: field), "task \(i) \(field)")
            }
        }
        var tasks = (0..<200).map { #"{"id": "node-\#($0)-x", "op": "noop"}"# }
        let names = (0..<200).map { "\"node-\($0)-x\"" }.joined(separator: ", ")
        tasks.append(#"{"id": "join", "op": "noop", "inputs": [\#(names)]}"#)
        let wide = #"{"version": 1, "tasks": ["# + tasks.joined(separator: ",\n") + "]}"
        let graph = try GraphValidator().validate(try #require(FastGraphReader.read(Array(wide.utf8), file: "t.json")))
        #expect(graph.inputs(of: 200).map(Int.init) == Array(0..<200))
    }

    @Test func duplicateIdsGoToTheTreeDecoder() {
        let text = #"{"version": 1, "tasks": [{"id": "a", "op": "noop"}, {"id": "a", "op": "noop"}]}"#
        #expect(FastGraphReader.read(Array(text.utf8), file: "t.json") == nil)
        let decoded = GraphFile.decode(bytes: Array(text.utf8), file: "t.json")
        #expect(!decoded.table.inputsResolved)
    }

    @Test func unknownAndSelfInputsAreReportedWithPositions() {
        let text = """
        {"version": 1, "tasks": [
          {"id": "a", "op": "noop", "inputs": ["a"]},
          {"id": "b", "op": "noop", "inputs": ["nope"]}
        ]}
        """
        do {
            _ = try GraphFile.load(bytes: Array(text.utf8), file: "t.json")
            Issue.record("expected errors")
        } catch {
            #expect(error.issues.map(\.description) == [
                "t.json:2:40: error: task 'a', field 'inputs[0]': task 'a' lists itself as an input (cycle: a -> a)",
                "t.json:3:40: error: task 'b', field 'inputs[0]': unknown input 'nope': no task has this id (declare a task with id 'nope' or remove the input)",
            ])
        }
    }

    @Test func memoryPerTaskIsAccounted() throws {
        var text = #"{"version": 1, "tasks": ["#
        for k in 0..<10_000 {
            text += (k == 0 ? "" : ",") + #"{"id": "t\#(k)", "op": "noop""# + (k > 0 ? #", "inputs": ["t\#(k - 1)"]}"# : "}")
        }
        text += "]}"
        let graph = try GraphFile.load(bytes: Array(text.utf8), file: "t.json")
        let perTask = graph.memoryBytes / graph.count
        #expect(perTask > 60 && perTask < 200, "\(perTask) bytes per task")
    }
}

/// Graph files whose ids are numbered: the reader hands them to the id index as runs.
@Suite struct NumberedRunFileTests {
    func load(_ ids: [String], inputs: [Int: [String]] = [:]) -> Result<TaskGraph, GraphValidationError> {
        let tasks = ids.enumerated().map { k, id in
            #"{"id": "\#(id)", "op": "noop", "inputs": [\#((inputs[k] ?? []).map { "\"\($0)\"" }.joined(separator: ", "))]}"#
        }
        let text = #"{"version": 1, "tasks": ["# + tasks.joined(separator: ",\n") + "]}"
        return Result { () throws(GraphValidationError) in try GraphFile.load(bytes: Array(text.utf8), file: "t.json") }
    }

    @Test func numberedIdsAreFoundAndForwardReferencesResolve() throws {
        // "first" names t500, declared later: validation looks it up in the index (a run).
        let ids = ["first"] + (0..<1000).map { "t\($0)" } + (0..<300).map { "node_\($0)_x" }
        let graph = try load(ids, inputs: [0: ["t500", "node_7_x"], 1001: ["t999", "first"]]).get()
        for (k, id) in ids.enumerated() { #expect(graph.index(of: id) == Int32(k), "\(id)") }
        #expect(graph.index(of: "t1000") == nil && graph.index(of: "t0500") == nil)
        #expect(graph.inputs(of: 0).map { graph.ids[Int($0)] } == ["t500", "node_7_x"])
        #expect(graph.inputs(of: 1001).map { graph.ids[Int($0)] } == ["t999", "first"])
    }

    @Test func duplicatesInNumberedIdsAreReported() {
        for ids in [(0..<50).map { "t\($0)" } + ["t25"],                                   // a run and a lone id
                    (0..<50).map { "t\($0)" } + (40..<60).map { "t\($0)" },                // two runs overlapping
                    (0..<50).map { "t\($0)" } + ["x"] + (0..<50).map { "t\($0)" }] {         // a whole run again
            guard case .failure(let error) = load(ids) else {
                Issue.record("expected a duplicate in \(ids.count) ids")
                continue
            }
            #expect(error.issues.contains { $0.message.hasPrefix("duplicate task id") })
        }
    }
}
