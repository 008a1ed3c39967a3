import DagCore
@testable import DagFormat
import Foundation
import Testing

/// Decoding keeps file:line:column for every field and reports every structural issue.
@Suite struct GraphFileTests {
    func load(_ text: String) -> Result<TaskGraph, GraphValidationError> {
        Result { () throws(GraphValidationError) -> TaskGraph in try GraphFile.load(bytes: Array(text.utf8), file: "t.json") }
    }

    func issues(_ text: String) -> [GraphIssue] {
        if case .failure(let e) = load(text) { return e.issues }
        return []
    }

    @Test func validFileDecodesEveryField() throws {
        let text = """
        {"version": 1, "name": "demo", "description": "d",
         "tasks": [
          {"id": "a", "op": "random", "args": {"rows": 2, "cols": 3, "seed": 5}, "cost": 0.5, "doc": "x"},
          {"id": "b", "op": "scale", "inputs": ["a"], "args": {"alpha": 2}, "class": "io"}
         ]}
        """
        let g = try load(text).get()
        #expect(g.name == "demo")
        #expect(g.ids == ["a", "b"])
        #expect(g.costs[0] == 0.5)
        #expect(g.classes == [.cpu, .io])
        #expect(g.args[1].double("alpha") == 2)
        #expect(g.shape(of: 1) == .matrix(rows: 2, cols: 3))
        #expect(g.location(of: 1) == SourceLocation(file: "t.json", line: 4, column: 3))
    }

    @Test func syntaxErrorHasItsPosition() {
        let found = issues("{\n  \"version\": 1,\n  \"tasks\": [1,]\n}")
        #expect(found.count == 1)
        #expect(found[0].location == SourceLocation(file: "t.json", line: 3, column: 14))
        #expect(found[0].message.hasPrefix("invalid JSON: trailing comma"))
    }

    @Test func fieldErrorsPointAtTheValue() {
        let text = """
        {"version": 1, "tasks": [
          {"id": "a", "op": "random", "args": {"rows": "many", "cols": 3}}
        ]}
        """
        let found = issues(text)
        #expect(found.count == 1)
        #expect(found[0].description == "t.json:2:48: error: task 'a', field 'args.rows': argument 'rows' must be an integer, got string \"many\"")
    }

    @Test func structuralAndSemanticIssuesAreReportedTogether() {
        let text = """
        {"version": 1, "extra": true, "tasks": [
          {"id": "a", "op": "ones", "args": {"rows": 2, "cols": 2}, "klass": "cpu"},
          {"id": "b", "op": "gemm", "inputs": ["a", "nope"]}
        ]}
        """
        let found = issues(text)
        #expect(found.map(\.field) == ["extra", "klass", "inputs[1]"])
        #expect(found[1].hint == "did you mean 'class'?")
    }

    @Test func brokenFieldsDoNotCauseNoise() {
        // The op is not a string: no "unknown op" follows; inputs not an array: no input-count error.
        let text = """
        {"version": 1, "tasks": [
          {"id": "a", "op": 5},
          {"id": "b", "op": "scale", "inputs": "a", "args": {"alpha": 1}}
        ]}
        """
        let found = issues(text)
        #expect(found.map(\.field) == ["op", "inputs"])
    }

    @Test func missingVersionAndTasks() {
        let found = issues("{}")
        #expect(Set(found.compactMap(\.field)) == ["version", "tasks"])
        #expect(found.allSatisfy { $0.location?.line == 1 })
    }

    @Test func wrongVersionIsNamed() {
        let found = issues(#"{"version": 2, "tasks": []}"#)
        #expect(found.first?.message == "unsupported graph format version 2; this dagrun reads version 1")
    }

    @Test func duplicateFieldsAndArguments() {
        let found = issues(#"{"version": 1, "tasks": [{"id": "a", "id": "b", "op": "eye", "args": {"n": 2, "n": 3}}]}"#)
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.message.contains("duplicate") })
    }

