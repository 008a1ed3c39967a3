/// The linear-algebra ops of issue 4: BLAS levels 1 to 3, LAPACK factorizations, element-wise
/// ops and reductions, layout ops, seeded constructors, and `check`, which ends a graph with a
/// residual test. The vocabulary (names, arguments, inputs, semantics) is a contract with the
/// graph generators; the runtime implements it with OpenBLAS (DagRuntime's `OpLibrary`).
///
/// Each signature computes its result shape from its inputs' static shapes and its arguments,
/// and throws ``ShapeError`` naming the inputs by id when they cannot fit, before anything runs.
/// Costs: flops at ``StandardOps/flopsPerSecond`` for BLAS 3 and LAPACK, elements at
/// ``StandardOps/elementsPerSecond`` for the memory-bound rest.
extension StandardOps {
    static var linearAlgebra: [OpSignature] {
        [spd, diagdom, axpy, dot, scal, nrm2, gemv, syrk, trsm, potrf, getrf, getrs, geqrf,
         sub, mul, maximum, norm, transpose, slice, assemble, concat, check]
    }

    // MARK: Helpers

    /// Accepts a string from `choices` only.
    static func oneOf(_ choices: [String]) -> @Sendable (ArgValue) -> String? {
        { v in
            guard case .string(let s) = v, !choices.contains(s) else { return nil }
            return "must be " + choices.map { "\"\($0)\"" }.joined(separator: " or ") + ", got \"\(s)\""
        }
    }

    static let nonNegativeInt: @Sendable (ArgValue) -> String? = { v in
        if case .int(let i) = v, i < 0 { return "must be at least 0, got \(i)" }
        return nil
    }

    static func flopCost(_ flops: Double) -> Double { flops / flopsPerSecond + smallTask }

    static func alphaParam(_ doc: String, required: Bool = false) -> ParamSpec {
        required ? ParamSpec("alpha", .number, required: true, doc: doc) : ParamSpec("alpha", .number, default: .double(1), doc: doc)
    }

    /// "'a' (3x4)", how shape messages name an input.
    static func named(_ r: ShapeRequest, _ i: Int, _ rows: Int, _ cols: Int) -> String {
        "'\(r.inputIDs[i])' (\(rows)x\(cols))"
    }

    /// Inputs 0 and 1 as matrices of one shape (the result's), or nil when either is unknown.
    static func sameMatrices(_ r: ShapeRequest) throws(ShapeError) -> (rows: Int, cols: Int)? {
        let x = try r.matrix(0), y = try r.matrix(1)
        guard let x, let y else { return x ?? y }
        if x != y {
            throw ShapeError(field: "inputs[1]",
                             message: "\(r.op) needs two matrices of one shape, but \(named(r, 0, x.rows, x.cols)) "
                                 + "and \(named(r, 1, y.rows, y.cols)) differ",
                             hint: "both inputs must have the same rows and columns")
        }
        return x
    }

    /// Input `i` as a square matrix's order, nil when unknown.
    static func squareOrder(_ r: ShapeRequest, _ i: Int, role: String = "") throws(ShapeError) -> Int? {
        guard let a = try r.matrix(i) else { return nil }
        if a.rows != a.cols {
            throw ShapeError(field: "inputs[\(i)]",
                             message: "\(r.op) needs a square \(role)matrix, but \(named(r, i, a.rows, a.cols)) is not square")
        }
        return a.rows
    }

    /// Every input's dimensions as a matrix (nil when unknown); a shape error for any non-matrix.
    static func matrixShapes(_ r: ShapeRequest) throws(ShapeError) -> [(rows: Int, cols: Int)?] {
        var shapes: [(rows: Int, cols: Int)?] = []
        for i in r.inputShapes.indices { shapes.append(try r.matrix(i)) }
        return shapes
    }

    static func dims(_ s: ValueShape) -> (rows: Double, cols: Double) {
        if case .matrix(let r, let c) = s { return (Double(r), Double(c)) }
        return (0, 0)
    }

    static func inputDims(_ r: ShapeRequest, _ i: Int) -> (rows: Double, cols: Double) { dims(r.inputShapes[i]) }

    // MARK: Constructors

    static let spd = seededBlock(
        name: "spd",
        summary: "A block of one seeded n x n symmetric positive-definite matrix (tiles equal slices of the whole).")

