import Testing
@testable import DagCore

/// Validation collects every issue with the task, the field and a hint.
@Suite struct ValidationTests {
    /// Declared tasks at fake locations: line = position in the list, so order and locations are checkable.
    func spec(_ tasks: [Declared]) -> TaskTable {
        var table = TaskTable(file: "g.json")
        for (k, t) in tasks.enumerated() {
            table.append(id: t.id, op: t.op, inputs: t.inputs, args: t.args, taskClass: t.taskClass, line: k + 1, column: 5)
        }
        return table
    }

    /// Optional fields (args, class, cost) become columns only once a task declares them;
    /// tasks before and after that one read back as undeclared.
    @Test func optionalColumnsStartAtTheFirstDeclaringTask() {
        var table = TaskTable(file: "g.json")
        table.append(id: "a", op: "noop")
        table.append(id: "b", op: "noop")
        table.append(id: "c", op: "scale", inputs: ["a"], args: ["alpha": 2], taskClass: .io, cost: 0.5)
        table.append(id: "d", op: "noop")
        table.append(id: "e", op: "noop", cost: 0)
        #expect((0..<5).map { table.declaredArgs(of: $0).values.isEmpty } == [true, true, false, true, true])
        #expect((0..<5).map { table.declaredClass(of: $0) } == [nil, nil, .io, nil, nil])
        #expect((0..<5).map { table.declaredCost(of: $0) } == [nil, nil, 0.5, nil, 0])
        var plain = TaskTable(file: "g.json")
        for k in 0..<3 { plain.append(id: "t\(k)", op: "noop") }
        #expect(plain.args.isEmpty && plain.classes.isEmpty && plain.costs.isEmpty, "no column for fields nobody declared")
        #expect(plain.declaredArgs(of: 2).values.isEmpty && plain.declaredCost(of: 2) == nil)
    }

    func issues(_ tasks: [Declared]) -> [GraphIssue] {
        do {
            _ = try GraphValidator().validate(spec(tasks))
            return []
        } catch {
            return error.issues
        }
    }

    @Test func validGraphBuilds() throws {
        let g = try GraphValidator().validate(spec([
            Declared(id: "a", op: "random", args: ["rows": 4, "cols": 3]),
            Declared(id: "b", op: "gemm", inputs: ["a", "a"], args: ["transA": true]),
        ]))
        #expect(g.count == 2)
        #expect(g.shape(of: 1) == .matrix(rows: 3, cols: 3))
        #expect(g.args[0].int("seed") == 0, "defaults are filled in")
        #expect(g.classes == [.cpu, .cpu])
    }

    @Test func duplicateIDNamesTheFirstDeclaration() {
        let found = issues([Declared(id: "a", op: "noop"), Declared(id: "a", op: "noop")])
        #expect(found.count == 1)
        #expect(found[0].taskID == "a" && found[0].field == "id")
        #expect(found[0].description.contains("first declared at g.json:1:5"))
        #expect(found[0].location?.line == 2)
    }

    @Test func unknownInputSuggestsTheNearestID() {
        let found = issues([Declared(id: "matrix", op: "noop"), Declared(id: "b", op: "noop", inputs: ["matrx"])])
        #expect(found.map(\.field) == ["inputs[0]"])
        #expect(found[0].description.contains("unknown input 'matrx'"))
        #expect(found[0].hint == "did you mean 'matrix'?")
    }

    ///   start -> a -> b -> c -> end
    ///            ^---------'
    @Test func cycleIsPrintedAsAPath() {
        let found = issues([
            Declared(id: "start", op: "noop"),
            Declared(id: "a", op: "noop", inputs: ["start", "c"]),
            Declared(id: "b", op: "noop", inputs: ["a"]),
            Declared(id: "c", op: "noop", inputs: ["b"]),
            Declared(id: "end", op: "noop", inputs: ["c"]),
        ])
        #expect(found.count == 1)
        #expect(found[0].message == "cycle: a -> b -> c -> a")
        #expect(found[0].taskID == "a")
    }

    @Test func twoSeparateCyclesAreBothReported() {
        let found = issues([
            Declared(id: "a", op: "noop", inputs: ["b"]), Declared(id: "b", op: "noop", inputs: ["a"]),
            Declared(id: "x", op: "noop", inputs: ["y"]), Declared(id: "y", op: "noop", inputs: ["x"]),
        ])
        #expect(Set(found.map(\.message)) == ["cycle: a -> b -> a", "cycle: x -> y -> x"])
    }

    @Test func selfInputIsACycle() {
        let found = issues([Declared(id: "loop", op: "noop", inputs: ["loop"])])
        #expect(found.count == 1 && found[0].message.contains("loop -> loop"))
    }

    @Test func unknownOpListsNearestNames() {
        let found = issues([Declared(id: "a", op: "gemn")])
        #expect(found[0].field == "op")
        #expect(found[0].hint == "did you mean 'gemm' or 'gemv'?")
    }

