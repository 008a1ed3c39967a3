import DagCore
import DagFormat
import DagGen
import Testing

/// The tiled linear-algebra graphs: counts, the dependency structure of each algorithm,
/// the op vocabulary's names and arguments, and (through a plain-Swift evaluator of the
/// vocabulary) that they compute A·B and a Cholesky factor and check it.
struct TiledGraphTests {
    static func options(_ n: Int, _ tile: Int, seed: UInt64 = 1) -> TiledOptions {
        var options = TiledOptions(n: n, tile: tile)
        options.seed = seed
        return options
    }

    /// (n, tile, tiles per side): one tile, exact tiles, a ragged last tile, 1 x 1 tiles.
    static let sizes = [(8, 8, 1), (12, 4, 3), (10, 4, 3), (5, 1, 5), (64, 16, 4), (50, 16, 4)]

    // MARK: Counts

    @Test("matmul: 2T² random tiles, T³ gemm, 13 check tasks", arguments: sizes)
    func matmulCounts(n: Int, tile: Int, t: Int) throws {
        let options = Self.options(n, tile)
        #expect(options.tilesPerSide == t)
        let graph = try TiledGraph(.matmul, options)
        #expect(graph.tasks.count == 2 * t * t + t * t * t + 13)
        #expect(graph.tasks.count == GraphGenerator.taskCount(.matmul, options))
        #expect(graph.edgeCount == GraphGenerator.edgeCount(.matmul, options))
        #expect(graph.opCounts == ["random": 2 * t * t + 1, "gemm": t * t * t, "assemble": 3, "gemv": 3, "sub": 1,
                                   "nrm2": 2, "norm": 2, "check": 1])
        // Each gemm reads two tiles, and all but the first of a chain its partial; the check
        // reads the three whole matrices, made of T² tiles each, through 16 more edges.
        #expect(graph.edgeCount == 2 * t * t * t + t * t * (t - 1) + 3 * t * t + 16)
    }

    @Test("cholesky: T(T+1)/2 spd, T potrf, T(T-1)/2 trsm and syrk, T(T-1)(T-2)/6 gemm, 11 check tasks",
          arguments: sizes)
    func choleskyCounts(n: Int, tile: Int, t: Int) throws {
        let options = Self.options(n, tile)
        let graph = try TiledGraph(.cholesky, options)
        let pairs = t * (t - 1) / 2, triples = t * (t - 1) * (t - 2) / 6
        #expect(graph.tasks.count == t * (t + 1) / 2 + t + 2 * pairs + triples + 11)
        #expect(graph.tasks.count == GraphGenerator.taskCount(.cholesky, options))
        #expect(graph.edgeCount == GraphGenerator.edgeCount(.cholesky, options))
        var expected = ["spd": t * (t + 1) / 2 + 1, "potrf": t, "assemble": 1, "random": 1, "gemv": 3, "sub": 1,
                        "nrm2": 2, "norm": 1, "check": 1]
        if pairs > 0 { expected["trsm"] = pairs; expected["syrk"] = pairs }
        if triples > 0 { expected["gemm"] = triples }
        #expect(graph.opCounts == expected)
    }

    @Test("the default sizes: matmul n 4096 tile 512 has 653 tasks, cholesky n 8192 tile 512 has 963")
    func defaultSizes() {
        #expect(GraphGenerator.taskCount(.matmul, TiledOptions(n: TiledAlgorithm.matmul.defaultN)) == 2 * 64 + 512 + 13)
        #expect(GraphGenerator.taskCount(.cholesky, TiledOptions(n: TiledAlgorithm.cholesky.defaultN))
                == 136 + 16 + 120 + 120 + 560 + 11)
        #expect(TiledOptions.defaultTile == 512)
    }

    // MARK: Structure

    //   A[i][k]  B[k][j]
    //        \   /
    //   C[i][j]+0 -> C[i][j]+1 -> ... -> C[i][j]
    @Test("matmul: C[i][j] is a chain of gemm over k reading A[i][k], B[k][j] and the previous partial",
          arguments: sizes)
    func matmulChains(n: Int, tile: Int, t: Int) throws {
        let graph = try TiledGraph(.matmul, Self.options(n, tile))
        for i in 0..<t {
            for j in 0..<t {
                for k in 0..<t {
                    let id = k == t - 1 ? "C[\(i)][\(j)]" : "C[\(i)][\(j)]+\(k)"
                    let task = try #require(graph[id], "no task \(id)")
                    #expect(task.op == "gemm")
                    if k == 0 {
                        #expect(task.inputs == ["A[\(i)][0]", "B[0][\(j)]"])
                        #expect(task.args.isEmpty, "\(id): the first product needs no arguments")
                    } else {
                        let previous = k == 1 ? "C[\(i)][\(j)]+0" : "C[\(i)][\(j)]+\(k - 1)"
                        #expect(task.inputs == ["A[\(i)][\(k)]", "B[\(k)][\(j)]", previous], "\(id)")
                        #expect(task.args == ["beta": .double(1)], "\(id)")
                    }
                }
            }
        }
        let whole = ["A": "A", "B": "B", "C": "C"].mapValues { name in
            (0..<t).flatMap { i in (0..<t).map { j in "\(name)[\(i)][\(j)]" } }
        }
        for (name, tiles) in whole {
            #expect(graph[name]?.op == "assemble")
            #expect(graph[name]?.inputs == tiles)
            #expect(graph[name]?.args == ["grid_rows": .int(t), "grid_cols": .int(t), "fill": .string("full")])
        }
        #expect(graph["Cx"]?.inputs == ["C", "x"] && graph["Bx"]?.inputs == ["B", "x"] && graph["ABx"]?.inputs == ["A", "Bx"])
        #expect(graph["Cx-ABx"]?.inputs == ["Cx", "ABx"])
        let check = try #require(graph["check"])
        #expect(check.inputs == ["nrm2(Cx-ABx)", "norm(A)", "norm(B)", "nrm2(x)"])
        #expect(graph.graph.shape(of: Int(graph.graph.index(of: "C")!)) == .matrix(rows: n, cols: n))
        #expect(graph.tasks.last?.id == "check", "the check ends the graph")
        let consumed = Set(graph.tasks.flatMap(\.inputs))
        #expect(graph.tasks.filter { !consumed.contains($0.id) }.map(\.id) == ["check"], "the check is the only sink")
    }

    //   step k:  L[k][k] = potrf(A[k][k] at step k)
    //            L[i][k] = trsm(L[k][k], A[i][k] at step k)                 i > k
    //            A[i][i]+k = syrk(L[i][k], A[i][i] at step k)               i > k
    //            A[i][j]+k = gemm(L[i][k], L[j][k], A[i][j] at step k)      i > j > k
    @Test("cholesky: potrf, trsm, syrk and gemm read the right tiles of the right step", arguments: sizes)
    func choleskySteps(n: Int, tile: Int, t: Int) throws {
        let graph = try TiledGraph(.cholesky, Self.options(n, tile))
        func before(_ i: Int, _ j: Int, step k: Int) -> String { k == 0 ? "A[\(i)][\(j)]" : "A[\(i)][\(j)]+\(k - 1)" }
        for i in 0..<t {
            for j in 0...i {
                let a = try #require(graph["A[\(i)][\(j)]"])
                #expect(a.op == "spd" && a.inputs.isEmpty)
                #expect(a.args["row"] == .int(i * tile) && a.args["col"] == .int(j * tile))
                #expect(a.args["rows"] == .int(min(tile, n - i * tile)) && a.args["cols"] == .int(min(tile, n - j * tile)))
                #expect(a.args["n"] == .int(n))
            }
        }
        for k in 0..<t {
            let potrf = try #require(graph["L[\(k)][\(k)]"])
            #expect(potrf.op == "potrf" && potrf.inputs == [before(k, k, step: k)] && potrf.args == ["lower": .bool(true)])
            for i in (k + 1)..<t {
                let trsm = try #require(graph["L[\(i)][\(k)]"])
                #expect(trsm.op == "trsm" && trsm.inputs == ["L[\(k)][\(k)]", before(i, k, step: k)])
                #expect(trsm.args == ["side": .string("right"), "lower": .bool(true), "transA": .bool(true)])
                for j in (k + 1)...i {
                    let update = try #require(graph["A[\(i)][\(j)]+\(k)"])
                    if i == j {
                        #expect(update.op == "syrk" && update.inputs == ["L[\(i)][\(k)]", before(i, i, step: k)])
                        #expect(update.args == ["alpha": .double(-1), "beta": .double(1)])
                    } else {
                        #expect(update.op == "gemm" && update.inputs == ["L[\(i)][\(k)]", "L[\(j)][\(k)]", before(i, j, step: k)])
                        #expect(update.args == ["alpha": .double(-1), "beta": .double(1), "transB": .bool(true)])
                    }
                }
            }
        }
        // Tiles are updated at every step before their own, and no further.
        let updates = graph.tasks.filter { $0.id.hasPrefix("A[") && $0.id.contains("+") }
        for u in updates {
            let parts = u.id.split(whereSeparator: { "[]+".contains($0) }).compactMap { Int($0) }
            #expect(parts.count == 3 && parts[2] < parts[1], "\(u.id): step \(parts[2]) must come before column \(parts[1])")
        }
        let l = try #require(graph["L"])
        #expect(l.op == "assemble" && l.args == ["grid_rows": .int(t), "grid_cols": .int(t), "fill": .string("lower")])
        #expect(l.inputs == (0..<t).flatMap { i in (0...i).map { j in "L[\(i)][\(j)]" } })
        #expect(graph["A"]?.op == "spd" && graph["A"]?.args["n"] == .int(n) && graph["A"]?.args["rows"] == nil)
        #expect(graph["A"]?.args["seed"] == graph["A[0][0]"]?.args["seed"], "the whole matrix is the one the tiles slice")
        #expect(graph["Ltx"]?.args == ["trans": .bool(true)] && graph["Ltx"]?.inputs == ["L", "x"])
        #expect(graph["LLtx"]?.inputs == ["L", "Ltx"] && graph["Ax"]?.inputs == ["A", "x"])
        #expect(graph["check"]?.inputs == ["nrm2(Ax-LLtx)", "norm(A)", "nrm2(x)"])
        #expect(graph.tasks.last?.id == "check")
    }

    @Test("ids follow the family pattern: NAME[i][j] tiles, +k for a step, plain names for the check", arguments: TiledAlgorithm.allCases)
    func idPatterns(algorithm: TiledAlgorithm) throws {
        let graph = try TiledGraph(algorithm, Self.options(40, 16))
        let families: Set<Character> = algorithm == .matmul ? ["A", "B", "C"] : ["A", "L"]
        let check = algorithm == .matmul
            ? ["x", "A", "B", "C", "Cx", "Bx", "ABx", "Cx-ABx", "nrm2(Cx-ABx)", "norm(A)", "norm(B)", "nrm2(x)", "check"]
            : ["A", "L", "x", "Ax", "Ltx", "LLtx", "Ax-LLtx", "nrm2(Ax-LLtx)", "norm(A)", "nrm2(x)", "check"]
        let tiles = graph.tasks.prefix(graph.tasks.count - check.count)
        for task in tiles {
            #expect(task.id.wholeMatch(of: /[A-Z]\[\d+\]\[\d+\](\+\d+)?/) != nil && families.contains(task.id.first!), "\(task.id)")
        }
        #expect(graph.tasks.suffix(check.count).map(\.id) == check)
    }

    // MARK: The op vocabulary

    @Test("only the vocabulary's ops, arguments of its names and types, and its input counts",
          arguments: TiledAlgorithm.allCases)
    func vocabulary(algorithm: TiledAlgorithm) throws {
        let graph = try TiledGraph(algorithm, Self.options(50, 16))
        for task in graph.tasks {
            let allowed = try #require(SpecCatalogue.arguments[task.op], "\(task.id): op \(task.op) is not in the vocabulary")
            for (name, value) in task.args {
                let type = try #require(allowed[name], "\(task.id): \(task.op) has no argument '\(name)'")
                let matches = switch (type, value) {
                case (.int, .int), (.number, .double), (.bool, .bool), (.string, .string): true
                default: false
                }
                #expect(matches, "\(task.id): \(name) is \(value), not \(type.withArticle)")
            }
            #expect(SpecCatalogue.inputs[task.op]?.allows(task.inputs.count) == true, "\(task.id): \(task.inputs.count) inputs")
        }
        let x = try #require(graph["x"])
        #expect(x.args["dist"] == .string("normal") && x.args["cols"] == .int(1) && x.args["rows"] == .int(50))
        let check = try #require(graph["check"])
        #expect(check.args["max"] == .double(TiledOptions.defaultTolerance(n: 50)))
        #expect(check.args["what"].map { "\($0)" }?.hasPrefix("\"residual ‖") == true)
    }

    @Test("every tile and vector of a graph has its own seed; the seed option changes only seeds",
          arguments: TiledAlgorithm.allCases)
    func seeds(algorithm: TiledAlgorithm) throws {
        let a = try TiledGraph(algorithm, Self.options(40, 8, seed: 1))
        let b = try TiledGraph(algorithm, Self.options(40, 8, seed: 2))
        func seeds(_ g: TiledGraph, _ op: String) -> [ArgValue] { g.tasks.filter { $0.op == op }.compactMap { $0.args["seed"] } }
        if algorithm == .matmul {
            #expect(Set(seeds(a, "random")).count == 2 * 25 + 1, "A and B tiles and x all differ")
        } else {
            #expect(Set(seeds(a, "spd")).count == 1, "the spd tiles are blocks of one matrix")
            #expect(seeds(a, "random") != seeds(a, "spd"))
        }
        #expect(Set(seeds(a, "random") + seeds(a, "spd")).isDisjoint(with: seeds(b, "random") + seeds(b, "spd")))
        #expect(a.tasks.map(\.id) == b.tasks.map(\.id) && a.tasks.map(\.inputs) == b.tasks.map(\.inputs))
        #expect(a.bytes != b.bytes)
    }

    @Test("the same options write the same bytes", arguments: TiledAlgorithm.allCases)
    func deterministic(algorithm: TiledAlgorithm) throws {
        var options = Self.options(300, 64, seed: 9)
        options.tolerance = 1e-9
        #expect(try TiledGraph(algorithm, options).bytes == TiledGraph(algorithm, options).bytes)
    }

    // MARK: What the graphs compute

    @Test("matmul computes A·B tile by tile, and its check passes far below the tolerance",
          arguments: [(24, 8), (20, 8), (7, 7)])
    func matmulComputesTheProduct(n: Int, tile: Int) throws {
        let graph = try TiledGraph(.matmul, Self.options(n, tile))
        var evaluator = ReferenceEvaluator()
        try evaluator.run(graph.graph)
        let a = try #require(evaluator.matrix("A")), b = try #require(evaluator.matrix("B")), c = try #require(evaluator.matrix("C"))
        let reference = a * b
        for k in c.a.indices { #expect(abs(c.a[k] - reference.a[k]) <= 1e-12 * Double(n), "C element \(k)") }
        let value = try #require(evaluator.scalar("check"))
        #expect(value < TiledOptions.defaultTolerance(n: n) / 10, "residual \(value)")
    }

    @Test("cholesky computes L with L·Lᵀ = A, lower triangular, and its check passes",
          arguments: [(24, 8), (30, 8), (9, 9), (5, 1)])
    func choleskyComputesTheFactor(n: Int, tile: Int) throws {
        let graph = try TiledGraph(.cholesky, Self.options(n, tile))
        var evaluator = ReferenceEvaluator()
        try evaluator.run(graph.graph)
        let a = try #require(evaluator.matrix("A")), l = try #require(evaluator.matrix("L"))
        let product = l * l.transposed
        for i in 0..<n {
            for j in 0..<n {
                #expect(abs(product[i, j] - a[i, j]) <= 1e-12 * Double(n), "(L·Lᵀ)[\(i)][\(j)]")
                if j > i { #expect(l[i, j] == 0, "L[\(i)][\(j)] above the diagonal") }
            }
        }
        let value = try #require(evaluator.scalar("check"))
        #expect(value < TiledOptions.defaultTolerance(n: n) / 10, "residual \(value)")
    }

    @Test("a wrong step makes the check fail", arguments: [
        (TiledAlgorithm.matmul, #""id": "C[1][0]", "op": "gemm", "inputs": ["A[1][2]", "B[2][0]", "C[1][0]+1"], "args": {"beta": 1.0}"#,
         #""id": "C[1][0]", "op": "gemm", "inputs": ["A[1][2]", "B[2][0]", "C[1][0]+1"], "args": {"beta": 0.0}"#),
        (.cholesky, #""id": "A[2][1]+0", "op": "gemm", "inputs": ["L[2][0]", "L[1][0]", "A[2][1]"], "args": {"alpha": -1.0, "beta": 1.0, "transB": true}"#,
         #""id": "A[2][1]+0", "op": "gemm", "inputs": ["L[2][0]", "L[1][0]", "A[2][1]"], "args": {"alpha": 1.0, "beta": 1.0, "transB": true}"#),
        (.cholesky, #""id": "L[2][1]", "op": "trsm", "inputs": ["L[1][1]", "A[2][1]+0"], "args": {"side": "right", "lower": true, "transA": true}"#,
         #""id": "L[2][1]", "op": "trsm", "inputs": ["L[1][1]", "A[2][1]+0"], "args": {"side": "right", "lower": true, "transA": false}"#),
    ])
    func wrongStepFailsTheCheck(algorithm: TiledAlgorithm, line: String, broken: String) throws {
        let graph = try TiledGraph(algorithm, Self.options(24, 8))
        #expect(graph.text.contains(line))
        let bad = try TiledGraph(bytes: Array(graph.text.replacingOccurrences(of: line, with: broken).utf8), file: "broken.json")
        var evaluator = ReferenceEvaluator()
        #expect(throws: ReferenceEvaluator.Failure.self) { try evaluator.run(bad.graph) }
        do {
            try evaluator.run(bad.graph)
        } catch {
            #expect(error.task == "check" && error.message.hasPrefix("residual ‖"), "\(error)")
        }
    }

    // MARK: Options, output

    @Test("the tolerance defaults to 30·n·ε and can be set")
    func tolerance() throws {
        #expect(TiledOptions.defaultTolerance(n: 8192) == 30 * 8192 * 0x1p-52)
        #expect(TiledOptions(n: 4096).effectiveTolerance == TiledOptions.defaultTolerance(n: 4096))
        var options = Self.options(16, 8)
        options.tolerance = 1e-12
        let graph = try TiledGraph(.cholesky, options)
        #expect(graph["check"]?.args["max"] == .double(1e-12))
        #expect(graph.text.contains(" --tol 1e-12: "))
    }

    static let invalid: [(String, TiledOptions)] = {
        var cases: [(String, TiledOptions)] = []
        var o = TiledOptions(n: 0, tile: 1); cases.append(("n", o))
        o = TiledOptions(n: -5, tile: 1); cases.append(("n", o))
        o = TiledOptions(n: 10, tile: 0); cases.append(("tile", o))
        o = TiledOptions(n: 10, tile: 11); cases.append(("tile", o))
        o = TiledOptions(n: 8192, tile: 2); cases.append(("tile", o))
        o = TiledOptions(n: 10, tile: 2); o.tolerance = 0; cases.append(("tol", o))
        o.tolerance = -1; cases.append(("tol", o))
        o.tolerance = .nan; cases.append(("tol", o))
        o.tolerance = .infinity; cases.append(("tol", o))
        return cases
    }()

    @Test("each bad option is named", arguments: invalid)
    func rejects(option: String, options: TiledOptions) {
        for algorithm in TiledAlgorithm.allCases {
            #expect { try options.validate(for: algorithm) } throws: { error in
                (error as? GenOptionsError)?.option == option
            }
        }
    }

    @Test("messages say what is wrong and what to do")
    func messages() {
        func message(_ o: TiledOptions, _ a: TiledAlgorithm = .matmul) -> String? {
            do { try o.validate(for: a); return nil } catch { return error.message }
        }
        #expect(message(TiledOptions(n: 100, tile: 128)) == "tile is 128 but n is 100: a tile cannot be larger than the matrix (use --tile 100 or less)")
        #expect(message(TiledOptions(n: 8192, tile: 4))
                == "n 8192 in tiles of 4 is 2048 x 2048 tiles and about 8.6e9 tasks, more than the 2147483647 a graph may hold: use a larger --tile")
        #expect(message(TiledOptions(n: 8192, tile: 4), .cholesky) == nil, "2048³/6 tasks fit")
    }

    @Test("name and description: the generating command first", arguments: TiledAlgorithm.allCases)
    func header(algorithm: TiledAlgorithm) throws {
        let graph = try TiledGraph(algorithm, Self.options(100, 32, seed: 5))
        #expect(graph.name == "\(algorithm.rawValue)-100-tile-32")
        let header = String(graph.text.prefix { $0 != "\n" })
        #expect(header.contains(#""description": "dagrun gen \#(algorithm.rawValue) --n 100 --tile 32 --seed 5: "#))
        #expect(header.contains("in 4 x 4 tiles of 32 (the last 4 wide)"))
    }

    @Test("a graph of many tiles streams in chunks of about 1 MiB")
    func streams() throws {
        var chunks: [Int] = []
        var bytes = 0
        let options = Self.options(256, 4)
        GraphGenerator.write(.cholesky, options) { chunk in chunks.append(chunk.count); bytes += chunk.count }
        #expect(GraphGenerator.taskCount(.cholesky, options) > 40_000)
        #expect(chunks.count > 3 && chunks.dropLast().allSatisfy { $0 >= 1 << 20 && $0 <= (1 << 20) + 64 })
        #expect(bytes == chunks.reduce(0, +))
    }

    @Test("a fixed small graph (guards the byte format against drift)")
    func golden() {
        var bytes: [UInt8] = []
        var options = Self.options(3, 2, seed: 42)
        options.tolerance = 1e-10
        GraphGenerator.write(.cholesky, options) { bytes.append(contentsOf: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        let seed = "3419864383188818853"
        #expect(text == """
            {"version": 1, "name": "cholesky-3-tile-2", "description": "dagrun gen cholesky --n 3 --tile 2 --seed 42 --tol 1e-10: A = L·Lᵀ, 3 x 3 spd in 2 x 2 tiles of 2 (the last 1 wide), right-looking (potrf, trsm, syrk, gemm); check ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖), tolerance 1e-10", "tasks": [
            {"id": "A[0][0]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 0, "rows": 2, "cols": 2}},
            {"id": "A[1][0]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 0, "rows": 1, "cols": 2}},
            {"id": "A[1][1]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 2, "rows": 1, "cols": 1}},
            {"id": "L[0][0]", "op": "potrf", "inputs": ["A[0][0]"], "args": {"lower": true}},
            {"id": "L[1][0]", "op": "trsm", "inputs": ["L[0][0]", "A[1][0]"], "args": {"side": "right", "lower": true, "transA": true}},
            {"id": "A[1][1]+0", "op": "syrk", "inputs": ["L[1][0]", "A[1][1]"], "args": {"alpha": -1.0, "beta": 1.0}},
            {"id": "L[1][1]", "op": "potrf", "inputs": ["A[1][1]+0"], "args": {"lower": true}},
            {"id": "A", "op": "spd", "args": {"n": 3, "seed": \(seed)}},
            {"id": "L", "op": "assemble", "inputs": ["L[0][0]", "L[1][0]", "L[1][1]"], "args": {"grid_rows": 2, "grid_cols": 2, "fill": "lower"}},
            {"id": "x", "op": "random", "args": {"rows": 3, "cols": 1, "seed": 3419864383188818854, "dist": "normal"}},
            {"id": "Ax", "op": "gemv", "inputs": ["A", "x"]},
            {"id": "Ltx", "op": "gemv", "inputs": ["L", "x"], "args": {"trans": true}},
            {"id": "LLtx", "op": "gemv", "inputs": ["L", "Ltx"]},
            {"id": "Ax-LLtx", "op": "sub", "inputs": ["Ax", "LLtx"]},
            {"id": "nrm2(Ax-LLtx)", "op": "nrm2", "inputs": ["Ax-LLtx"]},
            {"id": "norm(A)", "op": "norm", "inputs": ["A"]},
            {"id": "nrm2(x)", "op": "nrm2", "inputs": ["x"]},
            {"id": "check", "op": "check", "inputs": ["nrm2(Ax-LLtx)", "norm(A)", "nrm2(x)"], "args": {"max": 1e-10, "what": "residual ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖)"}}
            ]}

            """)
    }
}