    static let diagdom = seededBlock(
        name: "diagdom",
        summary: "A block of one seeded n x n matrix, strictly diagonally dominant by rows and columns and not symmetric: "
            + "uniform [0, 1) entries plus n on the diagonal, so an LU needs no pivoting (tiles equal slices of the whole).")

    /// `spd` and `diagdom`: a block (row, col, rows, cols) of a seeded n x n matrix.
    static func seededBlock(name: String, summary: String) -> OpSignature {
        OpSignature(
            name: name, summary: summary, defaultClass: .cpu,
            params: [
                ParamSpec("n", .int, required: true, doc: "size of the whole matrix", check: positive),
                ParamSpec("seed", .int, default: .int(0), doc: "generator seed; the whole matrix depends on n and seed only"),
                ParamSpec("row", .int, default: .int(0), doc: "first row of the block", check: nonNegativeInt),
                ParamSpec("col", .int, default: .int(0), doc: "first column of the block", check: nonNegativeInt),
                ParamSpec("rows", .int, doc: "rows of the block (default: n - row)", check: positive),
                ParamSpec("cols", .int, doc: "columns of the block (default: n - col)", check: positive),
            ],
            inputs: .exactly(0),
            shape: { r throws(ShapeError) in
                let n = r.args.int("n")
                var extent: [Int] = []
                for (start, count) in [("row", "rows"), ("col", "cols")] {
                    let first = r.args.int(start)
                    let length = r.args[count] == nil ? n - first : r.args.int(count)
                    if first >= n {
                        throw ShapeError(field: "args.\(start)",
                                         message: "\(name)'s block starts at \(start) \(first), outside the \(n)x\(n) matrix",
                                         hint: "use a \(start) below \(n)")
                    }
                    if first + length > n {
                        throw ShapeError(field: "args.\(count)",
                                         message: "\(name)'s block \(start)s \(first)..<\(first + length) do not fit in the \(n)x\(n) matrix",
                                         hint: "keep \(start) + \(count) at most \(n)")
                    }
                    extent.append(length)
                }
                return .matrix(rows: extent[0], cols: extent[1])
            },
            cost: { _, s in elementwiseCost(s) * 4 })
    }

    // MARK: BLAS 1

    static let axpy = OpSignature(
        name: "axpy", summary: "alpha * x + y for two matrices of one shape (cblas_daxpy); inputs x, y.",
        defaultClass: .cpu, params: [alphaParam("scale of x", required: true)], inputs: .exactly(2),
        shape: { r throws(ShapeError) in try sameMatrices(r).map { .matrix(rows: $0.rows, cols: $0.cols) } ?? .unknown },
        cost: { _, s in elementwiseCost(s) * 2 })

    static let dot = OpSignature(
        name: "dot", summary: "The dot product of two matrices of one shape as flat vectors, a scalar (cblas_ddot).",
        defaultClass: .cpu, inputs: .exactly(2),
        shape: { r throws(ShapeError) in _ = try sameMatrices(r); return .scalar },
        cost: { r, _ in elementwiseCost(r.inputShapes[0]) * 2 })

    static let scal = OpSignature(
        name: "scal", summary: "alpha times a matrix (cblas_dscal); like scale, which also takes scalars.",
        defaultClass: .cpu, params: [alphaParam("the factor", required: true)], inputs: .exactly(1),
        shape: { r throws(ShapeError) in try r.matrix(0).map { .matrix(rows: $0.rows, cols: $0.cols) } ?? .unknown },
        cost: { _, s in elementwiseCost(s) })

    static let nrm2 = OpSignature(
        name: "nrm2",
        summary: "The Euclidean norm of all elements of its input matrices taken together, a scalar (cblas_dnrm2); "
            + "optional weights on each input's sum of squares.",
        defaultClass: .cpu, params: [weightsParam], inputs: .atLeast(1),
        shape: { r throws(ShapeError) in try normShape(r) },
        cost: { r, _ in normCost(r) })

    /// `weights` of `nrm2` and `norm`.
    static let weightsParam = ParamSpec(
        "weights", .numberList,
        doc: "one number >= 0 per input, scaling that input's sum of squares: the result is sqrt(sum of w_k * |input_k|^2) "
            + "(2 counts an off-diagonal tile of a symmetric matrix given by its lower tiles twice); default: all 1",
        check: { v in
            guard case .list(let items) = v else { return nil }
            for (k, item) in items.enumerated() {
                if case .double(let w) = item, !(w >= 0 && w.isFinite) { return "must hold finite numbers >= 0, but weights[\(k)] is \(w)" }
            }
            return nil
        })