    @Test func argumentsAreTypedRequiredAndKnown() {
        let found = issues([
            Declared(id: "a", op: "random", args: ["rows": "4", "cols": 4]),
            Declared(id: "b", op: "zeros", args: ["rows": 4]),
            Declared(id: "c", op: "scale", inputs: ["b"], args: ["alpah": 2]),
            Declared(id: "d", op: "sleep", args: ["seconds": -1.0]),
            Declared(id: "e", op: "ones", args: ["rows": 0, "cols": 3]),
        ])
        let byTask = Dictionary(grouping: found, by: { $0.taskID! })
        #expect(byTask["a"]?.first?.message == "argument 'rows' must be an integer, got string \"4\"")
        #expect(byTask["b"]?.first?.field == "args.cols")
        #expect(byTask["b"]?.first?.message.hasPrefix("missing required argument 'cols'") == true)
        #expect(byTask["c"]?.contains { $0.field == "args.alpah" && $0.hint == "did you mean 'alpha'?" } == true)
        #expect(byTask["c"]?.count == 1, "a misspelt argument is reported once, not also as missing")
        #expect(byTask["d"]?.first?.message.contains("must be a finite number >= 0") == true)
        #expect(byTask["e"]?.first?.message == "argument 'rows' must be at least 1, got 0")
    }

    @Test func gemmShapeMismatchNamesBothTasksAndShapes() {
        let found = issues([
            Declared(id: "a", op: "random", args: ["rows": 100, "cols": 50]),
            Declared(id: "b", op: "random", args: ["rows": 60, "cols": 10]),
            Declared(id: "c", op: "gemm", inputs: ["a", "b"]),
        ])
        #expect(found.count == 1)
        #expect(found[0].taskID == "c")
        #expect(found[0].message.contains("'a' (100x50)") && found[0].message.contains("'b' (60x10)"))
    }

    @Test func transposesChangeTheShapeRule() throws {
        let g = try GraphValidator().validate(spec([
            Declared(id: "a", op: "random", args: ["rows": 100, "cols": 50]),
            Declared(id: "b", op: "random", args: ["rows": 60, "cols": 50]),
            Declared(id: "c", op: "gemm", inputs: ["a", "b"], args: ["transB": true]),
        ]))
        #expect(g.shape(of: 2) == .matrix(rows: 100, cols: 60))
    }

    @Test func shapesPropagateThroughChains() {
        let found = issues([
            Declared(id: "a", op: "ones", args: ["rows": 2, "cols": 3]),
            Declared(id: "s", op: "scale", inputs: ["a"], args: ["alpha": 2]),
            Declared(id: "t", op: "eye", args: ["n": 3]),
            Declared(id: "u", op: "add", inputs: ["s", "t"]),
        ])
        #expect(found.count == 1)
        #expect(found[0].message.contains("'s' is 2x3 and 't' is 3x3"))
    }

    @Test func ioOnlyOpsRejectCPUClass() {
        let found = issues([Declared(id: "w", op: "sleep", args: ["seconds": 1], taskClass: .cpu)])
        #expect(found.map(\.field) == ["class"])
    }

    @Test func everyIssueIsReportedSortedByLine() {
        let found = issues([
            Declared(id: "x", op: "ones", args: ["rows": 3, "cols": 3]),
            Declared(id: "y", op: "ones", args: ["rows": 2, "cols": 2]),
            Declared(id: "sum", op: "add", inputs: ["x", "y"]),
            Declared(id: "x", op: "eye", args: ["n": 3]),
            Declared(id: "z", op: "scale", inputs: ["nothing"], args: ["alpha": 1]),
        ])
        #expect(found.count == 3)
        #expect(found.map { $0.location!.line } == [3, 4, 5])
    }

    @Test func inputCountIsChecked() {
        let found = issues([Declared(id: "a", op: "ones", args: ["rows": 1, "cols": 1]),
                            Declared(id: "g", op: "gemm", inputs: ["a"])])
        #expect(found.count == 1 && found[0].message == "op 'gemm' takes 2 to 3 inputs, got 1")
    }

    @Test func betaWithoutCIsAnError() {
        let found = issues([Declared(id: "a", op: "ones", args: ["rows": 2, "cols": 2]),
                            Declared(id: "g", op: "gemm", inputs: ["a", "a"], args: ["beta": 1])])
        #expect(found.count == 1 && found[0].field == "args.beta")
    }

    @Test func nearestNamesRanksByDistance() {
        #expect(nearestNames(to: "gem", in: ["gemm", "sum", "eye"]) == ["gemm"])
        #expect(nearestNames(to: "alpah", in: ["alpha", "beta"]) == ["alpha"], "a transposition is one edit")
        #expect(nearestNames(to: "load", in: ["load_npy", "read_text"]) == ["load_npy"], "prefixes match")
        #expect(nearestNames(to: "zzzzzz", in: ["gemm", "sum"]).isEmpty)
        #expect(didYouMean(["a", "b", "c"]) == "did you mean 'a', 'b' or 'c'?")
    }
}

/// A task as a test declares it.
struct Declared {
    var id: String
    var op: String
    var inputs: [String] = []
    var args: [String: ArgValue] = [:]
    var taskClass: TaskClass? = nil
}
