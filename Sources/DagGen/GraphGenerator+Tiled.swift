extension GraphGenerator {
    /// Writes the tiled graph to `sink` in chunks of about 1 MiB, like the shapes: a
    /// header line (`version`, `name`, a `description` starting with the `dagrun gen`
    /// command that writes it, `"tasks": [`), one task per line in an order where
    /// every input comes first, then `]}`. The bytes depend only on the algorithm and
    /// the options. The ops and arguments are those of dagrun's linear-algebra op
    /// vocabulary; ``TiledAlgorithm`` lists the task ids.
    ///
    /// - Precondition: `options.validate(for: algorithm)` does not throw.
    /// - Complexity: O(tasks + edges) time; memory O(1) in the graph's size.
    public static func write(_ algorithm: TiledAlgorithm, _ options: TiledOptions,
                             to sink: (UnsafeRawBufferPointer) -> Void) {
        do {
            try options.validate(for: algorithm)
        } catch {
            preconditionFailure("GraphGenerator.write: \(error) (call TiledOptions.validate(for:) first)")
        }
        withoutActuallyEscaping(sink) { sink in
            var out = ChunkWriter(sink: sink)
            out.append("{\"version\": 1, \"name\": \"")
            out.append(string: "\(algorithm.rawValue)-\(options.n)-tile-\(options.tile)")
            out.append("\", \"description\": \"")
            out.append(string: description(algorithm, options))
            out.append("\", \"tasks\": [\n")
            var tasks = NamedTaskWriter(out: out)
            visit(algorithm, options, into: &tasks)
            tasks.out.append("\n]}\n")
            tasks.out.flush()
        }
    }

    /// The number of tasks `write` writes, with T = ``TiledOptions/tilesPerSide``:
    /// - matmul: 2T² `random` + T³ `gemm` + 5T + 5 for the check (T `random` blocks of x,
    ///   3T `gemv` and T `sub` blocks, then `nrm2`, `norm`, `norm`, `nrm2`, `check`);
    /// - cholesky: T(T+1)/2 `spd` + T `potrf` + T(T−1)/2 `trsm` + T(T−1)/2 `syrk`
    ///   + T(T−1)(T−2)/6 `gemm` + T(T+1)/2 + 5T + 4 for the check (its own T(T+1)/2 `spd`
    ///   tiles, T `random` blocks of x, 3T `gemv` and T `sub` blocks, then `nrm2`, `norm`,
    ///   `nrm2`, `check`);
    /// - lu: T² `diagdom` + T `getrf` + T(T−1) `trsm` + (T−1)T(2T−1)/6 `gemm` + T² + 5T + 4
    ///   for the check (its own T² `diagdom` tiles, T `random` blocks of x, 3T `gemv` and
    ///   T `sub` blocks, then `nrm2`, `norm`, `nrm2`, `check`).
    ///
    /// - Complexity: O(1).
    public static func taskCount(_ algorithm: TiledAlgorithm, _ options: TiledOptions) -> Int {
        let t = options.tilesPerSide
        switch algorithm {
        case .matmul: return 2 * t * t + t * t * t + 5 * t + 5
        case .cholesky: return t * (t + 1) / 2 + t + t * (t - 1) + t * (t - 1) * (t - 2) / 6 + t * (t + 1) / 2 + 5 * t + 4
        case .lu: return t * t + t + t * (t - 1) + (t - 1) * t * (2 * t - 1) / 6 + t * t + 5 * t + 4
        }
    }

    /// ``taskCount(_:_:)`` in floating point, safe from overflow, for validation.
    static func approximateTaskCount(_ algorithm: TiledAlgorithm, tilesPerSide: Int) -> Double {
        let t = Double(tilesPerSide)
        switch algorithm {
        case .matmul: return 2 * t * t + t * t * t + 5 * t + 5
        case .cholesky: return t * (t + 1) / 2 + t + t * (t - 1) + t * (t - 1) * (t - 2) / 6 + t * (t + 1) / 2 + 5 * t + 4
        case .lu: return t * t + t + t * (t - 1) + (t - 1) * t * (2 * t - 1) / 6 + t * t + 5 * t + 4
        }
    }

    /// The number of edges (input references) `write` writes.
    ///
    /// - Complexity: O(tasks + edges): it walks the graph without writing it.
    public static func edgeCount(_ algorithm: TiledAlgorithm, _ options: TiledOptions) -> Int {
        var counter = NamedTaskCounter()
        visit(algorithm, options, into: &counter)
        return counter.edges
    }

    /// The `dagrun gen` command that writes this graph, then what the graph computes.
    static func description(_ algorithm: TiledAlgorithm, _ options: TiledOptions) -> String {
        var command = "dagrun gen \(algorithm.rawValue) --n \(options.n) --tile \(options.tile) --seed \(options.seed)"
        if let tolerance = options.tolerance { command += " --tol \(tolerance)" }
        let t = options.tilesPerSide
        var tiles = "\(t) x \(t) tiles of \(options.tile)"
        if options.n % options.tile != 0 { tiles += " (the last \(options.n % options.tile) wide)" }
        let size = "\(options.n) x \(options.n)"
        let tol = "tolerance \(options.effectiveTolerance)"
        switch algorithm {
        case .matmul:
            return "\(command): C = A·B, \(size) in \(tiles), \(t * t * t) gemm tasks; "
                + "Freivalds check ‖C·x − A·(B·x)‖ / (‖A‖·‖B‖·‖x‖) tile by tile, \(tol)"
        case .cholesky:
            return "\(command): A = L·Lᵀ, \(size) spd in \(tiles), right-looking (potrf, trsm, syrk, gemm); "
                + "check ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖) tile by tile, \(tol)"
        case .lu:
            return "\(command): A = L·U without pivoting, \(size) diagonally dominant in \(tiles), right-looking (getrf, trsm, gemm); "
                + "check ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖) tile by tile, \(tol)"
        }
    }

    static func visit(_ algorithm: TiledAlgorithm, _ options: TiledOptions,
                      into visitor: inout some NamedTaskVisitor & ~Copyable) {
        switch algorithm {
        case .matmul: matmul(options, into: &visitor)
        case .cholesky: cholesky(options, into: &visitor)
        case .lu: lu(options, into: &visitor)
        }
    }

    /// Tile (i, j) of A as it stands before step k of a factorisation: the generated
    /// tile, or the update of step k − 1.
    private static func current(_ i: Int, _ j: Int, before k: Int) -> TaskName {
        k == 0 ? TaskName("A", i, j) : TaskName("A", i, j, step: k - 1)
    }

    /// The rows of tile row `i` (and the columns of tile column `i`).
    private static func side(_ i: Int, _ options: TiledOptions) -> Int {
        min(options.tile, options.n - i * options.tile)
    }

    /// The tile ids `name[i][j]` of a t x t grid, row-major; only j ≤ i when `lower`.
    private static func grid(_ name: StaticString, _ t: Int, lower: Bool = false) -> some Sequence<TaskName> {
        (0..<t).lazy.flatMap { i in (0..<(lower ? i + 1 : t)).lazy.map { j in TaskName(name, i, j) } }
    }

    /// The tiles `name[i][j]` (only j ≤ i when `lower`) of one seeded n x n matrix made
    /// by `op` (`spd`, `diagdom`): blocks at (i·tile, j·tile) of the matrix of `matrixSeed(0)`.
    private static func seededTiles(_ name: StaticString, _ op: StaticString, lower: Bool, _ options: TiledOptions,
                                    into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        let seed = options.matrixSeed(0)
        for i in 0..<t {
            for j in 0..<(lower ? i + 1 : t) {
                v.task(TaskName(name, i, j), op, args: [
                    "n": .int(options.n), "seed": .int(seed), "row": .int(i * options.tile), "col": .int(j * options.tile),
                    "rows": .int(side(i, options)), "cols": .int(side(j, options)),
                ])
            }
        }
    }

    /// The blocks `x[j]` of the check's random normal x, seeds `matrixSeed(first + j)`.
    private static func checkVector(first: Int, _ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        for j in 0..<options.tilesPerSide {
            v.task(TaskName("x", j), "random", args: [
                "rows": .int(side(j, options)), "cols": .int(1), "seed": .int(options.matrixSeed(first + j)),
                "dist": .text("normal"),
            ])
        }
    }

    //   A[i][k]  B[k][j]
    //        \   /
    //   C[i][j]+0 -> C[i][j]+1 -> ... -> C[i][j]      (gemm over k = 0 ..< T, beta 1 after the first)
    //
    //   then the check, tile by tile (matmulCheck): x[j] -> Cx[i], Bx[k] -> ABx[i] -> Cx-ABx[i] -> nrm2 -> check
    static func matmul(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        for (name, first) in [("A" as StaticString, 0), ("B", t * t)] {
            for i in 0..<t {
                for j in 0..<t {
                    v.task(TaskName(name, i, j), "random", args: [
                        "rows": .int(side(i, options)), "cols": .int(side(j, options)),
                        "seed": .int(options.matrixSeed(first + i * t + j)),
                    ])
                }
            }
        }
        for i in 0..<t {
            for j in 0..<t {
                for k in 0..<t {
                    let id = k == t - 1 ? TaskName("C", i, j) : TaskName("C", i, j, step: k)
                    if k == 0 {
                        v.task(id, "gemm", inputs: [TaskName("A", i, 0), TaskName("B", 0, j)])
                    } else {
                        v.task(id, "gemm", inputs: [TaskName("A", i, k), TaskName("B", k, j), TaskName("C", i, j, step: k - 1)],
                               args: ["beta": .number(1)])
                    }
                }
            }
        }
        matmulCheck(options, into: &v)
    }

    //   x[j] (random normal, one block per tile column)
    //   Cx[i]  = C[i][0]·x[0] + ... + C[i][T−1]·x[T−1]         gemv over T pairs
    //   Bx[k]  = B[k][0]·x[0] + ... + B[k][T−1]·x[T−1]         gemv over T pairs
    //   ABx[i] = A[i][0]·Bx[0] + ... + A[i][T−1]·Bx[T−1]       gemv over T pairs
    //   Cx[i], ABx[i] -> Cx-ABx[i] (sub) -> nrm2(Cx-ABx) over the T blocks
    //   -> check (with norm(A), norm(B) over their T² tiles and nrm2(x) over its T blocks)
    //
    // No task builds an n x n matrix: the largest results are tiles and tile-long blocks.
    static func matmulCheck(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        checkVector(first: 2 * t * t, options, into: &v)
        /// The pairs M[i][0], v[0], M[i][1], v[1], ... of one block of a product.
        func row(_ m: StaticString, _ i: Int, _ vector: StaticString) -> some Sequence<TaskName> {
            (0..<t).lazy.flatMap { j in [TaskName(m, i, j), TaskName(vector, j)] }
        }
        for i in 0..<t { v.task(TaskName("Cx", i), "gemv", inputs: row("C", i, "x")) }
        for k in 0..<t { v.task(TaskName("Bx", k), "gemv", inputs: row("B", k, "x")) }
        for i in 0..<t { v.task(TaskName("ABx", i), "gemv", inputs: row("A", i, "Bx")) }
        for i in 0..<t { v.task(TaskName("Cx-ABx", i), "sub", inputs: [TaskName("Cx", i), TaskName("ABx", i)]) }
        v.task(TaskName("nrm2(Cx-ABx)"), "nrm2", inputs: (0..<t).lazy.map { TaskName("Cx-ABx", $0) })
        v.task(TaskName("norm(A)"), "norm", inputs: grid("A", t))
        v.task(TaskName("norm(B)"), "norm", inputs: grid("B", t))
        v.task(TaskName("nrm2(x)"), "nrm2", inputs: (0..<t).lazy.map { TaskName("x", $0) })
        v.task(TaskName("check"), "check",
               inputs: [TaskName("nrm2(Cx-ABx)"), TaskName("norm(A)"), TaskName("norm(B)"), TaskName("nrm2(x)")],
               args: ["max": .number(options.effectiveTolerance), "what": .text("residual ‖C·x − A·(B·x)‖ / (‖A‖·‖B‖·‖x‖)")])
    }

    //   step k:  A[k][k] (or A[k][k]+(k-1)) -> L[k][k]                       potrf
    //            L[k][k], A[i][k]+(k-1) -> L[i][k]              (i > k)      trsm, X·L[k][k]ᵀ = A[i][k]
    //            L[i][k], A[i][i]+(k-1) -> A[i][i]+k            (i > k)      syrk, − L[i][k]·L[i][k]ᵀ
    //            L[i][k], L[j][k], A[i][j]+(k-1) -> A[i][j]+k   (i > j > k)  gemm, − L[i][k]·L[j][k]ᵀ
    //   (at k = 0 the inputs are the spd tiles A[i][j] themselves)
    //
    //   then the check, tile by tile (choleskyCheck): Acheck[i][j], x[j] -> Ax[i]; L, x[j] -> Ltx[j] -> LLtx[i]
    //   -> Ax-LLtx[i] -> nrm2 -> check
    static func cholesky(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        seededTiles("A", "spd", lower: true, options, into: &v)
        for k in 0..<t {
            v.task(TaskName("L", k, k), "potrf", inputs: [current(k, k, before: k)], args: ["lower": .bool(true)])
            for i in (k + 1)..<t {
                v.task(TaskName("L", i, k), "trsm", inputs: [TaskName("L", k, k), current(i, k, before: k)],
                       args: ["side": .text("right"), "lower": .bool(true), "transA": .bool(true)])
            }
            for i in (k + 1)..<t {
                for j in (k + 1)...i {
                    if i == j {
                        v.task(TaskName("A", i, i, step: k), "syrk", inputs: [TaskName("L", i, k), current(i, i, before: k)],
                               args: ["alpha": .number(-1), "beta": .number(1)])
                    } else {
                        v.task(TaskName("A", i, j, step: k), "gemm",
                               inputs: [TaskName("L", i, k), TaskName("L", j, k), current(i, j, before: k)],
                               args: ["alpha": .number(-1), "beta": .number(1), "transB": .bool(true)])
                    }
                }
            }
        }
        choleskyCheck(options, into: &v)
    }

    //   Acheck[i][j] (j ≤ i): the check's own spd tiles, equal to A[i][j] (same seed and
    //   offsets), since the factorisation updates its tiles in place; A[j][i] = A[i][j]ᵀ.
    //   x[j] (random normal, one block per tile column)
    //   Ax[i]   = Σ_{j≤i} Acheck[i][j]·x[j] + Σ_{j>i} Acheck[j][i]ᵀ·x[j]   gemv over T pairs
    //   Ltx[j]  = Σ_{i≥j} L[i][j]ᵀ·x[i]                                      gemv over T − j pairs
    //   LLtx[i] = Σ_{j≤i} L[i][j]·Ltx[j]                                     gemv over i + 1 pairs
    //   Ax[i], LLtx[i] -> Ax-LLtx[i] (sub) -> nrm2(Ax-LLtx) over the T blocks
    //   -> check (with norm(A) over the Acheck tiles, diagonal ones first, the others
    //      weighted 2, and nrm2(x) over its T blocks)
    //
    // No task builds an n x n matrix, and the factorisation's tiles get no extra reader
    // (each keeps the one that lets its update run in place).
    static func choleskyCheck(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        seededTiles("Acheck", "spd", lower: true, options, into: &v)
        checkVector(first: 1, options, into: &v)
        for i in 0..<t {
            // Row i of A: the lower tiles of row i, then column i's tiles below the diagonal, transposed.
            let pairs = (0..<t).lazy.flatMap { j in [j <= i ? TaskName("Acheck", i, j) : TaskName("Acheck", j, i), TaskName("x", j)] }
            if i == t - 1 {
                v.task(TaskName("Ax", i), "gemv", inputs: pairs)
            } else {
                v.task(TaskName("Ax", i), "gemv", inputs: pairs, args: ["trans": .flags(false, count: i + 1, then: true, thenCount: t - 1 - i)])
            }
        }
        for j in 0..<t {
            v.task(TaskName("Ltx", j), "gemv", inputs: (j..<t).lazy.flatMap { i in [TaskName("L", i, j), TaskName("x", i)] },
                   args: ["trans": .bool(true)])
        }
        for i in 0..<t {
            v.task(TaskName("LLtx", i), "gemv", inputs: (0...i).lazy.flatMap { j in [TaskName("L", i, j), TaskName("Ltx", j)] })
        }
        for i in 0..<t { v.task(TaskName("Ax-LLtx", i), "sub", inputs: [TaskName("Ax", i), TaskName("LLtx", i)]) }
        v.task(TaskName("nrm2(Ax-LLtx)"), "nrm2", inputs: (0..<t).lazy.map { TaskName("Ax-LLtx", $0) })
        let diagonal = (0..<t).lazy.map { TaskName("Acheck", $0, $0) }
        let offDiagonal = (0..<t).lazy.flatMap { i in (0..<i).lazy.map { j in TaskName("Acheck", i, j) } }
        if t == 1 {
            v.task(TaskName("norm(A)"), "norm", inputs: diagonal)
        } else {
            v.task(TaskName("norm(A)"), "norm", inputs: [AnySequence(diagonal), AnySequence(offDiagonal)].joined(),
                   args: ["weights": .numbers(1, count: t, then: 2, thenCount: t * (t - 1) / 2)])
        }
        v.task(TaskName("nrm2(x)"), "nrm2", inputs: (0..<t).lazy.map { TaskName("x", $0) })
        v.task(TaskName("check"), "check", inputs: [TaskName("nrm2(Ax-LLtx)"), TaskName("norm(A)"), TaskName("nrm2(x)")],
               args: ["max": .number(options.effectiveTolerance), "what": .text("residual ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖)")])
    }

    //   step k:  A[k][k] (or A[k][k]+(k-1)) -> LU[k][k]                      getrf, pivot false (L and U packed)
    //            LU[k][k], A[k][j]+(k-1) -> U[k][j]                (j > k)  trsm, L[k][k]·X = A[k][j] (left, lower, unit)
    //            LU[k][k], A[i][k]+(k-1) -> L[i][k]                (i > k)  trsm, X·U[k][k] = A[i][k] (right, upper)
    //            L[i][k], U[k][j], A[i][j]+(k-1) -> A[i][j]+k      (i, j > k)  gemm, − L[i][k]·U[k][j]
    //   (at k = 0 the inputs are the diagdom tiles A[i][j] themselves)
    //
    //   then the check, tile by tile (luCheck): Acheck[i][j], x[j] -> Ax[i]; LU, U, x[j] -> Ux[i];
    //   L, LU, Ux[j] -> LUx[i] -> Ax-LUx[i] -> nrm2 -> check
    static func lu(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        seededTiles("A", "diagdom", lower: false, options, into: &v)
        for k in 0..<t {
            v.task(TaskName("LU", k, k), "getrf", inputs: [current(k, k, before: k)], args: ["pivot": .bool(false)])
            for j in (k + 1)..<t {
                v.task(TaskName("U", k, j), "trsm", inputs: [TaskName("LU", k, k), current(k, j, before: k)],
                       args: ["side": .text("left"), "lower": .bool(true), "unit": .bool(true)])
            }
            for i in (k + 1)..<t {
                v.task(TaskName("L", i, k), "trsm", inputs: [TaskName("LU", k, k), current(i, k, before: k)],
                       args: ["side": .text("right"), "lower": .bool(false)])
            }
            for i in (k + 1)..<t {
                for j in (k + 1)..<t {
                    v.task(TaskName("A", i, j, step: k), "gemm",
                           inputs: [TaskName("L", i, k), TaskName("U", k, j), current(i, j, before: k)],
                           args: ["alpha": .number(-1), "beta": .number(1)])
                }
            }
        }
        luCheck(options, into: &v)
    }

    //   Acheck[i][j]: the check's own diagdom tiles, equal to A[i][j] (same seed and offsets),
    //   since the factorisation updates its tiles in place.
    //   x[j] (random normal, one block per tile column)
    //   Ax[i]  = Σ_j Acheck[i][j]·x[j]                                   gemv over T pairs
    //   Ux[i]  = triu(LU[i][i])·x[i] + Σ_{j>i} U[i][j]·x[j]             gemv over T − i pairs, triangle "upper" first
    //   LUx[i] = Σ_{j<i} L[i][j]·Ux[j] + tril1(LU[i][i])·Ux[i]          gemv over i + 1 pairs, triangle "lower-unit" last
    //   Ax[i], LUx[i] -> Ax-LUx[i] (sub) -> nrm2(Ax-LUx) over the T blocks
    //   -> check (with norm(A) over the Acheck tiles and nrm2(x) over its T blocks)
    //
    // No task builds an n x n matrix, and the factorisation's tiles get no extra reader.
    static func luCheck(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        seededTiles("Acheck", "diagdom", lower: false, options, into: &v)
        checkVector(first: 1, options, into: &v)
        for i in 0..<t {
            v.task(TaskName("Ax", i), "gemv", inputs: (0..<t).lazy.flatMap { j in [TaskName("Acheck", i, j), TaskName("x", j)] })
        }
        for i in 0..<t {
            let pairs = (i..<t).lazy.flatMap { j in [j == i ? TaskName("LU", i, i) : TaskName("U", i, j), TaskName("x", j)] }
            v.task(TaskName("Ux", i), "gemv", inputs: pairs,
                   args: ["triangle": .texts("upper", count: 1, then: "full", thenCount: t - 1 - i)])
        }
        for i in 0..<t {
            let pairs = (0...i).lazy.flatMap { j in [j == i ? TaskName("LU", i, i) : TaskName("L", i, j), TaskName("Ux", j)] }
            v.task(TaskName("LUx", i), "gemv", inputs: pairs,
                   args: ["triangle": .texts("full", count: i, then: "lower-unit", thenCount: 1)])
        }
        for i in 0..<t { v.task(TaskName("Ax-LUx", i), "sub", inputs: [TaskName("Ax", i), TaskName("LUx", i)]) }
        v.task(TaskName("nrm2(Ax-LUx)"), "nrm2", inputs: (0..<t).lazy.map { TaskName("Ax-LUx", $0) })
        v.task(TaskName("norm(A)"), "norm", inputs: grid("Acheck", t))
        v.task(TaskName("nrm2(x)"), "nrm2", inputs: (0..<t).lazy.map { TaskName("x", $0) })
        v.task(TaskName("check"), "check", inputs: [TaskName("nrm2(Ax-LUx)"), TaskName("norm(A)"), TaskName("nrm2(x)")],
               args: ["max": .number(options.effectiveTolerance), "what": .text("residual ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖)")])
    }
}