    /// `nrm2` and `norm`: matrices, one weight per input when weights are given; a scalar.
    static func normShape(_ r: ShapeRequest) throws(ShapeError) -> ValueShape {
        for i in r.inputShapes.indices { _ = try r.matrix(i) }
        if let weights = r.args.numbers("weights"), weights.count != r.inputShapes.count {
            let inputs = r.inputShapes.count
            throw ShapeError(field: "args.weights",
                             message: "\(r.op) has \(inputs) input\(inputs == 1 ? "" : "s") but weights lists \(weights.count) "
                                 + "number\(weights.count == 1 ? "" : "s")",
                             hint: "give one weight per input, in the order of the inputs, or drop weights")
        }
        return .scalar
    }

    static func normCost(_ r: ShapeRequest) -> Double {
        r.inputShapes.count == 1 ? elementwiseCost(r.inputShapes[0]) : reductionCost(r)
    }

    // MARK: BLAS 2

    static let gemv = OpSignature(
        name: "gemv",
        summary: "y = alpha * op(A) * x + beta * y (cblas_dgemv); inputs A, x (a column) and optionally y. "
            + "With 4 or more inputs, pairs M_0, v_0, M_1, v_1, ...: alpha * (op(M_0) * v_0 + op(M_1) * v_1 + ...), one column.",
        defaultClass: .cpu,
        params: [
            alphaParam("scale of op(A) * x (of the whole sum, with pairs)"),
            ParamSpec("beta", .number, default: .double(0), doc: "scale of the third input y (one pair only)"),
            ParamSpec("trans", .flags, default: .bool(false),
                      doc: "use the transpose of A; with pairs, one boolean for every M_k or a list of one per pair"),
            ParamSpec("triangle", .stringList,
                      doc: "one per pair (a list of one for A, x): \"full\" (default), or the part of a square M_k that is read: "
                          + "\"lower\", \"upper\", \"lower-unit\" or \"upper-unit\" (ones on the diagonal, not read), "
                          + "as in a packed LU tile, L = lower-unit and U = upper",
                      check: { v in
                          guard case .list(let items) = v else { return nil }
                          for (k, item) in items.enumerated() {
                              if case .string(let word) = item, !triangleWords.contains(word) {
                                  return "must list " + triangleWords.map { "\"\($0)\"" }.joined(separator: ", ")
                                      + ", but triangle[\(k)] is \"\(word)\""
                              }
                          }
                          return nil
                      }),
        ],
        inputs: .atLeast(2),
        shape: { r throws(ShapeError) in
            try r.inputShapes.count <= 3 ? gemvShape(r) : gemvPairsShape(r)
        },
        cost: { r, _ in
            guard r.inputShapes.count > 3 else { return elementwiseCost(r.inputShapes[0]) }
            return stride(from: 0, to: r.inputShapes.count, by: 2).reduce(smallTask) {
                $0 + Double(r.inputShapes[$1].elementCount) / elementsPerSecond
            }
        })

    /// The values of `gemv`'s `triangle`.
    static let triangleWords = ["full", "lower", "upper", "lower-unit", "upper-unit"]

    /// `gemv`'s `triangle` as one word per pair (all "full" when absent), or a shape error
    /// when the list has the wrong length or names a triangle of a matrix that is not square.
    static func gemvTriangles(_ r: ShapeRequest, pairs: Int) throws(ShapeError) -> [String] {
        guard let triangles = r.args.strings("triangle") else { return [String](repeating: "full", count: pairs) }
        if triangles.count != pairs {
            throw ShapeError(field: "args.triangle",
                             message: "gemv has \(pairs) (matrix, vector) pair\(pairs == 1 ? "" : "s") but triangle lists "
                                 + "\(triangles.count) word\(triangles.count == 1 ? "" : "s")",
                             hint: "give one triangle per pair, in the order of the pairs (\"full\" for a whole matrix), or drop triangle")
        }
        for (k, triangle) in triangles.enumerated() where triangle != "full" {
            if let m = try r.matrix(2 * k), m.rows != m.cols {
                throw ShapeError(field: "inputs[\(2 * k)]",
                                 message: "gemv takes the \(triangle) triangle of \(named(r, 2 * k, m.rows, m.cols)), "
                                     + "which is not square",
                                 hint: "a triangle needs a square matrix: set triangle[\(k)] to \"full\", or pass a square one")
            }
        }
        return triangles
    }

