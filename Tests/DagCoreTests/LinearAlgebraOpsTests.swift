import Testing
@testable import DagCore

/// The issue-4 op vocabulary: the contract with the graph generators (names, arguments, input
/// counts), static shapes through a tiled graph, and a shape error naming the inputs for each op.
@Suite struct LinearAlgebraOpsTests {
    func table(_ tasks: [Declared]) -> TaskTable {
        var table = TaskTable(file: "la.json")
        for (k, t) in tasks.enumerated() {
            table.append(id: t.id, op: t.op, inputs: t.inputs, args: t.args, taskClass: t.taskClass, line: k + 1, column: 3)
        }
        return table
    }

    func graph(_ tasks: [Declared]) throws -> TaskGraph { try GraphValidator().validate(table(tasks)) }

    func issues(_ tasks: [Declared]) -> [GraphIssue] {
        do {
            _ = try GraphValidator().validate(table(tasks))
            return []
        } catch {
            return error.issues
        }
    }

    /// The one issue of the last task, which must be the only one.
    func onlyIssue(_ tasks: [Declared], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> GraphIssue? {
        let found = issues(tasks)
        #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
        #expect(found.first?.taskID == tasks.last?.id, sourceLocation: sourceLocation)
        return found.first
    }

    static func ones(_ id: String, _ rows: Int, _ cols: Int) -> Declared {
        Declared(id: id, op: "ones", args: ["rows": .int(rows), "cols": .int(cols)])
    }

    /// Names, arguments and input counts as /work/la-ops-spec.md fixes them, extended for the
    /// tile-wise residual checks: `gemv` also takes pairs (M_0, v_0, M_1, v_1, ...) and a
    /// `triangle` per pair, and `nrm2` and `norm` several inputs with `weights`; and for the
    /// tiled LU: `diagdom` and `getrf`'s `pivot`.
    @Test func vocabularyMatchesTheSpec() throws {
        let expected: [String: (params: [String], inputs: InputRule)] = [
            "random": (["rows", "cols", "seed", "dist"], .exactly(0)),
            "spd": (["n", "seed", "row", "col", "rows", "cols"], .exactly(0)),
            "diagdom": (["n", "seed", "row", "col", "rows", "cols"], .exactly(0)),
            "axpy": (["alpha"], .exactly(2)), "dot": ([], .exactly(2)), "scal": (["alpha"], .exactly(1)),
            "nrm2": (["weights"], .atLeast(1)),
            "gemv": (["alpha", "beta", "trans", "triangle"], .atLeast(2)),
            "syrk": (["alpha", "beta", "trans"], .between(1, 2)),
            "trsm": (["side", "lower", "transA", "unit", "alpha"], .exactly(2)),
            "potrf": (["lower"], .exactly(1)), "getrf": (["pivot"], .exactly(1)), "getrs": ([], .exactly(2)),
            "geqrf": ([], .exactly(1)),
            "sub": ([], .exactly(2)), "mul": ([], .exactly(2)), "max": ([], .atLeast(1)), "norm": (["weights"], .atLeast(1)),
            "transpose": ([], .exactly(1)), "slice": (["row", "col", "rows", "cols"], .exactly(1)),
            "assemble": (["grid_rows", "grid_cols", "fill"], .atLeast(1)), "concat": (["axis"], .atLeast(1)),
            "check": (["max", "what"], .atLeast(1)),
        ]
        for (name, want) in expected {
            let sig = try #require(OpCatalogue.standard[name], "op \(name) is missing")
            #expect(Set(sig.params.map(\.name)) == Set(want.params), "\(name)")
            #expect(sig.inputs == want.inputs, "\(name)")
            #expect(sig.defaultClass == .cpu, "\(name)")
        }
        let defaults: [(String, String, ArgValue)] = [
            ("random", "dist", "uniform"), ("random", "seed", 0), ("spd", "seed", 0), ("spd", "row", 0), ("spd", "col", 0),
            ("gemv", "alpha", 1.0), ("gemv", "beta", 0.0), ("gemv", "trans", false), ("syrk", "trans", false),
            ("trsm", "side", "left"), ("trsm", "lower", true), ("trsm", "transA", false), ("trsm", "unit", false),
            ("trsm", "alpha", 1.0), ("potrf", "lower", true), ("assemble", "fill", "full"), ("check", "what", "residual"),
            ("diagdom", "seed", 0), ("diagdom", "row", 0), ("diagdom", "col", 0), ("getrf", "pivot", true),
        ]
        for (op, param, value) in defaults {
            #expect(OpCatalogue.standard[op]!.params.first { $0.name == param }?.defaultValue == value, "\(op).\(param)")
        }
        for (op, param) in [("axpy", "alpha"), ("scal", "alpha"), ("check", "max"), ("slice", "rows"), ("slice", "cols"),
                            ("assemble", "grid_rows"), ("assemble", "grid_cols"), ("spd", "n"), ("diagdom", "n")] {
            #expect(OpCatalogue.standard[op]!.params.first { $0.name == param }?.required == true, "\(op).\(param)")
        }
    }

    ///   spd tiles A00 A10 A11 -> potrf L00 -> trsm L10 -> syrk S11 -> sub -> potrf L11
    ///   -> assemble L (lower) -> gemv -> nrm2 -> check
    @Test func tiledCholeskyShapesPropagate() throws {
        let g = try graph([
            Declared(id: "A00", op: "spd", args: ["n": 10, "rows": 6, "cols": 6]),
            Declared(id: "A10", op: "spd", args: ["n": 10, "row": 6, "cols": 6]),
            Declared(id: "A11", op: "spd", args: ["n": 10, "row": 6, "col": 6]),
            Declared(id: "L00", op: "potrf", inputs: ["A00"]),
            Declared(id: "L10", op: "trsm", inputs: ["L00", "A10"], args: ["side": "right", "transA": true]),
            Declared(id: "S11", op: "syrk", inputs: ["L10"]),
            Declared(id: "U11", op: "sub", inputs: ["A11", "S11"]),
            Declared(id: "L11", op: "potrf", inputs: ["U11"]),
            Declared(id: "L", op: "assemble", inputs: ["L00", "L10", "L11"], args: ["grid_rows": 2, "grid_cols": 2, "fill": "lower"]),
            Declared(id: "A", op: "spd", args: ["n": 10]),
            Declared(id: "x", op: "random", args: ["rows": 10, "cols": 1, "dist": "normal"]),
            Declared(id: "Ltx", op: "gemv", inputs: ["L", "x"], args: ["trans": true]),
            Declared(id: "LLtx", op: "gemv", inputs: ["L", "Ltx"]),
            Declared(id: "Ax", op: "gemv", inputs: ["A", "x"]),
            Declared(id: "d", op: "sub", inputs: ["Ax", "LLtx"]),
            Declared(id: "r", op: "nrm2", inputs: ["d"]),
            Declared(id: "nA", op: "norm", inputs: ["A"]),
            Declared(id: "nx", op: "nrm2", inputs: ["x"]),
            Declared(id: "ok", op: "check", inputs: ["r", "nA", "nx"], args: ["max": 1e-12]),
        ])
        func shape(_ id: String) -> ValueShape { g.shape(of: Int(g.index(of: id)!)) }
        #expect(shape("A10") == .matrix(rows: 4, cols: 6))
        #expect(shape("A11") == .matrix(rows: 4, cols: 4))
        #expect(shape("L10") == .matrix(rows: 4, cols: 6))
        #expect(shape("S11") == .matrix(rows: 4, cols: 4))
        #expect(shape("L") == .matrix(rows: 10, cols: 10))
        #expect(shape("Ltx") == .matrix(rows: 10, cols: 1))
        #expect(shape("ok") == .scalar)
        // potrf of 6x6 costs (6³/3) / 1e10 s plus the fixed task overhead.
        #expect(abs(g.costs[Int(g.index(of: "L00")!)] - (72 / 1e10 + StandardOps.smallTask)) < 1e-15)
    }

    @Test func luFactorsFlowFromGetrfToGetrs() throws {
        let g = try graph([Self.ones("a", 5, 5), Self.ones("b", 5, 2),
                           Declared(id: "lu", op: "getrf", inputs: ["a"]),
                           Declared(id: "x", op: "getrs", inputs: ["lu", "b"]),
                           Self.ones("c", 7, 3), Declared(id: "r", op: "geqrf", inputs: ["c"]),
                           Declared(id: "t", op: "transpose", inputs: ["c"]),
                           Declared(id: "s", op: "concat", inputs: ["c", "c"], args: ["axis": 1])])
        #expect(g.shape(of: 2) == .luFactors(n: 5))
        #expect(g.shape(of: 3) == .matrix(rows: 5, cols: 2))
        #expect(g.shape(of: 5) == .matrix(rows: 3, cols: 3))
        #expect(g.shape(of: 6) == .matrix(rows: 3, cols: 7))
        #expect(g.shape(of: 7) == .matrix(rows: 7, cols: 6))
        #expect(ValueShape.luFactors(n: 5).description == "LU factors of 5x5")
    }

    @Test func shapeErrorsNameTheInputsAndTheFix() {
        let a = Self.ones("a", 4, 3), b = Self.ones("b", 3, 4), sq = Self.ones("sq", 3, 3), v = Self.ones("v", 4, 1)
        var issue = onlyIssue([a, b, Declared(id: "y", op: "axpy", inputs: ["a", "b"], args: ["alpha": 2])])
        #expect(issue?.message == "axpy needs two matrices of one shape, but 'a' (4x3) and 'b' (3x4) differ")
        #expect(issue?.field == "inputs[1]")

        issue = onlyIssue([a, v, Declared(id: "g", op: "gemv", inputs: ["a", "v"])])
        #expect(issue?.message == "gemv cannot multiply 'a' (4x3) by 'v' (4x1): x must be a 3x1 column, as A has 3 columns")
        #expect(issue?.hint == "pass a 3x1 x, or set trans to use A^T")
        #expect(issues([a, v, Declared(id: "g", op: "gemv", inputs: ["a", "v"], args: ["trans": true])]).isEmpty)
        issue = onlyIssue([a, v, Declared(id: "g", op: "gemv", inputs: ["a", "v"], args: ["trans": true, "beta": 1])])
        #expect(issue?.field == "args.beta")

        issue = onlyIssue([a, sq, Declared(id: "s", op: "syrk", inputs: ["a", "sq"], args: ["beta": 1])])
        #expect(issue?.message == "syrk's C input 'sq' (3x3) must be 4x4, the shape of A * A^T for A 'a' (4x3)")

        issue = onlyIssue([a, b, Declared(id: "t", op: "trsm", inputs: ["a", "b"])])
        #expect(issue?.message == "trsm needs a square triangular matrix, but 'a' (4x3) is not square")
        issue = onlyIssue([sq, a, Declared(id: "t", op: "trsm", inputs: ["sq", "a"])])
        #expect(issue?.message.hasSuffix("op(A) * X = B needs A's order to equal B's rows (4)") == true)
        #expect(issue?.hint == "check the shapes, or set side to \"right\"")
        #expect(issues([sq, a, Declared(id: "t", op: "trsm", inputs: ["sq", "a"], args: ["side": "right"])]).isEmpty)

        issue = onlyIssue([a, Declared(id: "p", op: "potrf", inputs: ["a"])])
        #expect(issue?.message == "potrf needs a square matrix, but 'a' (4x3) is not square")
        issue = onlyIssue([a, Declared(id: "lu", op: "getrf", inputs: ["a"])])
        #expect(issue?.field == "inputs[0]")

        issue = onlyIssue([sq, b, Declared(id: "x", op: "getrs", inputs: ["sq", "b"])])
        #expect(issue?.message == "getrs needs LU factors, but input 'sq' produces 3x3")
        #expect(issue?.hint == "factor the matrix with a getrf task and pass that task as the first input")
        issue = onlyIssue([sq, a, Declared(id: "lu", op: "getrf", inputs: ["sq"]), Declared(id: "x", op: "getrs", inputs: ["lu", "a"])])
        #expect(issue?.message == "getrs cannot solve with 'lu' (LU factors of 3x3) for B 'a' (4x3): B needs 3 rows")

        issue = onlyIssue([a, Declared(id: "s", op: "slice", inputs: ["a"], args: ["row": 2, "rows": 3, "cols": 1])])
        #expect(issue?.field == "args.rows")
        #expect(issue?.message == "slice's rows 2..<5 do not fit in 'a' (4x3)")
        #expect(issue?.hint == "keep row + rows at most 4")

        issue = onlyIssue([sq, Declared(id: "m", op: "assemble", inputs: ["sq", "sq", "sq", "sq"],
                                        args: ["grid_rows": 2, "grid_cols": 2, "fill": "lower"])])
        #expect(issue?.message == "assemble with a 2x2 grid and fill lower takes 3 tiles, got 4")
        issue = onlyIssue([sq, a, Declared(id: "m", op: "assemble", inputs: ["sq", "a"], args: ["grid_rows": 1, "grid_cols": 2])])
        #expect(issue?.message == "assemble's tile (0, 1) 'a' (4x3) has 4 rows, but grid row 0 is 3 high")
        #expect(issue?.field == "inputs[1]")

        issue = onlyIssue([a, b, Declared(id: "c", op: "concat", inputs: ["a", "b"])])
        #expect(issue?.message == "concat along axis 0 needs inputs with one number of columns, but 'b' (3x4) differs from 'a' (4x3)")

        issue = onlyIssue([Declared(id: "s", op: "spd", args: ["n": 8, "row": 6, "rows": 4])])
        #expect(issue?.field == "args.rows")
        #expect(issue?.hint == "keep row + rows at most 8")

        issue = onlyIssue([a, Declared(id: "ok", op: "check", inputs: ["a"], args: ["max": 1e-9])])
        #expect(issue?.message == "check needs scalars, but input 'a' produces 4x3")
        #expect(issue?.hint == "reduce it to a scalar first, e.g. with nrm2, norm, max or sum")
    }

    /// gemv with pairs M_0, v_0, M_1, v_1, ... and one trans flag per pair: the shape is one
    /// column; an odd count, a vector that does not fit its matrix, two products of different
    /// lengths, a trans list of the wrong length and beta without y are errors naming the task,
    /// the field and the pair.
    @Test func gemvPairsShapesAndErrors() throws {
        let m0 = Self.ones("m0", 4, 3), m1 = Self.ones("m1", 2, 4), v3 = Self.ones("v3", 3, 1), v2 = Self.ones("v2", 2, 1)
        let v4 = Self.ones("v4", 4, 1)
        // op(m0) = m0 (4x3) times v3, op(m1) = m1^T (4x2) times v2: both 4x1.
        let g = try graph([m0, m1, v3, v2, Declared(id: "y", op: "gemv", inputs: ["m0", "v3", "m1", "v2"], args: ["trans": [false, true]])])
        #expect(g.shape(of: Int(g.index(of: "y")!)) == .matrix(rows: 4, cols: 1))
        #expect(try graph([m0, v4, Declared(id: "y", op: "gemv", inputs: ["m0", "v4", "m0", "v4"], args: ["trans": true])])
            .shape(of: 2) == .matrix(rows: 3, cols: 1), "one boolean applies to every pair")
        #expect(try graph([m0, v3, Declared(id: "y", op: "gemv", inputs: ["m0", "v3"], args: ["trans": [false]])])
            .shape(of: 2) == .matrix(rows: 4, cols: 1), "a one-flag list for the single pair")

