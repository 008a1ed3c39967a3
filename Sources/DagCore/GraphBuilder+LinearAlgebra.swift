/// Typed builder methods for the linear-algebra ops (see `LinearAlgebraOps.swift` and the
/// README's op table). Each adds one task and returns its handle.
extension GraphBuilder {
    public mutating func spd(n: Int, seed: Int = 0, row: Int = 0, col: Int = 0, rows: Int? = nil, cols: Int? = nil,
                             id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        seededBlock("spd", n: n, seed: seed, row: row, col: col, rows: rows, cols: cols, id: id, file: file, line: line)
    }

    /// A block of one seeded n x n matrix, strictly diagonally dominant by rows and columns
    /// (`diagdom`): what an LU without pivoting (`getrf(_:pivot: false)`) factors.
    public mutating func diagdom(n: Int, seed: Int = 0, row: Int = 0, col: Int = 0, rows: Int? = nil, cols: Int? = nil,
                                 id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        seededBlock("diagdom", n: n, seed: seed, row: row, col: col, rows: rows, cols: cols, id: id, file: file, line: line)
    }

    /// `spd` or `diagdom`: the block at (row, col) of a seeded n x n matrix.
    private mutating func seededBlock(_ op: String, n: Int, seed: Int, row: Int, col: Int, rows: Int?, cols: Int?,
                                      id: String?, file: String, line: Int) -> TaskHandle {
        var args: [String: ArgValue] = ["n": .int(n), "seed": .int(seed), "row": .int(row), "col": .int(col)]
        if let rows { args["rows"] = .int(rows) }
        if let cols { args["cols"] = .int(cols) }
        return add(op, id: id, args: args, file: file, line: line)
    }

    /// A seeded matrix of standard normal values (`random` with `dist` normal).
    public mutating func randomNormal(rows: Int, cols: Int, seed: Int = 0, id: String? = nil,
                                      file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("random", id: id, args: ["rows": .int(rows), "cols": .int(cols), "seed": .int(seed), "dist": "normal"],
            file: file, line: line)
    }

    public mutating func axpy(_ alpha: Double, _ x: TaskHandle, _ y: TaskHandle, id: String? = nil,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("axpy", id: id, inputs: [x, y], args: ["alpha": .double(alpha)], file: file, line: line)
    }
    public mutating func dot(_ x: TaskHandle, _ y: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("dot", id: id, inputs: [x, y], file: file, line: line)
    }
    public mutating func scal(_ x: TaskHandle, by alpha: Double, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("scal", id: id, inputs: [x], args: ["alpha": .double(alpha)], file: file, line: line)
    }
    public mutating func nrm2(_ x: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("nrm2", id: id, inputs: [x], file: file, line: line)
    }
    /// The norm of several matrices' elements together, √(Σ_k w_k·‖x_k‖²), weights 1 unless given.
    public mutating func nrm2(_ inputs: [TaskHandle], weights: [Double]? = nil, id: String? = nil,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("nrm2", id: id, inputs: inputs, args: weights.map { ["weights": .list($0.map(ArgValue.double))] } ?? [:],
            file: file, line: line)
    }

    public mutating func gemv(_ a: TaskHandle, _ x: TaskHandle, y: TaskHandle? = nil, alpha: Double = 1, beta: Double = 0,
                              trans: Bool = false, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("gemv", id: id, inputs: [a, x] + (y.map { [$0] } ?? []),
            args: ["alpha": .double(alpha), "beta": .double(beta), "trans": .bool(trans)], file: file, line: line)
    }
    /// alpha·(op(M_0)·v_0 + op(M_1)·v_1 + …) for pairs (M_k, v_k): one column; `trans` has one flag per
    /// pair (nil: none transposed).
    /// `triangles` has one word per pair (nil: all "full"): "lower", "upper", "lower-unit" or
    /// "upper-unit" reads only that part of a square M_k.
    public mutating func gemv(pairs: [(TaskHandle, TaskHandle)], trans: [Bool]? = nil, triangles: [String]? = nil,
                              alpha: Double = 1, id: String? = nil,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        var args: [String: ArgValue] = ["alpha": .double(alpha)]
        if let trans { args["trans"] = .list(trans.map(ArgValue.bool)) }
        if let triangles { args["triangle"] = .list(triangles.map(ArgValue.string)) }
        return add("gemv", id: id, inputs: pairs.flatMap { [$0.0, $0.1] }, args: args, file: file, line: line)
    }
    public mutating func syrk(_ a: TaskHandle, c: TaskHandle? = nil, alpha: Double = 1, beta: Double = 0, trans: Bool = false,
                              id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("syrk", id: id, inputs: [a] + (c.map { [$0] } ?? []),
            args: ["alpha": .double(alpha), "beta": .double(beta), "trans": .bool(trans)], file: file, line: line)
    }
    /// `side` is "left" (op(A)·X = alpha·B) or "right" (X·op(A) = alpha·B).
    public mutating func trsm(_ a: TaskHandle, _ b: TaskHandle, side: String = "left", lower: Bool = true, transA: Bool = false,
                              unit: Bool = false, alpha: Double = 1, id: String? = nil,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("trsm", id: id, inputs: [a, b],
            args: ["side": .string(side), "lower": .bool(lower), "transA": .bool(transA), "unit": .bool(unit),
                   "alpha": .double(alpha)], file: file, line: line)
    }