    /// `gemv`'s `trans` as one flag per pair, or a shape error when a list has the wrong length.
    static func gemvFlags(_ r: ShapeRequest, pairs: Int) throws(ShapeError) -> [Bool] {
        let trans = r.args.flags("trans", count: pairs) ?? [Bool](repeating: false, count: pairs)
        if trans.count != pairs {
            throw ShapeError(field: "args.trans",
                             message: "gemv has \(pairs) (matrix, vector) pair\(pairs == 1 ? "" : "s") but trans lists "
                                 + "\(trans.count) boolean\(trans.count == 1 ? "" : "s")",
                             hint: "give one boolean per pair, in the order of the pairs, or a single boolean for all of them")
        }
        return trans
    }

    /// `gemv` with A, x and optionally y.
    static func gemvShape(_ r: ShapeRequest) throws(ShapeError) -> ValueShape {
        let beta = r.args.double("beta")
        if r.inputShapes.count == 2 && beta != 0 {
            throw ShapeError(field: "args.beta", message: "beta is \(beta) but there is no third input y to scale",
                             hint: "add y as a third input or drop beta")
        }
        let trans = try gemvFlags(r, pairs: 1)[0]
        _ = try gemvTriangles(r, pairs: 1)
        let a = try r.matrix(0), x = try r.matrix(1)
        let y = r.inputShapes.count == 3 ? try r.matrix(2) : nil
        guard let a else { return .unknown }
        let (length, inner) = trans ? (a.cols, a.rows) : (a.rows, a.cols)
        if let x, x.rows != inner || x.cols != 1 {
            let opA = trans ? "A^T" : "A"
            throw ShapeError(
                message: "gemv cannot multiply \(named(r, 0, a.rows, a.cols)) by \(named(r, 1, x.rows, x.cols)): "
                    + "x must be a \(inner)x1 column, as \(opA) has \(inner) columns",
                hint: trans ? "pass a \(inner)x1 x, or drop trans" : "pass a \(inner)x1 x, or set trans to use A^T")
        }
        if let y, y.rows != length || y.cols != 1 {
            throw ShapeError(field: "inputs[2]",
                             message: "gemv's y input \(named(r, 2, y.rows, y.cols)) must be \(length)x1, the product's shape")
        }
        return .matrix(rows: length, cols: 1)
    }

    /// `gemv` with pairs M_0, v_0, M_1, v_1, ...: every op(M_k) * v_k one column of one length.
    static func gemvPairsShape(_ r: ShapeRequest) throws(ShapeError) -> ValueShape {
        let count = r.inputShapes.count
        if count % 2 != 0 {
            throw ShapeError(message: "gemv with more than one (matrix, vector) pair takes an even number of inputs "
                                 + "M_0, v_0, M_1, v_1, ..., but has \(count): '\(r.inputIDs[count - 1])' has no partner",
                             hint: "add the missing matrix or vector; a third input y (with beta) is only for a single pair A, x, y")
        }
        let pairs = count / 2
        let beta = r.args.double("beta")
        if beta != 0 {
            throw ShapeError(field: "args.beta", message: "beta is \(beta) but gemv with \(pairs) pairs has no y input to scale",
                             hint: "drop beta: a y input is only for a single pair A, x, y")
        }
        let trans = try gemvFlags(r, pairs: pairs)
        _ = try gemvTriangles(r, pairs: pairs)
        var first: (pair: Int, length: Int)?
        var known = true
        for k in 0..<pairs {
            let m = try r.matrix(2 * k), v = try r.matrix(2 * k + 1)
            guard let m else { known = false; continue }
            let opM = trans[k] ? "M_\(k)^T" : "M_\(k)"
            let (length, inner) = trans[k] ? (m.cols, m.rows) : (m.rows, m.cols)
            if let v, v.rows != inner || v.cols != 1 {
                throw ShapeError(
                    field: "inputs[\(2 * k + 1)]",
                    message: "gemv cannot multiply pair \(k): \(named(r, 2 * k, m.rows, m.cols)) by \(named(r, 2 * k + 1, v.rows, v.cols)): "
                        + "v_\(k) must be a \(inner)x1 column, as \(opM) has \(inner) columns",
                    hint: trans[k] ? "pass a \(inner)x1 vector, or clear trans for this pair"
                                   : "pass a \(inner)x1 vector, or set trans for this pair to use M_\(k)^T")
            }
            guard let f = first else { first = (k, length); continue }
            if length != f.length {
                throw ShapeError(
                    field: "inputs[\(2 * k)]",
                    message: "gemv's pair \(k) gives a \(length)x1 product (\(opM) with \(named(r, 2 * k, m.rows, m.cols))) "
                        + "but pair \(f.pair) gives \(f.length)x1 (with '\(r.inputIDs[2 * f.pair])'): the products are summed, "
                        + "so every op(M_k) needs the same number of rows",
                    hint: "check the shapes and trans of both pairs")
            }
        }
        guard known, let f = first else { return .unknown }
        return .matrix(rows: f.length, cols: 1)
    }