        var issue = onlyIssue([m0, v3, m1, Declared(id: "odd", op: "gemv", inputs: ["m0", "v3", "m0", "v3", "m1"])])
        #expect(issue?.field == "inputs")
        #expect(issue?.message == "gemv with more than one (matrix, vector) pair takes an even number of inputs "
            + "M_0, v_0, M_1, v_1, ..., but has 5: 'm1' has no partner")
        #expect(issue?.hint == "add the missing matrix or vector; a third input y (with beta) is only for a single pair A, x, y")

        issue = onlyIssue([m0, v3, m1, Declared(id: "bad", op: "gemv", inputs: ["m0", "v3", "m1", "v3"])])
        #expect(issue?.taskID == "bad" && issue?.field == "inputs[3]")
        #expect(issue?.message == "gemv cannot multiply pair 1: 'm1' (2x4) by 'v3' (3x1): v_1 must be a 4x1 column, as M_1 has 4 columns")
        #expect(issue?.hint == "pass a 4x1 vector, or set trans for this pair to use M_1^T")

        issue = onlyIssue([m0, v3, m1, v4, Declared(id: "long", op: "gemv", inputs: ["m0", "v3", "m1", "v4"])])
        #expect(issue?.field == "inputs[2]")
        #expect(issue?.message == "gemv's pair 1 gives a 2x1 product (M_1 with 'm1' (2x4)) but pair 0 gives 4x1 (with 'm0'): "
            + "the products are summed, so every op(M_k) needs the same number of rows")

        issue = onlyIssue([m0, v3, Declared(id: "flags", op: "gemv", inputs: ["m0", "v3", "m0", "v3"], args: ["trans": [false]])])
        #expect(issue?.field == "args.trans")
        #expect(issue?.message == "gemv has 2 (matrix, vector) pairs but trans lists 1 boolean")
        issue = onlyIssue([m0, v3, Declared(id: "flags1", op: "gemv", inputs: ["m0", "v3"], args: ["trans": [false, true]])])
        #expect(issue?.field == "args.trans")
        #expect(issue?.message == "gemv has 1 (matrix, vector) pair but trans lists 2 booleans")

        issue = onlyIssue([m0, v3, v4, Declared(id: "b", op: "gemv", inputs: ["m0", "v3", "m0", "v3"], args: ["beta": 1])])
        #expect(issue?.field == "args.beta")
        #expect(issue?.message == "beta is 1.0 but gemv with 2 pairs has no y input to scale")

        issue = onlyIssue([m0, v3, Declared(id: "t", op: "gemv", inputs: ["m0", "v3", "m0", "v3"], args: ["trans": [true, 1]])])
        #expect(issue?.field == "args.trans")
        #expect(issue?.message == "argument 'trans' must be a boolean or list of booleans, got list [true, 1]")
    }

    ///   diagdom tiles A00 A01 A10 A11 -> getrf (pivot false) LU00 -> trsm U01, L10 -> gemm S11
    ///   -> getrf LU11; gemv over the triangles of the packed tiles
    @Test func tiledLUShapesPropagate() throws {
        let g = try graph([
            Declared(id: "A00", op: "diagdom", args: ["n": 10, "rows": 6, "cols": 6]),
            Declared(id: "A01", op: "diagdom", args: ["n": 10, "rows": 6, "col": 6]),
            Declared(id: "A10", op: "diagdom", args: ["n": 10, "row": 6, "cols": 6]),
            Declared(id: "A11", op: "diagdom", args: ["n": 10, "row": 6, "col": 6]),
            Declared(id: "LU00", op: "getrf", inputs: ["A00"], args: ["pivot": false]),
            Declared(id: "U01", op: "trsm", inputs: ["LU00", "A01"], args: ["unit": true]),
            Declared(id: "L10", op: "trsm", inputs: ["LU00", "A10"], args: ["side": "right", "lower": false]),
            Declared(id: "S11", op: "gemm", inputs: ["L10", "U01", "A11"], args: ["alpha": -1, "beta": 1]),
            Declared(id: "LU11", op: "getrf", inputs: ["S11"], args: ["pivot": false]),
            Declared(id: "x0", op: "random", args: ["rows": 6, "cols": 1]),
            Declared(id: "x1", op: "random", args: ["rows": 4, "cols": 1]),
            Declared(id: "Ux0", op: "gemv", inputs: ["LU00", "x0", "U01", "x1"], args: ["triangle": ["upper", "full"]]),
            Declared(id: "Ux1", op: "gemv", inputs: ["LU11", "x1"], args: ["triangle": ["upper"]]),
            Declared(id: "LUx1", op: "gemv", inputs: ["L10", "Ux0", "LU11", "Ux1"], args: ["triangle": ["full", "lower-unit"]]),
        ])
        func shape(_ id: String) -> ValueShape { g.shape(of: Int(g.index(of: id)!)) }
        #expect(shape("A01") == .matrix(rows: 6, cols: 4))
        #expect(shape("LU00") == .matrix(rows: 6, cols: 6), "without pivoting, a packed matrix")
        #expect(shape("U01") == .matrix(rows: 6, cols: 4) && shape("L10") == .matrix(rows: 4, cols: 6))
        #expect(shape("LU11") == .matrix(rows: 4, cols: 4))
        #expect(shape("Ux0") == .matrix(rows: 6, cols: 1) && shape("Ux1") == .matrix(rows: 4, cols: 1))
        #expect(shape("LUx1") == .matrix(rows: 4, cols: 1))
        // Both getrf cost 2n³/3 flops, pivoting or not.
        #expect(abs(g.costs[Int(g.index(of: "LU00")!)] - (144 / 1e10 + StandardOps.smallTask)) < 1e-15)
    }

    /// getrf's pivot and gemv's triangle: what they accept, and errors naming the task, the field and the fix.
    @Test func luOptionsShapesAndErrors() throws {
        let a = Self.ones("a", 4, 3), sq = Self.ones("sq", 3, 3), v3 = Self.ones("v3", 3, 1)
        var issue = onlyIssue([a, Declared(id: "lu", op: "getrf", inputs: ["a"], args: ["pivot": false])])
        #expect(issue?.message == "getrf needs a square matrix, but 'a' (4x3) is not square")
        issue = onlyIssue([sq, Declared(id: "lu", op: "getrf", inputs: ["sq"], args: ["pivot": "no"])])
        #expect(issue?.field == "args.pivot")
        #expect(issue?.message == "argument 'pivot' must be a boolean, got string \"no\"")
        // Packed factors are a matrix, not LU factors: getrs refuses them.
        issue = onlyIssue([sq, Self.ones("b", 3, 1), Declared(id: "lu", op: "getrf", inputs: ["sq"], args: ["pivot": false]),
                           Declared(id: "x", op: "getrs", inputs: ["lu", "b"])])
        #expect(issue?.message == "getrs needs LU factors, but input 'lu' produces 3x3")

        issue = onlyIssue([a, v3, Declared(id: "g", op: "gemv", inputs: ["a", "v3"], args: ["triangle": ["upper"]])])
        #expect(issue?.field == "inputs[0]")
        #expect(issue?.message == "gemv takes the upper triangle of 'a' (4x3), which is not square")
        #expect(issue?.hint == "a triangle needs a square matrix: set triangle[0] to \"full\", or pass a square one")
        issue = onlyIssue([a, sq, v3, Declared(id: "g", op: "gemv", inputs: ["sq", "v3", "a", "v3"],
                                               args: ["triangle": ["lower-unit", "lower"]])])
        #expect(issue?.field == "inputs[2]")
        #expect(issue?.message == "gemv takes the lower triangle of 'a' (4x3), which is not square")
        #expect(issues([a, sq, v3, Self.ones("v4", 4, 1), Declared(id: "g", op: "gemv", inputs: ["sq", "v3", "a", "v4"],
                                                                  args: ["triangle": ["upper-unit", "full"], "trans": [false, true]])])
                    .isEmpty, "full: any shape")
        issue = onlyIssue([sq, v3, Declared(id: "g", op: "gemv", inputs: ["sq", "v3", "sq", "v3"], args: ["triangle": ["upper"]])])
        #expect(issue?.field == "args.triangle")
        #expect(issue?.message == "gemv has 2 (matrix, vector) pairs but triangle lists 1 word")
        issue = onlyIssue([sq, v3, Declared(id: "g", op: "gemv", inputs: ["sq", "v3"], args: ["triangle": ["unit-lower"]])])
        #expect(issue?.field == "args.triangle")
        #expect(issue?.message == "argument 'triangle' must list \"full\", \"lower\", \"upper\", \"lower-unit\", \"upper-unit\", "
            + "but triangle[0] is \"unit-lower\"")
        issue = onlyIssue([sq, v3, Declared(id: "g", op: "gemv", inputs: ["sq", "v3"], args: ["triangle": "upper"])])
        #expect(issue?.message == "argument 'triangle' must be a list of strings, got string \"upper\"")
        // With y and beta, and transposed.
        let g = try graph([sq, v3, Declared(id: "g", op: "gemv", inputs: ["sq", "v3", "v3"],
                                             args: ["triangle": ["lower"], "beta": 1, "trans": true])])
        #expect(g.shape(of: 2) == .matrix(rows: 3, cols: 1))
    }

    /// nrm2 and norm over several matrices, with one weight per input.
    @Test func weightedNormsTakeOneWeightPerInput() throws {
        let a = Self.ones("a", 4, 3), b = Self.ones("b", 2, 2)
        for op in ["nrm2", "norm"] {
            let g = try graph([a, b, Declared(id: "n", op: op, inputs: ["a", "b", "a"], args: ["weights": [1, 2.5, 0]])])
            #expect(g.shape(of: 2) == .scalar)
            #expect(g.args[2]["weights"] == [1.0, 2.5, 0.0], "integers are widened")
            #expect(try graph([a, b, Declared(id: "n", op: op, inputs: ["a", "b"])]).shape(of: 2) == .scalar)

            var issue = onlyIssue([a, b, Declared(id: "w", op: op, inputs: ["a", "b"], args: ["weights": [1, 2, 2]])])
            #expect(issue?.taskID == "w" && issue?.field == "args.weights")
            #expect(issue?.message == "\(op) has 2 inputs but weights lists 3 numbers")
            #expect(issue?.hint == "give one weight per input, in the order of the inputs, or drop weights")
            issue = onlyIssue([a, Declared(id: "w", op: op, inputs: ["a"], args: ["weights": []])])
            #expect(issue?.message == "\(op) has 1 input but weights lists 0 numbers")

            issue = onlyIssue([a, Declared(id: "neg", op: op, inputs: ["a", "a"], args: ["weights": [1, -2]])])
            #expect(issue?.field == "args.weights")
            #expect(issue?.message == "argument 'weights' must hold finite numbers >= 0, but weights[1] is -2.0")
            issue = onlyIssue([a, Declared(id: "type", op: op, inputs: ["a"], args: ["weights": 2])])
            #expect(issue?.message == "argument 'weights' must be a list of numbers, got integer 2")

            issue = onlyIssue([a, Declared(id: "s", op: "sum", inputs: ["a"]), Declared(id: "n", op: op, inputs: ["a", "s"])])
            #expect(issue?.field == "inputs[1]")
            #expect(issue?.message == "\(op) needs a matrix, but input 's' produces scalar")
        }
    }

    @Test func argumentsAreChecked() {
        let found = issues([
            Declared(id: "r", op: "random", args: ["rows": 2, "cols": 2, "dist": "gaussian"]),
            Self.ones("a", 2, 2),
            Declared(id: "t", op: "trsm", inputs: ["a", "a"], args: ["side": "top"]),
            Declared(id: "c", op: "concat", inputs: ["a"], args: ["axis": 2]),
            Declared(id: "k", op: "check", inputs: ["a"], args: ["max": 0]),
            Declared(id: "f", op: "assemble", inputs: ["a"], args: ["grid_rows": 1, "grid_cols": 1, "fill": "upper"]),
        ])
        #expect(found.map(\.message) == [
            "argument 'dist' must be \"uniform\" or \"normal\", got \"gaussian\"",
            "argument 'side' must be \"left\" or \"right\", got \"top\"",
            "argument 'axis' must be 0 or 1, got 2",
            "argument 'max' must be a finite number > 0, got 0.0",
            "argument 'fill' must be \"full\" or \"lower\", got \"upper\"",
        ])
    }
}