    @Test func unreadableFileIsAnIssue() {
        do {
            _ = try GraphFile.load(path: "/nonexistent/graph.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.first?.message == "cannot read graph file '/nonexistent/graph.json': No such file or directory")
        }
    }

    /// graphs/schema.json is exactly what `dagrun schema` prints for the standard catalogue.
    @Test func committedSchemaMatchesTheCatalogue() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("graphs/schema.json"), encoding: .utf8)
        #expect(committed == GraphSchema.json(), "regenerate with: swift run dagrun schema > graphs/schema.json")
        let parsed = try JSONSerialization.jsonObject(with: Data(GraphSchema.json().utf8)) as? [String: Any]
        #expect(parsed?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }
}

/// Files of plain tasks (no arguments, classes, policies) are validated in a first pass per
/// op; it must give what the general per-task loop gives, issues included.
@Suite struct PlainTaskValidationTests {
    typealias Task = (id: String, op: String, inputs: [String], cost: Double?)

    func both(_ tasks: [Task]) -> (fast: Result<TaskGraph, GraphValidationError>, general: Result<TaskGraph, GraphValidationError>) {
        let lines = tasks.map { t in
            let inputs = t.inputs.map { "\"\($0)\"" }.joined(separator: ", ")
            return #"{"id": "\#(t.id)", "op": "\#(t.op)", "inputs": [\#(inputs)]"# + (t.cost.map { #", "cost": \#($0)"# } ?? "") + "}"
        }
        let text = #"{"version": 1, "tasks": ["# + lines.joined(separator: ",\n") + "]}"
        var table = TaskTable(file: "t.json")
        for t in tasks { table.append(id: t.id, op: t.op, inputs: t.inputs, cost: t.cost) }
        return (Result { () throws(GraphValidationError) in try GraphFile.load(bytes: Array(text.utf8), file: "t.json") },
                Result { () throws(GraphValidationError) in try GraphValidator().validate(table) })
    }

    @Test func validGraphsAgree() throws {
        let (fast, general) = both([
            ("a", "noop", [], nil), ("b", "noop", ["a"], 0.25), ("c", "noop", ["a", "b"], 2),
            ("d", "noop", ["c"], nil), ("e", "noop", ["b", "d"], 0),
        ])
        let f = try fast.get(), g = try general.get()
        #expect(f.opIndex == g.opIndex)
        #expect(f.classes == g.classes)
        #expect(f.costs == g.costs)
        #expect((0..<f.count).map(f.shape(of:)) == (0..<g.count).map(g.shape(of:)))
        #expect(f.bottomLevel == g.bottomLevel)
        #expect(f.criticalPath == g.criticalPath)
        #expect(f.costs[1] == 0.25 && f.costs[2] == 2 && f.costs[4] == 0)
    }

    @Test func issuesAgree() {
        let (fast, general) = both([
            ("a", "noop", [], nil), ("b", "noop", ["a"], -1), ("c", "nope", ["a"], nil),
            ("d", "add", ["a"], nil), ("e", "scale", ["a"], nil), ("f", "add", ["a", "b"], nil), ("g", "noop", ["f"], nil),
        ])
        func messages(_ r: Result<TaskGraph, GraphValidationError>) -> [String] {
            guard case .failure(let e) = r else { return [] }
            return e.issues.map { "\($0.taskID ?? "-"): \($0.message)" }
        }
        #expect(!messages(fast).isEmpty)
        #expect(messages(fast) == messages(general))
        #expect(messages(fast).contains { $0.hasPrefix("b: cost must be") })
        #expect(messages(fast).contains { $0.hasPrefix("c: unknown op 'nope'") })
        #expect(messages(fast).contains { $0.hasPrefix("d: op 'add' takes") })
        #expect(messages(fast).contains { $0.hasPrefix("e: missing required argument 'alpha'") })
    }
}