    // MARK: BLAS 3

    static let syrk = OpSignature(
        name: "syrk",
        summary: "C = alpha * A * A^T + beta * C (trans: A^T * A), the full symmetric matrix (cblas_dsyrk); inputs A, optional C.",
        defaultClass: .cpu,
        params: [
            alphaParam("scale of A * A^T"),
            ParamSpec("beta", .number, default: .double(0), doc: "scale of the second input C (symmetric; its lower triangle is read)"),
            ParamSpec("trans", .bool, default: .bool(false), doc: "compute A^T * A instead"),
        ],
        inputs: .between(1, 2),
        shape: { r throws(ShapeError) in
            let beta = r.args.double("beta")
            if r.inputShapes.count == 1 && beta != 0 {
                throw ShapeError(field: "args.beta", message: "beta is \(beta) but there is no second input C to scale",
                                 hint: "add C as a second input or drop beta")
            }
            let a = try r.matrix(0)
            let c = r.inputShapes.count == 2 ? try r.matrix(1) : nil
            guard let a else { return c.map { .matrix(rows: $0.rows, cols: $0.cols) } ?? .unknown }
            let n = r.args.bool("trans") ? a.cols : a.rows
            if let c, c.rows != n || c.cols != n {
                throw ShapeError(field: "inputs[1]",
                                 message: "syrk's C input \(named(r, 1, c.rows, c.cols)) must be \(n)x\(n), the shape of "
                                     + (r.args.bool("trans") ? "A^T * A" : "A * A^T") + " for A \(named(r, 0, a.rows, a.cols))")
            }
            return .matrix(rows: n, cols: n)
        },
        cost: { r, s in
            let (n, _) = dims(s), a = inputDims(r, 0)
            return flopCost(n * n * (r.args.bool("trans") ? a.rows : a.cols))
        })

    static let trsm = OpSignature(
        name: "trsm",
        summary: "X solving op(A) * X = alpha * B (side left) or X * op(A) = alpha * B (right), A triangular (cblas_dtrsm); inputs A, B.",
        defaultClass: .cpu,
        params: [
            ParamSpec("side", .string, default: .string("left"), doc: "left: op(A) * X = alpha * B; right: X * op(A) = alpha * B",
                      check: oneOf(["left", "right"])),
            ParamSpec("lower", .bool, default: .bool(true), doc: "A is lower triangular (false: upper); only that triangle is read"),
            ParamSpec("transA", .bool, default: .bool(false), doc: "use the transpose of A"),
            ParamSpec("unit", .bool, default: .bool(false), doc: "A's diagonal is taken as ones and not read"),
            alphaParam("scale of B"),
        ],
        inputs: .exactly(2),
        shape: { r throws(ShapeError) in
            let order = try squareOrder(r, 0, role: "triangular ")
            guard let b = try r.matrix(1) else { return .unknown }
            let left = r.args.string("side") == "left"
            let needed = left ? b.rows : b.cols
            if let order, order != needed {
                throw ShapeError(
                    message: "trsm cannot solve with A \(named(r, 0, order, order)) and B \(named(r, 1, b.rows, b.cols)): "
                        + (left ? "op(A) * X = B needs A's order to equal B's rows (\(b.rows))"
                                : "X * op(A) = B needs A's order to equal B's columns (\(b.cols))"),
                    hint: left ? "check the shapes, or set side to \"right\"" : "check the shapes, or set side to \"left\"")
            }
            return .matrix(rows: b.rows, cols: b.cols)
        },
        cost: { r, s in
            let (m, n) = dims(s)
            return flopCost(r.args.string("side") == "left" ? m * m * n : n * n * m)
        })