    public mutating func potrf(_ a: TaskHandle, lower: Bool = true, id: String? = nil,
                               file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("potrf", id: id, inputs: [a], args: ["lower": .bool(lower)], file: file, line: line)
    }
    /// LU factors with partial pivoting, for `getrs`; `pivot: false`: A = L·U without pivoting,
    /// one packed matrix (L unit lower below the diagonal, U on and above it).
    public mutating func getrf(_ a: TaskHandle, pivot: Bool = true, id: String? = nil,
                               file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("getrf", id: id, inputs: [a], args: pivot ? [:] : ["pivot": .bool(false)], file: file, line: line)
    }
    public mutating func getrs(_ lu: TaskHandle, _ b: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("getrs", id: id, inputs: [lu, b], file: file, line: line)
    }
    public mutating func geqrf(_ a: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("geqrf", id: id, inputs: [a], file: file, line: line)
    }

    public mutating func sub(_ a: TaskHandle, _ b: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("sub", id: id, inputs: [a, b], file: file, line: line)
    }
    public mutating func mul(_ a: TaskHandle, _ b: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("mul", id: id, inputs: [a, b], file: file, line: line)
    }
    public mutating func max(_ inputs: [TaskHandle], id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("max", id: id, inputs: inputs, file: file, line: line)
    }
    public mutating func norm(_ a: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("norm", id: id, inputs: [a], file: file, line: line)
    }
    /// The Frobenius norm of several matrices together, √(Σ_k w_k·‖a_k‖²), weights 1 unless given.
    public mutating func norm(_ inputs: [TaskHandle], weights: [Double]? = nil, id: String? = nil,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("norm", id: id, inputs: inputs, args: weights.map { ["weights": .list($0.map(ArgValue.double))] } ?? [:],
            file: file, line: line)
    }

    public mutating func transpose(_ a: TaskHandle, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("transpose", id: id, inputs: [a], file: file, line: line)
    }
    public mutating func slice(_ a: TaskHandle, row: Int = 0, col: Int = 0, rows: Int, cols: Int, id: String? = nil,
                               file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("slice", id: id, inputs: [a], args: ["row": .int(row), "col": .int(col), "rows": .int(rows), "cols": .int(cols)],
            file: file, line: line)
    }
    /// Tiles in row-major grid order; with `fill` "lower", only tiles (i, j) with j <= i.
    public mutating func assemble(_ tiles: [TaskHandle], gridRows: Int, gridCols: Int, fill: String = "full", id: String? = nil,
                                  file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("assemble", id: id, inputs: tiles,
            args: ["grid_rows": .int(gridRows), "grid_cols": .int(gridCols), "fill": .string(fill)], file: file, line: line)
    }
    /// `axis` 0 stacks rows, 1 puts the parts side by side.
    public mutating func concat(_ parts: [TaskHandle], axis: Int = 0, id: String? = nil,
                                file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("concat", id: id, inputs: parts, args: ["axis": .int(axis)], file: file, line: line)
    }

    /// Fails the run when `inputs[0] / (inputs[1] * ...)` exceeds `max` (or is NaN).
    @discardableResult
    public mutating func check(_ inputs: [TaskHandle], max: Double, what: String = "residual", id: String? = nil,
                               file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("check", id: id, inputs: inputs, args: ["max": .double(max), "what": .string(what)], file: file, line: line)
    }
}
