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
    /// - matmul: 2T² `random` + T³ `gemm` + 13 for the check;
    /// - cholesky: T(T+1)/2 `spd` + T `potrf` + T(T−1)/2 `trsm` + T(T−1)/2 `syrk`
    ///   + T(T−1)(T−2)/6 `gemm` + 11 for the check.
    ///
    /// - Complexity: O(1).
    public static func taskCount(_ algorithm: TiledAlgorithm, _ options: TiledOptions) -> Int {
        let t = options.tilesPerSide
        switch algorithm {
        case .matmul: return 2 * t * t + t * t * t + matmulCheckTasks
        case .cholesky: return t * (t + 1) / 2 + t + t * (t - 1) + t * (t - 1) * (t - 2) / 6 + choleskyCheckTasks
        }
    }

    /// ``taskCount(_:_:)`` in floating point, safe from overflow, for validation.
    static func approximateTaskCount(_ algorithm: TiledAlgorithm, tilesPerSide: Int) -> Double {
        let t = Double(tilesPerSide)
        switch algorithm {
        case .matmul: return 2 * t * t + t * t * t + Double(matmulCheckTasks)
        case .cholesky: return t * (t + 1) / 2 + t + t * (t - 1) + t * (t - 1) * (t - 2) / 6 + Double(choleskyCheckTasks)
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

    static let matmulCheckTasks = 13
    static let choleskyCheckTasks = 11

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
                + "Freivalds check ‖C·x − A·(B·x)‖ / (‖A‖·‖B‖·‖x‖), \(tol)"
        case .cholesky:
            return "\(command): A = L·Lᵀ, \(size) spd in \(tiles), right-looking (potrf, trsm, syrk, gemm); "
                + "check ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖), \(tol)"
        }
    }

    static func visit(_ algorithm: TiledAlgorithm, _ options: TiledOptions,
                      into visitor: inout some NamedTaskVisitor & ~Copyable) {
        switch algorithm {
        case .matmul: matmul(options, into: &visitor)
        case .cholesky: cholesky(options, into: &visitor)
        }
    }

    /// The rows of tile row `i` (and the columns of tile column `i`).
    private static func side(_ i: Int, _ options: TiledOptions) -> Int {
        min(options.tile, options.n - i * options.tile)
    }

    /// The tile ids `name[i][j]` of a t x t grid, row-major; only j ≤ i when `lower`.
    private static func grid(_ name: StaticString, _ t: Int, lower: Bool = false) -> some Sequence<TaskName> {
        (0..<t).lazy.flatMap { i in (0..<(lower ? i + 1 : t)).lazy.map { j in TaskName(name, i, j) } }
    }

    //   A[i][k]  B[k][j]
    //        \   /
    //   C[i][j]+0 -> C[i][j]+1 -> ... -> C[i][j]      (gemm over k = 0 ..< T, beta 1 after the first)
    //
    //   A, B, C (assembled) and x -> Cx, Bx -> ABx -> Cx-ABx -> nrm2 -> check (with norm(A), norm(B), nrm2(x))
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
        let whole: KeyValuePairs<StaticString, ArgValue> = ["grid_rows": .int(t), "grid_cols": .int(t), "fill": .text("full")]
        v.task(TaskName("x"), "random", args: [
            "rows": .int(options.n), "cols": .int(1), "seed": .int(options.matrixSeed(2 * t * t)), "dist": .text("normal"),
        ])
        v.task(TaskName("A"), "assemble", inputs: grid("A", t), args: whole)
        v.task(TaskName("B"), "assemble", inputs: grid("B", t), args: whole)
        v.task(TaskName("C"), "assemble", inputs: grid("C", t), args: whole)
        v.task(TaskName("Cx"), "gemv", inputs: [TaskName("C"), TaskName("x")])
        v.task(TaskName("Bx"), "gemv", inputs: [TaskName("B"), TaskName("x")])
        v.task(TaskName("ABx"), "gemv", inputs: [TaskName("A"), TaskName("Bx")])
        v.task(TaskName("Cx-ABx"), "sub", inputs: [TaskName("Cx"), TaskName("ABx")])
        v.task(TaskName("nrm2(Cx-ABx)"), "nrm2", inputs: [TaskName("Cx-ABx")])
        v.task(TaskName("norm(A)"), "norm", inputs: [TaskName("A")])
        v.task(TaskName("norm(B)"), "norm", inputs: [TaskName("B")])
        v.task(TaskName("nrm2(x)"), "nrm2", inputs: [TaskName("x")])
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
    //   A (spd, whole), L (assembled lower), x -> Ax, Ltx -> LLtx -> Ax-LLtx -> nrm2 -> check (with norm(A), nrm2(x))
    static func cholesky(_ options: TiledOptions, into v: inout some NamedTaskVisitor & ~Copyable) {
        let t = options.tilesPerSide
        let seed = options.matrixSeed(0)
        for i in 0..<t {
            for j in 0...i {
                v.task(TaskName("A", i, j), "spd", args: [
                    "n": .int(options.n), "seed": .int(seed), "row": .int(i * options.tile), "col": .int(j * options.tile),
                    "rows": .int(side(i, options)), "cols": .int(side(j, options)),
                ])
            }
        }
        /// Tile (i, j) as it stands before step k: the spd tile, or the update of step k − 1.
        func current(_ i: Int, _ j: Int, before k: Int) -> TaskName {
            k == 0 ? TaskName("A", i, j) : TaskName("A", i, j, step: k - 1)
        }
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
        v.task(TaskName("A"), "spd", args: ["n": .int(options.n), "seed": .int(seed)])
        v.task(TaskName("L"), "assemble", inputs: grid("L", t, lower: true),
               args: ["grid_rows": .int(t), "grid_cols": .int(t), "fill": .text("lower")])
        v.task(TaskName("x"), "random", args: [
            "rows": .int(options.n), "cols": .int(1), "seed": .int(options.matrixSeed(1)), "dist": .text("normal"),
        ])
        v.task(TaskName("Ax"), "gemv", inputs: [TaskName("A"), TaskName("x")])
        v.task(TaskName("Ltx"), "gemv", inputs: [TaskName("L"), TaskName("x")], args: ["trans": .bool(true)])
        v.task(TaskName("LLtx"), "gemv", inputs: [TaskName("L"), TaskName("Ltx")])
        v.task(TaskName("Ax-LLtx"), "sub", inputs: [TaskName("Ax"), TaskName("LLtx")])
        v.task(TaskName("nrm2(Ax-LLtx)"), "nrm2", inputs: [TaskName("Ax-LLtx")])
        v.task(TaskName("norm(A)"), "norm", inputs: [TaskName("A")])
        v.task(TaskName("nrm2(x)"), "nrm2", inputs: [TaskName("x")])
        v.task(TaskName("check"), "check", inputs: [TaskName("nrm2(Ax-LLtx)"), TaskName("norm(A)"), TaskName("nrm2(x)")],
               args: ["max": .number(options.effectiveTolerance), "what": .text("residual ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖)")])
    }
}