    // MARK: LAPACK

    static let potrf = OpSignature(
        name: "potrf",
        summary: "The Cholesky factor of a symmetric positive-definite matrix (dpotrf): L with A = L * L^T, or U with A = U^T * U.",
        defaultClass: .cpu,
        params: [ParamSpec("lower", .bool, default: .bool(true),
                           doc: "return L (false: U); only that triangle of A is read, the other of the result is zero")],
        inputs: .exactly(1),
        shape: { r throws(ShapeError) in try squareOrder(r, 0).map { .matrix(rows: $0, cols: $0) } ?? .unknown },
        cost: { _, s in flopCost(pow3(dims(s).rows) / 3) })

    static let getrf = OpSignature(
        name: "getrf",
        summary: "The LU factors of a square matrix with partial pivoting (dgetrf), for getrs; with pivot false, "
            + "A = L * U without pivoting as one packed matrix (L unit lower below the diagonal, U on and above it).",
        defaultClass: .cpu,
        params: [ParamSpec("pivot", .bool, default: .bool(true),
                           doc: "false: no row interchanges (fails where partial pivoting would make one, as for a matrix "
                               + "that is not diagonally dominant by columns); the result is then an n x n matrix, not LU factors")],
        inputs: .exactly(1),
        shape: { r throws(ShapeError) in
            guard let n = try squareOrder(r, 0) else { return .unknown }
            return r.args.bool("pivot") ? .luFactors(n: n) : .matrix(rows: n, cols: n)
        },
        cost: { r, _ in flopCost(2 * pow3(inputDims(r, 0).rows) / 3) })

    static let getrs = OpSignature(
        name: "getrs", summary: "X solving A * X = B from getrf's LU factors of A (dgetrs); inputs LU, B.",
        defaultClass: .cpu, inputs: .exactly(2),
        shape: { r throws(ShapeError) in
            var order: Int?
            switch r.inputShapes[0] {
            case .luFactors(let n): order = n
            case .unknown: order = nil
            case let other:
                throw ShapeError(field: "inputs[0]",
                                 message: "getrs needs LU factors, but input '\(r.inputIDs[0])' produces \(other)",
                                 hint: "factor the matrix with a getrf task and pass that task as the first input")
            }
            guard let b = try r.matrix(1) else { return .unknown }
            if let order, b.rows != order {
                throw ShapeError(field: "inputs[1]",
                                 message: "getrs cannot solve with '\(r.inputIDs[0])' (LU factors of \(order)x\(order)) "
                                     + "for B \(named(r, 1, b.rows, b.cols)): B needs \(order) rows")
            }
            return .matrix(rows: b.rows, cols: b.cols)
        },
        cost: { _, s in
            let (n, k) = dims(s)
            return flopCost(2 * n * n * k)
        })

    static let geqrf = OpSignature(
        name: "geqrf",
        summary: "R of the QR factorization A = Q * R (dgeqrf): min(m, n) x n, upper triangular; Q is not formed.",
        defaultClass: .cpu, inputs: .exactly(1),
        shape: { r throws(ShapeError) in try r.matrix(0).map { .matrix(rows: Swift.min($0.rows, $0.cols), cols: $0.cols) } ?? .unknown },
        cost: { r, _ in
            let (m, n) = inputDims(r, 0)
            return flopCost(m >= n ? 2 * n * n * (m - n / 3) : 2 * m * m * (n - m / 3))
        })

    static func pow3(_ x: Double) -> Double { x * x * x }

    // MARK: Element-wise and reductions

    static let sub = OpSignature(
        name: "sub", summary: "a - b, element by element (two matrices of one shape, or two scalars); inputs a, b.",
        defaultClass: .cpu, inputs: .exactly(2),
        shape: { r throws(ShapeError) in try sameShape(r) },
        cost: { _, s in elementwiseCost(s) })

