import DagCore
import DagFormat
import DagGen
import Testing

/// The tiled linear-algebra graphs: counts, the dependency structure of each algorithm,
/// the op vocabulary's names and arguments, and (through a plain-Swift evaluator of the
/// vocabulary) that they compute A·B, a Cholesky factor and an LU factorisation and check them.
struct TiledGraphTests {
    static func options(_ n: Int, _ tile: Int, seed: UInt64 = 1) -> TiledOptions {
        var options = TiledOptions(n: n, tile: tile)
        options.seed = seed
        return options
    }

    /// (n, tile, tiles per side): one tile, exact tiles, a ragged last tile, 1 x 1 tiles.
    static let sizes = [(8, 8, 1), (12, 4, 3), (10, 4, 3), (5, 1, 5), (64, 16, 4), (50, 16, 4)]

    // MARK: Counts

    @Test("matmul: 2T² random tiles, T³ gemm, 5T + 5 check tasks", arguments: sizes)
    func matmulCounts(n: Int, tile: Int, t: Int) throws {
        let options = Self.options(n, tile)
        #expect(options.tilesPerSide == t)
        let graph = try TiledGraph(.matmul, options)
        #expect(graph.tasks.count == 2 * t * t + t * t * t + 5 * t + 5)
        #expect(graph.tasks.count == GraphGenerator.taskCount(.matmul, options))
        #expect(graph.edgeCount == GraphGenerator.edgeCount(.matmul, options))
        #expect(graph.opCounts == ["random": 2 * t * t + t, "gemm": t * t * t, "gemv": 3 * t, "sub": t,
                                   "nrm2": 2, "norm": 2, "check": 1])
        // Each gemm reads two tiles, and all but the first of a chain its partial; the check's
        // 3T gemv read T (tile, block) pairs each, its T sub two blocks, nrm2 the T residual
        // and the T x blocks, norm(A) and norm(B) T² tiles each, and check four scalars.
        #expect(graph.edgeCount == 2 * t * t * t + t * t * (t - 1) + 3 * t * 2 * t + 2 * t + 2 * t + 2 * t * t + 4)
    }

    @Test("cholesky: T(T+1)/2 spd, T potrf, T(T-1)/2 trsm and syrk, T(T-1)(T-2)/6 gemm, T(T+1)/2 + 5T + 4 check tasks",
          arguments: sizes)
    func choleskyCounts(n: Int, tile: Int, t: Int) throws {
        let options = Self.options(n, tile)
        let graph = try TiledGraph(.cholesky, options)
        let pairs = t * (t - 1) / 2, triples = t * (t - 1) * (t - 2) / 6
        #expect(graph.tasks.count == t * (t + 1) / 2 + t + 2 * pairs + triples + t * (t + 1) / 2 + 5 * t + 4)
        #expect(graph.tasks.count == GraphGenerator.taskCount(.cholesky, options))
        #expect(graph.edgeCount == GraphGenerator.edgeCount(.cholesky, options))
        var expected = ["spd": t * (t + 1), "potrf": t, "random": t, "gemv": 3 * t, "sub": t,
                        "nrm2": 2, "norm": 1, "check": 1]
        if pairs > 0 { expected["trsm"] = pairs; expected["syrk"] = pairs }
        if triples > 0 { expected["gemm"] = triples }
        #expect(graph.opCounts == expected)
    }

    @Test("lu: T² diagdom, T getrf, T(T-1) trsm, (T-1)T(2T-1)/6 gemm, T² + 5T + 4 check tasks", arguments: sizes)
    func luCounts(n: Int, tile: Int, t: Int) throws {
        let options = Self.options(n, tile)
        let graph = try TiledGraph(.lu, options)
        let squares = (t - 1) * t * (2 * t - 1) / 6
        #expect(graph.tasks.count == t * t + t + t * (t - 1) + squares + t * t + 5 * t + 4)
        #expect(graph.tasks.count == GraphGenerator.taskCount(.lu, options))
        #expect(graph.edgeCount == GraphGenerator.edgeCount(.lu, options))
        var expected = ["diagdom": 2 * t * t, "getrf": t, "random": t, "gemv": 3 * t, "sub": t, "nrm2": 2, "norm": 1, "check": 1]
        if t > 1 { expected["trsm"] = t * (t - 1); expected["gemm"] = squares }
        #expect(graph.opCounts == expected)
        // getrf reads one tile, trsm two, gemm three; Ax[i] T pairs, Ux[i] T − i, LUx[i] i + 1;
        // sub two blocks, the nrm2 T blocks each, norm(A) the T² tiles, check three scalars.
        #expect(graph.edgeCount == t + 2 * t * (t - 1) + 3 * squares + 2 * t * t + 2 * t * (t + 1) + 2 * t + 2 * t + t * t + 3)
    }

    @Test("the default sizes: matmul n 4096 tile 512 has 685 tasks, cholesky n 8192 tile 512 has 1172, lu n 4096 tile 512 has 376")
    func defaultSizes() {
        #expect(GraphGenerator.taskCount(.matmul, TiledOptions(n: TiledAlgorithm.matmul.defaultN)) == 2 * 64 + 512 + 45)
        #expect(GraphGenerator.taskCount(.cholesky, TiledOptions(n: TiledAlgorithm.cholesky.defaultN))
                == 136 + 16 + 120 + 120 + 560 + 136 + 84)
        #expect(TiledAlgorithm.lu.defaultN == 4096)
        #expect(GraphGenerator.taskCount(.lu, TiledOptions(n: TiledAlgorithm.lu.defaultN)) == 64 + 8 + 56 + 140 + 64 + 44)
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
        //   Cx[i] = Σ_j C[i][j]·x[j], Bx[k] = Σ_j B[k][j]·x[j], ABx[i] = Σ_k A[i][k]·Bx[k]: one gemv over T pairs each
        func pairs(_ m: String, _ i: Int, _ v: String) -> [String] { (0..<t).flatMap { j in ["\(m)[\(i)][\(j)]", "\(v)[\(j)]"] } }
        for i in 0..<t {
            let x = try #require(graph["x[\(i)]"])
            #expect(x.op == "random" && x.args["rows"] == .int(min(tile, n - i * tile)) && x.args["cols"] == .int(1))
            for (id, inputs) in [("Cx", pairs("C", i, "x")), ("Bx", pairs("B", i, "x")), ("ABx", pairs("A", i, "Bx"))] {
                let task = try #require(graph["\(id)[\(i)]"])
                #expect(task.op == "gemv" && task.inputs == inputs && task.args.isEmpty, "\(id)[\(i)]")
            }
            #expect(graph["Cx-ABx[\(i)]"]?.op == "sub" && graph["Cx-ABx[\(i)]"]?.inputs == ["Cx[\(i)]", "ABx[\(i)]"])
        }
        #expect(graph["nrm2(Cx-ABx)"]?.inputs == (0..<t).map { "Cx-ABx[\($0)]" })
        #expect(graph["nrm2(x)"]?.inputs == (0..<t).map { "x[\($0)]" })
        for name in ["A", "B"] {
            let norm = try #require(graph["norm(\(name))"])
            #expect(norm.op == "norm" && norm.args.isEmpty)
            #expect(norm.inputs == (0..<t).flatMap { i in (0..<t).map { j in "\(name)[\(i)][\(j)]" } })
        }
        let check = try #require(graph["check"])
        #expect(check.inputs == ["nrm2(Cx-ABx)", "norm(A)", "norm(B)", "nrm2(x)"])
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
        #expect(graph["check"]?.inputs == ["nrm2(Ax-LLtx)", "norm(A)", "nrm2(x)"])
        #expect(graph.tasks.last?.id == "check")
    }

    //   Acheck[i][j] (j ≤ i): spd tiles equal to A[i][j], for the check alone
    //   Ax[i]   = Σ_{j≤i} Acheck[i][j]·x[j] + Σ_{j>i} Acheck[j][i]ᵀ·x[j]
    //   Ltx[j]  = Σ_{i≥j} L[i][j]ᵀ·x[i],  LLtx[i] = Σ_{j≤i} L[i][j]·Ltx[j]
    //   norm(A) over the Acheck tiles, diagonal first, the others weighted 2
    @Test("cholesky: the check multiplies tiles by blocks of x, with its own spd tiles and the upper ones transposed",
          arguments: sizes)
    func choleskyCheck(n: Int, tile: Int, t: Int) throws {
        let graph = try TiledGraph(.cholesky, Self.options(n, tile))
        for i in 0..<t {
            for j in 0...i {
                let copy = try #require(graph["Acheck[\(i)][\(j)]"]), a = try #require(graph["A[\(i)][\(j)]"])
                #expect(copy.op == "spd" && copy.inputs.isEmpty && copy.args == a.args, "the check's tile (\(i), \(j)) is A's")
            }
            let x = try #require(graph["x[\(i)]"])
            #expect(x.op == "random" && x.args["rows"] == .int(min(tile, n - i * tile)) && x.args["dist"] == .string("normal"))
            let ax = try #require(graph["Ax[\(i)]"])
            #expect(ax.op == "gemv")
            #expect(ax.inputs == (0..<t).flatMap { j in [j <= i ? "Acheck[\(i)][\(j)]" : "Acheck[\(j)][\(i)]", "x[\(j)]"] })
            let trans = (0..<t).map { ArgValue.bool($0 > i) }
            #expect(ax.args == (i == t - 1 ? [:] : ["trans": .list(trans)]), "Ax[\(i)]: the tiles above the diagonal transposed")
            let ltx = try #require(graph["Ltx[\(i)]"])
            #expect(ltx.op == "gemv" && ltx.args == ["trans": .bool(true)])
            #expect(ltx.inputs == (i..<t).flatMap { k in ["L[\(k)][\(i)]", "x[\(k)]"] })
            let lltx = try #require(graph["LLtx[\(i)]"])
            #expect(lltx.op == "gemv" && lltx.args.isEmpty && lltx.inputs == (0...i).flatMap { j in ["L[\(i)][\(j)]", "Ltx[\(j)]"] })
            #expect(graph["Ax-LLtx[\(i)]"]?.op == "sub" && graph["Ax-LLtx[\(i)]"]?.inputs == ["Ax[\(i)]", "LLtx[\(i)]"])
        }
        let norm = try #require(graph["norm(A)"])
        let diagonal = (0..<t).map { "Acheck[\($0)][\($0)]" }
        let below = (0..<t).flatMap { i in (0..<i).map { j in "Acheck[\(i)][\(j)]" } }
        #expect(norm.op == "norm" && norm.inputs == diagonal + below)
        let weights = diagonal.map { _ in ArgValue.double(1) } + below.map { _ in ArgValue.double(2) }
        #expect(norm.args == (t == 1 ? [:] : ["weights": .list(weights)]))
        #expect(graph["nrm2(Ax-LLtx)"]?.inputs == (0..<t).map { "Ax-LLtx[\($0)]" })
        #expect(graph["nrm2(x)"]?.inputs == (0..<t).map { "x[\($0)]" })
        // The factorisation's tiles keep their single reader, so that their updates run in place.
        for task in graph.tasks where task.id.hasPrefix("A[") {
            let readers = graph.tasks.filter { $0.inputs.contains(task.id) }
            #expect(readers.count == 1, "\(task.id) is read by \(readers.map(\.id))")
            #expect(readers.allSatisfy { !graph.isCheck($0.id) }, "\(task.id)")
        }
    }

    //   step k:  LU[k][k] = getrf(A[k][k] at step k, pivot false)
    //            U[k][j] = trsm(LU[k][k], A[k][j] at step k)      left, lower, unit     j > k
    //            L[i][k] = trsm(LU[k][k], A[i][k] at step k)      right, upper          i > k
    //            A[i][j]+k = gemm(L[i][k], U[k][j], A[i][j] at step k)               i, j > k
    @Test("lu: getrf, trsm and gemm read the right tiles of the right step", arguments: sizes)
    func luSteps(n: Int, tile: Int, t: Int) throws {
        let graph = try TiledGraph(.lu, Self.options(n, tile))
        func before(_ i: Int, _ j: Int, step k: Int) -> String { k == 0 ? "A[\(i)][\(j)]" : "A[\(i)][\(j)]+\(k - 1)" }
        let seed = try #require(graph["A[0][0]"]?.args["seed"])
        for i in 0..<t {
            for j in 0..<t {
                let a = try #require(graph["A[\(i)][\(j)]"])
                #expect(a.op == "diagdom" && a.inputs.isEmpty && a.args["seed"] == seed, "one matrix")
                #expect(a.args["row"] == .int(i * tile) && a.args["col"] == .int(j * tile))
                #expect(a.args["rows"] == .int(min(tile, n - i * tile)) && a.args["cols"] == .int(min(tile, n - j * tile)))
                #expect(a.args["n"] == .int(n))
            }
        }
        for k in 0..<t {
            let getrf = try #require(graph["LU[\(k)][\(k)]"])
            #expect(getrf.op == "getrf" && getrf.inputs == [before(k, k, step: k)] && getrf.args == ["pivot": .bool(false)])
            for j in (k + 1)..<t {
                let u = try #require(graph["U[\(k)][\(j)]"])
                #expect(u.op == "trsm" && u.inputs == ["LU[\(k)][\(k)]", before(k, j, step: k)])
                #expect(u.args == ["side": .string("left"), "lower": .bool(true), "unit": .bool(true)])
                let l = try #require(graph["L[\(j)][\(k)]"])
                #expect(l.op == "trsm" && l.inputs == ["LU[\(k)][\(k)]", before(j, k, step: k)])
                #expect(l.args == ["side": .string("right"), "lower": .bool(false)])
            }
            for i in (k + 1)..<t {
                for j in (k + 1)..<t {
                    let update = try #require(graph["A[\(i)][\(j)]+\(k)"])
                    #expect(update.op == "gemm" && update.inputs == ["L[\(i)][\(k)]", "U[\(k)][\(j)]", before(i, j, step: k)])
                    #expect(update.args == ["alpha": .double(-1), "beta": .double(1)])
                }
            }
        }
        // Tile (i, j) is updated at the steps before min(i, j) and no further; the only
        // tiles are these, L below the diagonal, U above it, LU on it.
        let updates = graph.tasks.filter { $0.id.hasPrefix("A[") && $0.id.contains("+") }
        #expect(updates.count == (0..<t).reduce(0) { $0 + (t - 1 - $1) * (t - 1 - $1) })
        for u in updates {
            let parts = u.id.split(whereSeparator: { "[]+".contains($0) }).compactMap { Int($0) }
            #expect(parts.count == 3 && parts[2] < min(parts[0], parts[1]), "\(u.id)")
        }
        #expect(graph["check"]?.inputs == ["nrm2(Ax-LUx)", "norm(A)", "nrm2(x)"])
        #expect(graph.tasks.last?.id == "check")
    }

    //   Acheck[i][j]: diagdom tiles equal to A[i][j], for the check alone
    //   Ax[i]  = Σ_j Acheck[i][j]·x[j]
    //   Ux[i]  = upper(LU[i][i])·x[i] + Σ_{j>i} U[i][j]·x[j]
    //   LUx[i] = Σ_{j<i} L[i][j]·Ux[j] + lower-unit(LU[i][i])·Ux[i]
    @Test("lu: the check multiplies tiles by blocks of x, with its own diagdom tiles and the triangles of the packed tiles",
          arguments: sizes)
    func luCheck(n: Int, tile: Int, t: Int) throws {
        let graph = try TiledGraph(.lu, Self.options(n, tile))
        for i in 0..<t {
            for j in 0..<t {
                let copy = try #require(graph["Acheck[\(i)][\(j)]"]), a = try #require(graph["A[\(i)][\(j)]"])
                #expect(copy.op == "diagdom" && copy.inputs.isEmpty && copy.args == a.args, "the check's tile (\(i), \(j)) is A's")
            }
            let x = try #require(graph["x[\(i)]"])
            #expect(x.op == "random" && x.args["rows"] == .int(min(tile, n - i * tile)) && x.args["dist"] == .string("normal"))
            let ax = try #require(graph["Ax[\(i)]"])
            #expect(ax.op == "gemv" && ax.args.isEmpty && ax.inputs == (0..<t).flatMap { j in ["Acheck[\(i)][\(j)]", "x[\(j)]"] })
            let ux = try #require(graph["Ux[\(i)]"])
            #expect(ux.op == "gemv")
            #expect(ux.inputs == (i..<t).flatMap { j in [j == i ? "LU[\(i)][\(i)]" : "U[\(i)][\(j)]", "x[\(j)]"] })
            #expect(ux.args == ["triangle": .list((i..<t).map { .string($0 == i ? "upper" : "full") })])
            let lux = try #require(graph["LUx[\(i)]"])
            #expect(lux.op == "gemv")
            #expect(lux.inputs == (0...i).flatMap { j in [j == i ? "LU[\(i)][\(i)]" : "L[\(i)][\(j)]", "Ux[\(j)]"] })
            #expect(lux.args == ["triangle": .list((0...i).map { .string($0 == i ? "lower-unit" : "full") })])
            #expect(graph["Ax-LUx[\(i)]"]?.op == "sub" && graph["Ax-LUx[\(i)]"]?.inputs == ["Ax[\(i)]", "LUx[\(i)]"])
        }
        let norm = try #require(graph["norm(A)"])
        #expect(norm.op == "norm" && norm.args.isEmpty && norm.inputs == (0..<t).flatMap { i in (0..<t).map { j in "Acheck[\(i)][\(j)]" } })
        #expect(graph["nrm2(Ax-LUx)"]?.inputs == (0..<t).map { "Ax-LUx[\($0)]" })
        #expect(graph["nrm2(x)"]?.inputs == (0..<t).map { "x[\($0)]" })
        let check = try #require(graph["check"])
        #expect(check.args["what"] == .string("residual ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖)"))
        // The factorisation's tiles keep their single reader, so that their updates run in place.
        for task in graph.tasks where task.id.hasPrefix("A[") {
            let readers = graph.tasks.filter { $0.inputs.contains(task.id) }
            #expect(readers.count == 1, "\(task.id) is read by \(readers.map(\.id))")
            #expect(readers.allSatisfy { !graph.isCheck($0.id) }, "\(task.id)")
        }
        let consumed = Set(graph.tasks.flatMap(\.inputs))
        #expect(graph.tasks.filter { !consumed.contains($0.id) }.map(\.id) == ["check"], "the check is the only sink")
    }

    @Test("no task of the generated graphs builds an n x n matrix: the largest results are tiles",
          arguments: TiledAlgorithm.allCases)
    func noWholeMatrix(algorithm: TiledAlgorithm) throws {
        let (n, tile) = (1024, 256)
        let graph = try TiledGraph(algorithm, Self.options(n, tile))
        var largest = 0
        for task in graph.tasks {
            let shape = graph.graph.shape(of: task.index)
            #expect(shape != .unknown, "\(task.id): every shape is declared")
            if case .matrix(let rows, let cols) = shape {
                #expect(rows < n && cols < n, "\(task.id) is \(rows)x\(cols)")
                largest = max(largest, rows * cols)
            }
        }
        #expect(largest == tile * tile)
        #expect(graph.tasks.filter { graph.isCheck($0.id) }.allSatisfy { graph.graph.shape(of: $0.index).elementCount <= tile * tile })
    }

    @Test("ids follow the family pattern: NAME[i][j] tiles, +k for a step, NAME[i] blocks and plain names for the check",
          arguments: TiledAlgorithm.allCases)
    func idPatterns(algorithm: TiledAlgorithm) throws {
        let graph = try TiledGraph(algorithm, Self.options(40, 16))
        let t = 3
        let families: Set<String> = switch algorithm {
        case .matmul: ["A", "B", "C"]
        case .cholesky: ["A", "L"]
        case .lu: ["A", "L", "U", "LU"]
        }
        func blocks(_ names: String...) -> [String] { names.flatMap { name in (0..<t).map { "\(name)[\($0)]" } } }
        let check = switch algorithm {
        case .matmul: blocks("x", "Cx", "Bx", "ABx", "Cx-ABx") + ["nrm2(Cx-ABx)", "norm(A)", "norm(B)", "nrm2(x)", "check"]
        case .cholesky:
            (0..<t).flatMap { i in (0...i).map { j in "Acheck[\(i)][\(j)]" } } + blocks("x", "Ax", "Ltx", "LLtx", "Ax-LLtx")
                + ["nrm2(Ax-LLtx)", "norm(A)", "nrm2(x)", "check"]
        case .lu:
            (0..<t).flatMap { i in (0..<t).map { j in "Acheck[\(i)][\(j)]" } } + blocks("x", "Ax", "Ux", "LUx", "Ax-LUx")
                + ["nrm2(Ax-LUx)", "norm(A)", "nrm2(x)", "check"]
        }
        let tiles = graph.tasks.prefix(graph.tasks.count - check.count)
        for task in tiles {
            let match = task.id.wholeMatch(of: /([A-Z]+)\[\d+\]\[\d+\](\+\d+)?/)
            #expect(match.map { families.contains(String($0.output.1)) } == true, "\(task.id)")
            #expect(!graph.isCheck(task.id))
        }
        #expect(graph.tasks.suffix(check.count).map(\.id) == check)
        #expect(graph.tasks.suffix(check.count).allSatisfy { graph.isCheck($0.id) })
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
                case (.int, .int), (.number, .double), (.bool, .bool), (.string, .string), (.flags, .bool): true
                case (.flags, .list(let items)): items.allSatisfy { if case .bool = $0 { true } else { false } }
                case (.numberList, .list(let items)): items.allSatisfy { if case .double = $0 { true } else { false } }
                case (.stringList, .list(let items)): items.allSatisfy { if case .string = $0 { true } else { false } }
                default: false
                }
                #expect(matches, "\(task.id): \(name) is \(value), not \(type.withArticle)")
            }
            #expect(SpecCatalogue.inputs[task.op]?.allows(task.inputs.count) == true, "\(task.id): \(task.inputs.count) inputs")
        }
        let x = try #require(graph["x[3]"])
        #expect(x.args["dist"] == .string("normal") && x.args["cols"] == .int(1) && x.args["rows"] == .int(2))
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
        let block = algorithm == .lu ? "diagdom" : "spd"
        if algorithm == .matmul {
            #expect(Set(seeds(a, "random")).count == 2 * 25 + 5, "A and B tiles and the blocks of x all differ")
        } else {
            #expect(Set(seeds(a, block)).count == 1, "the \(block) tiles, the check's too, are blocks of one matrix")
            #expect(Set(seeds(a, "random")).count == 5, "the blocks of x differ")
            #expect(Set(seeds(a, "random")).isDisjoint(with: seeds(a, block)))
        }
        #expect(Set(seeds(a, "random") + seeds(a, block)).isDisjoint(with: seeds(b, "random") + seeds(b, block)))
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
        let t = Self.options(n, tile).tilesPerSide
        let a = try evaluator.assembled("A", t), b = try evaluator.assembled("B", t), c = try evaluator.assembled("C", t)
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
        let t = Self.options(n, tile).tilesPerSide
        let a = try evaluator.assembled("Acheck", t, symmetric: true), l = try evaluator.assembled("L", t, lower: true)
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

    @Test("lu computes L·U = A, L unit lower and U upper from the packed tiles, and its check passes",
          arguments: [(24, 8), (30, 8), (9, 9), (5, 1), (10, 4)])
    func luComputesTheFactors(n: Int, tile: Int) throws {
        let graph = try TiledGraph(.lu, Self.options(n, tile))
        var evaluator = ReferenceEvaluator()
        try evaluator.run(graph.graph)
        let t = Self.options(n, tile).tilesPerSide
        let a = try evaluator.assembled("Acheck", t)
        // L: the L tiles below the diagonal, the packed tiles' multipliers and ones on it; U: the rest.
        var l = ReferenceEvaluator.Mat(n, n), u = ReferenceEvaluator.Mat(n, n)
        for i in 0..<t {
            for j in 0..<t {
                let name = i == j ? "LU[\(i)][\(i)]" : i > j ? "L[\(i)][\(j)]" : "U[\(i)][\(j)]"
                let block = try #require(evaluator.matrix(name), "\(name)")
                for r in 0..<block.rows {
                    for c in 0..<block.cols {
                        let (row, col) = (i * tile + r, j * tile + c)
                        if row > col { l[row, col] = block[r, c] } else { u[row, col] = block[r, c] }
                        if row == col { l[row, col] = 1 }
                    }
                }
            }
        }
        let product = l * u
        for i in 0..<n {
            for j in 0..<n { #expect(abs(product[i, j] - a[i, j]) <= 1e-12 * Double(n), "(L·U)[\(i)][\(j)]") }
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
        // One L tile scaled by 1 + 1e-6 (trsm's alpha scales its result).
        (.cholesky, #""id": "L[1][0]", "op": "trsm", "inputs": ["L[0][0]", "A[1][0]"], "args": {"side": "right", "lower": true, "transA": true}"#,
         #""id": "L[1][0]", "op": "trsm", "inputs": ["L[0][0]", "A[1][0]"], "args": {"side": "right", "lower": true, "transA": true, "alpha": 1.000001}"#),
        // lu: a trailing update added instead of subtracted, a U tile solved with the non-unit
        // diagonal, an L tile with the lower triangle, one L tile scaled by 1 + 1e-6.
        (.lu, #""id": "A[2][1]+0", "op": "gemm", "inputs": ["L[2][0]", "U[0][1]", "A[2][1]"], "args": {"alpha": -1.0, "beta": 1.0}"#,
         #""id": "A[2][1]+0", "op": "gemm", "inputs": ["L[2][0]", "U[0][1]", "A[2][1]"], "args": {"alpha": 1.0, "beta": 1.0}"#),
        (.lu, #""id": "U[1][2]", "op": "trsm", "inputs": ["LU[1][1]", "A[1][2]+0"], "args": {"side": "left", "lower": true, "unit": true}"#,
         #""id": "U[1][2]", "op": "trsm", "inputs": ["LU[1][1]", "A[1][2]+0"], "args": {"side": "left", "lower": true, "unit": false}"#),
        (.lu, #""id": "L[2][1]", "op": "trsm", "inputs": ["LU[1][1]", "A[2][1]+0"], "args": {"side": "right", "lower": false}"#,
         #""id": "L[2][1]", "op": "trsm", "inputs": ["LU[1][1]", "A[2][1]+0"], "args": {"side": "right", "lower": true}"#),
        (.lu, #""id": "L[1][0]", "op": "trsm", "inputs": ["LU[0][0]", "A[1][0]"], "args": {"side": "right", "lower": false}"#,
         #""id": "L[1][0]", "op": "trsm", "inputs": ["LU[0][0]", "A[1][0]"], "args": {"side": "right", "lower": false, "alpha": 1.000001}"#),
        // One C tile's last step scaled by 1 + 1e-6.
        (.matmul, #""id": "C[2][1]", "op": "gemm", "inputs": ["A[2][2]", "B[2][1]", "C[2][1]+1"], "args": {"beta": 1.0}"#,
         #""id": "C[2][1]", "op": "gemm", "inputs": ["A[2][2]", "B[2][1]", "C[2][1]+1"], "args": {"alpha": 1.000001, "beta": 1.000001}"#),
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

    /// The graph of n 3, tile 2, seed 42, tol 1e-10, as text.
    static func small(_ algorithm: TiledAlgorithm) -> String {
        var bytes: [UInt8] = []
        var options = Self.options(3, 2, seed: 42)
        options.tolerance = 1e-10
        GraphGenerator.write(algorithm, options) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a fixed small graph (guards the byte format against drift)")
    func golden() {
        let text = Self.small(.cholesky)
        let seed = "3419864383188818853"
        #expect(text == """
            {"version": 1, "name": "cholesky-3-tile-2", "description": "dagrun gen cholesky --n 3 --tile 2 --seed 42 --tol 1e-10: A = L·Lᵀ, 3 x 3 spd in 2 x 2 tiles of 2 (the last 1 wide), right-looking (potrf, trsm, syrk, gemm); check ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖) tile by tile, tolerance 1e-10", "tasks": [
            {"id": "A[0][0]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 0, "rows": 2, "cols": 2}},
            {"id": "A[1][0]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 0, "rows": 1, "cols": 2}},
            {"id": "A[1][1]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 2, "rows": 1, "cols": 1}},
            {"id": "L[0][0]", "op": "potrf", "inputs": ["A[0][0]"], "args": {"lower": true}},
            {"id": "L[1][0]", "op": "trsm", "inputs": ["L[0][0]", "A[1][0]"], "args": {"side": "right", "lower": true, "transA": true}},
            {"id": "A[1][1]+0", "op": "syrk", "inputs": ["L[1][0]", "A[1][1]"], "args": {"alpha": -1.0, "beta": 1.0}},
            {"id": "L[1][1]", "op": "potrf", "inputs": ["A[1][1]+0"], "args": {"lower": true}},
            {"id": "Acheck[0][0]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 0, "rows": 2, "cols": 2}},
            {"id": "Acheck[1][0]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 0, "rows": 1, "cols": 2}},
            {"id": "Acheck[1][1]", "op": "spd", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 2, "rows": 1, "cols": 1}},
            {"id": "x[0]", "op": "random", "args": {"rows": 2, "cols": 1, "seed": 3419864383188818854, "dist": "normal"}},
            {"id": "x[1]", "op": "random", "args": {"rows": 1, "cols": 1, "seed": 3419864383188818855, "dist": "normal"}},
            {"id": "Ax[0]", "op": "gemv", "inputs": ["Acheck[0][0]", "x[0]", "Acheck[1][0]", "x[1]"], "args": {"trans": [false, true]}},
            {"id": "Ax[1]", "op": "gemv", "inputs": ["Acheck[1][0]", "x[0]", "Acheck[1][1]", "x[1]"]},
            {"id": "Ltx[0]", "op": "gemv", "inputs": ["L[0][0]", "x[0]", "L[1][0]", "x[1]"], "args": {"trans": true}},
            {"id": "Ltx[1]", "op": "gemv", "inputs": ["L[1][1]", "x[1]"], "args": {"trans": true}},
            {"id": "LLtx[0]", "op": "gemv", "inputs": ["L[0][0]", "Ltx[0]"]},
            {"id": "LLtx[1]", "op": "gemv", "inputs": ["L[1][0]", "Ltx[0]", "L[1][1]", "Ltx[1]"]},
            {"id": "Ax-LLtx[0]", "op": "sub", "inputs": ["Ax[0]", "LLtx[0]"]},
            {"id": "Ax-LLtx[1]", "op": "sub", "inputs": ["Ax[1]", "LLtx[1]"]},
            {"id": "nrm2(Ax-LLtx)", "op": "nrm2", "inputs": ["Ax-LLtx[0]", "Ax-LLtx[1]"]},
            {"id": "norm(A)", "op": "norm", "inputs": ["Acheck[0][0]", "Acheck[1][1]", "Acheck[1][0]"], "args": {"weights": [1.0, 1.0, 2.0]}},
            {"id": "nrm2(x)", "op": "nrm2", "inputs": ["x[0]", "x[1]"]},
            {"id": "check", "op": "check", "inputs": ["nrm2(Ax-LLtx)", "norm(A)", "nrm2(x)"], "args": {"max": 1e-10, "what": "residual ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖)"}}
            ]}

            """)
    }

    @Test("a fixed small lu graph: the triangles of the packed tiles in the check's gemv")
    func goldenLU() {
        let seed = "3419864383188818853"
        #expect(Self.small(.lu) == """
            {"version": 1, "name": "lu-3-tile-2", "description": "dagrun gen lu --n 3 --tile 2 --seed 42 --tol 1e-10: A = L·U without pivoting, 3 x 3 diagonally dominant in 2 x 2 tiles of 2 (the last 1 wide), right-looking (getrf, trsm, gemm); check ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖) tile by tile, tolerance 1e-10", "tasks": [
            {"id": "A[0][0]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 0, "rows": 2, "cols": 2}},
            {"id": "A[0][1]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 2, "rows": 2, "cols": 1}},
            {"id": "A[1][0]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 0, "rows": 1, "cols": 2}},
            {"id": "A[1][1]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 2, "rows": 1, "cols": 1}},
            {"id": "LU[0][0]", "op": "getrf", "inputs": ["A[0][0]"], "args": {"pivot": false}},
            {"id": "U[0][1]", "op": "trsm", "inputs": ["LU[0][0]", "A[0][1]"], "args": {"side": "left", "lower": true, "unit": true}},
            {"id": "L[1][0]", "op": "trsm", "inputs": ["LU[0][0]", "A[1][0]"], "args": {"side": "right", "lower": false}},
            {"id": "A[1][1]+0", "op": "gemm", "inputs": ["L[1][0]", "U[0][1]", "A[1][1]"], "args": {"alpha": -1.0, "beta": 1.0}},
            {"id": "LU[1][1]", "op": "getrf", "inputs": ["A[1][1]+0"], "args": {"pivot": false}},
            {"id": "Acheck[0][0]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 0, "rows": 2, "cols": 2}},
            {"id": "Acheck[0][1]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 0, "col": 2, "rows": 2, "cols": 1}},
            {"id": "Acheck[1][0]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 0, "rows": 1, "cols": 2}},
            {"id": "Acheck[1][1]", "op": "diagdom", "args": {"n": 3, "seed": \(seed), "row": 2, "col": 2, "rows": 1, "cols": 1}},
            {"id": "x[0]", "op": "random", "args": {"rows": 2, "cols": 1, "seed": 3419864383188818854, "dist": "normal"}},
            {"id": "x[1]", "op": "random", "args": {"rows": 1, "cols": 1, "seed": 3419864383188818855, "dist": "normal"}},
            {"id": "Ax[0]", "op": "gemv", "inputs": ["Acheck[0][0]", "x[0]", "Acheck[0][1]", "x[1]"]},
            {"id": "Ax[1]", "op": "gemv", "inputs": ["Acheck[1][0]", "x[0]", "Acheck[1][1]", "x[1]"]},
            {"id": "Ux[0]", "op": "gemv", "inputs": ["LU[0][0]", "x[0]", "U[0][1]", "x[1]"], "args": {"triangle": ["upper", "full"]}},
            {"id": "Ux[1]", "op": "gemv", "inputs": ["LU[1][1]", "x[1]"], "args": {"triangle": ["upper"]}},
            {"id": "LUx[0]", "op": "gemv", "inputs": ["LU[0][0]", "Ux[0]"], "args": {"triangle": ["lower-unit"]}},
            {"id": "LUx[1]", "op": "gemv", "inputs": ["L[1][0]", "Ux[0]", "LU[1][1]", "Ux[1]"], "args": {"triangle": ["full", "lower-unit"]}},
            {"id": "Ax-LUx[0]", "op": "sub", "inputs": ["Ax[0]", "LUx[0]"]},
            {"id": "Ax-LUx[1]", "op": "sub", "inputs": ["Ax[1]", "LUx[1]"]},
            {"id": "nrm2(Ax-LUx)", "op": "nrm2", "inputs": ["Ax-LUx[0]", "Ax-LUx[1]"]},
            {"id": "norm(A)", "op": "norm", "inputs": ["Acheck[0][0]", "Acheck[0][1]", "Acheck[1][0]", "Acheck[1][1]"]},
            {"id": "nrm2(x)", "op": "nrm2", "inputs": ["x[0]", "x[1]"]},
            {"id": "check", "op": "check", "inputs": ["nrm2(Ax-LUx)", "norm(A)", "nrm2(x)"], "args": {"max": 1e-10, "what": "residual ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖)"}}
            ]}

            """)
    }
}