    static let mul = OpSignature(
        name: "mul", summary: "a * b, element by element (two matrices of one shape, or two scalars); inputs a, b.",
        defaultClass: .cpu, inputs: .exactly(2),
        shape: { r throws(ShapeError) in try sameShape(r) },
        cost: { _, s in elementwiseCost(s) })

    static let maximum = OpSignature(
        name: "max", summary: "The largest element of its inputs (matrices or scalars), a scalar; NaN if any is NaN.",
        defaultClass: .cpu, inputs: .atLeast(1),
        shape: { r throws(ShapeError) in try reductionShape(r) },
        cost: { r, _ in reductionCost(r) })

    static let norm = OpSignature(
        name: "norm",
        summary: "The Frobenius norm of a matrix, or of several matrices taken together, a scalar (cblas_dnrm2 over all elements); "
            + "optional weights on each input's sum of squares.",
        defaultClass: .cpu, params: [weightsParam], inputs: .atLeast(1),
        shape: { r throws(ShapeError) in try normShape(r) },
        cost: { r, _ in normCost(r) })

    // MARK: Layout

    static let transpose = OpSignature(
        name: "transpose", summary: "The transpose of a matrix (cblas_domatcopy).", defaultClass: .cpu, inputs: .exactly(1),
        shape: { r throws(ShapeError) in try r.matrix(0).map { .matrix(rows: $0.cols, cols: $0.rows) } ?? .unknown },
        cost: { _, s in elementwiseCost(s) * 2 })

    static let slice = OpSignature(
        name: "slice", summary: "The block of rows row..<row+rows and columns col..<col+cols of a matrix.",
        defaultClass: .cpu,
        params: [
            ParamSpec("row", .int, default: .int(0), doc: "first row", check: nonNegativeInt),
            ParamSpec("col", .int, default: .int(0), doc: "first column", check: nonNegativeInt),
            ParamSpec("rows", .int, required: true, doc: "number of rows", check: positive),
            ParamSpec("cols", .int, required: true, doc: "number of columns", check: positive),
        ],
        inputs: .exactly(1),
        shape: { r throws(ShapeError) in
            let rows = r.args.int("rows"), cols = r.args.int("cols")
            guard let a = try r.matrix(0) else { return .matrix(rows: rows, cols: cols) }
            for (start, count, limit, what) in [("row", "rows", a.rows, "rows"), ("col", "cols", a.cols, "columns")] {
                let first = r.args.int(start), length = r.args.int(count)
                if first + length > limit {
                    throw ShapeError(field: "args.\(count)",
                                     message: "slice's \(what) \(first)..<\(first + length) do not fit in \(named(r, 0, a.rows, a.cols))",
                                     hint: "keep \(start) + \(count) at most \(limit)")
                }
            }
            return .matrix(rows: rows, cols: cols)
        },
        cost: { _, s in elementwiseCost(s) })

    static let assemble = OpSignature(
        name: "assemble",
        summary: "One matrix from tiles in row-major grid order; fill lower takes only tiles (i, j) with j <= i, the rest is zero.",
        defaultClass: .cpu,
        params: [
            ParamSpec("grid_rows", .int, required: true, doc: "tile rows in the grid", check: positive),
            ParamSpec("grid_cols", .int, required: true, doc: "tile columns in the grid", check: positive),
            ParamSpec("fill", .string, default: .string("full"),
                      doc: "full: every tile; lower: tiles (i, j) with j <= i, zero above", check: oneOf(["full", "lower"])),
        ],
        inputs: .atLeast(1),
        shape: { r throws(ShapeError) in
            let gridRows = r.args.int("grid_rows"), gridCols = r.args.int("grid_cols")
            let lower = r.args.string("fill") == "lower"
            if lower && gridCols > gridRows {
                throw ShapeError(field: "args.grid_cols",
                                 message: "assemble with fill lower has no tiles for grid columns beyond its \(gridRows) grid rows",
                                 hint: "use grid_cols <= grid_rows, or fill \"full\"")
            }
            var positions: [(Int, Int)] = []
            for i in 0..<gridRows {
                for j in 0..<(lower ? Swift.min(i + 1, gridCols) : gridCols) { positions.append((i, j)) }
            }
            if positions.count != r.inputShapes.count {
                throw ShapeError(
                    message: "assemble with a \(gridRows)x\(gridCols) grid and fill \(lower ? "lower" : "full") takes "
                        + "\(positions.count) tiles, got \(r.inputShapes.count)",
                    hint: lower ? "list the tiles (i, j) with j <= i in row-major order: (0,0), (1,0), (1,1), (2,0), ..."
                                : "list every tile in row-major order: (0,0), (0,1), ..., (1,0), ...")
            }
            var heights = [Int?](repeating: nil, count: gridRows), widths = [Int?](repeating: nil, count: gridCols)
            for (k, (i, j)) in positions.enumerated() {
                guard let t = try r.matrix(k) else { continue }
                if let h = heights[i], h != t.rows {
                    throw ShapeError(field: "inputs[\(k)]",
                                     message: "assemble's tile (\(i), \(j)) \(named(r, k, t.rows, t.cols)) has \(t.rows) rows, "
                                         + "but grid row \(i) is \(h) high",
                                     hint: "tiles in one grid row need one height")
                }
                if let w = widths[j], w != t.cols {
                    throw ShapeError(field: "inputs[\(k)]",
                                     message: "assemble's tile (\(i), \(j)) \(named(r, k, t.rows, t.cols)) has \(t.cols) columns, "
                                         + "but grid column \(j) is \(w) wide",
                                     hint: "tiles in one grid column need one width")
                }
                heights[i] = t.rows
                widths[j] = t.cols
            }
            guard heights.allSatisfy({ $0 != nil }), widths.allSatisfy({ $0 != nil }) else { return .unknown }
            return .matrix(rows: heights.reduce(0) { $0 + $1! }, cols: widths.reduce(0) { $0 + $1! })
        },
        cost: { _, s in elementwiseCost(s) })

    static let concat = OpSignature(
        name: "concat", summary: "Matrices stacked (axis 0: one below the other) or side by side (axis 1).",
        defaultClass: .cpu,
        params: [ParamSpec("axis", .int, default: .int(0), doc: "0: stack rows (equal columns); 1: side by side (equal rows)",
                           check: { v in if case .int(let a) = v, a != 0 && a != 1 { return "must be 0 or 1, got \(a)" }; return nil })],
        inputs: .atLeast(1),
        shape: { r throws(ShapeError) in
            let axis = r.args.int("axis")
            var first: (index: Int, rows: Int, cols: Int)?
            var total = 0
            var known = true
            for (k, shape) in try matrixShapes(r).enumerated() {
                guard let m = shape else { known = false; continue }
                total += axis == 0 ? m.rows : m.cols
                guard let f = first else { first = (k, m.rows, m.cols); continue }
                let (have, want) = axis == 0 ? (m.cols, f.cols) : (m.rows, f.rows)
                if have != want {
                    throw ShapeError(field: "inputs[\(k)]",
                                     message: "concat along axis \(axis) needs inputs with one number of \(axis == 0 ? "columns" : "rows"), "
                                         + "but \(named(r, k, m.rows, m.cols)) differs from \(named(r, f.index, f.rows, f.cols))",
                                     hint: axis == 0 ? "use axis 1 to put them side by side" : "use axis 0 to stack them")
                }
            }
            guard known, let f = first else { return .unknown }
            return axis == 0 ? .matrix(rows: total, cols: f.cols) : .matrix(rows: f.rows, cols: total)
        },
        cost: { _, s in elementwiseCost(s) })

    // MARK: Check

    static let check = OpSignature(
        name: "check",
        summary: "value = input0 / (input1 * input2 * ...), scalars; fails the task when value > max or is NaN.",
        defaultClass: .cpu,
        params: [
            ParamSpec("max", .number, required: true, doc: "the tolerance: the largest value that passes",
                      check: { v in if case .double(let d) = v, !(d > 0 && d.isFinite) { return "must be a finite number > 0, got \(d)" }; return nil }),
            ParamSpec("what", .string, default: .string("residual"), doc: "what the value is, for the message"),
        ],
        inputs: .atLeast(1),
        shape: { r throws(ShapeError) in
            for (i, s) in r.inputShapes.enumerated() {
                switch s {
                case .scalar, .unknown: continue
                default:
                    throw ShapeError(field: "inputs[\(i)]",
                                     message: "check needs scalars, but input '\(r.inputIDs[i])' produces \(s)",
                                     hint: "reduce it to a scalar first, e.g. with nrm2, norm, max or sum")
                }
            }
            return .scalar
        },
        cost: { _, _ in smallTask })
}
