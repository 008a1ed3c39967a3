import DagCore

/// The linear-algebra ops of the op vocabulary (la-ops-spec.md) that the tiled generators
/// write, as signatures: argument names, types and ranges, input counts and static shape
/// rules, transcribed from the spec so that the generated graphs can be validated
/// before the runtime has these ops.
///
/// ``catalogue`` starts from dagrun's own catalogue and adds a spec signature only where
/// dagrun's lacks the op or one of its arguments: once the runtime implements an op,
/// the graphs are validated against the real signature instead.
enum SpecCatalogue {
    static let catalogue: OpCatalogue = {
        var catalogue = OpCatalogue.standard
        for spec in signatures {
            let names = Set(catalogue[spec.name]?.params.map(\.name) ?? [])
            if catalogue[spec.name] == nil || !spec.params.allSatisfy({ names.contains($0.name) }) {
                catalogue.register(spec)
            }
        }
        return catalogue
    }()

    /// The arguments each op may take, with their JSON types, from the spec.
    static let arguments: [String: [String: ParamType]] = {
        var table: [String: [String: ParamType]] = [:]
        for s in signatures { table[s.name] = Dictionary(uniqueKeysWithValues: s.params.map { ($0.name, $0.type) }) }
        table["gemm"] = ["alpha": .number, "beta": .number, "transA": .bool, "transB": .bool]
        return table
    }()

    /// The inputs each op takes, from the spec.
    static let inputs: [String: InputRule] = {
        var table: [String: InputRule] = [:]
        for s in signatures { table[s.name] = s.inputs }
        table["gemm"] = .between(2, 3)
        return table
    }()

    static let signatures = [random, spd, diagdom, gemv, syrk, trsm, potrf, getrf, sub, nrm2, norm, assemble, check]

    // MARK: Helpers

    static func atLeast(_ low: Int) -> @Sendable (ArgValue) -> String? {
        { v in
            if case .int(let i) = v, i < low { return "must be at least \(low), got \(i)" }
            return nil
        }
    }

    static func oneOf(_ words: [String]) -> @Sendable (ArgValue) -> String? {
        { v in
            if case .string(let s) = v, !words.contains(s) { return "must be one of \(words), got '\(s)'" }
            return nil
        }
    }

    static func op(_ name: String, params: [ParamSpec] = [], inputs: InputRule,
                   shape: @escaping @Sendable (ShapeRequest) throws(ShapeError) -> ValueShape) -> OpSignature {
        OpSignature(name: name, summary: "spec", defaultClass: .cpu, params: params, inputs: inputs, shape: shape,
                    cost: { _, s in 1e-6 + Double(s.elementCount) * 1e-9 })
    }

    static func matrix(_ r: ShapeRequest, _ i: Int) throws(ShapeError) -> (rows: Int, cols: Int)? {
        try r.matrix(i)
    }

    static func scalarInputs(_ r: ShapeRequest) throws(ShapeError) -> ValueShape {
        for (i, s) in r.inputShapes.enumerated() where s != .scalar && s != .unknown {
            throw ShapeError(field: "inputs[\(i)]", message: "\(r.op) needs scalars, but '\(r.inputIDs[i])' is \(s)")
        }
        return .scalar
    }

    static func mismatch(_ r: ShapeRequest, _ what: String) -> ShapeError {
        ShapeError(message: "\(r.op): \(what) (inputs \(r.inputIDs), shapes \(r.inputShapes))")
    }

    // MARK: Signatures

    static let random = op("random", params: [
        ParamSpec("rows", .int, required: true, doc: "", check: atLeast(1)),
        ParamSpec("cols", .int, required: true, doc: "", check: atLeast(1)),
        ParamSpec("seed", .int, default: .int(0), doc: ""),
        ParamSpec("dist", .string, default: .string("uniform"), doc: "", check: oneOf(["uniform", "normal"])),
    ], inputs: .exactly(0)) { r in .matrix(rows: r.args.int("rows"), cols: r.args.int("cols")) }

    static let spd = block("spd")
    /// Extended beyond la-ops-spec.md for the tiled LU: a block of one diagonally dominant matrix.
    static let diagdom = block("diagdom")

    static func block(_ name: String) -> OpSignature { op(name, params: [
        ParamSpec("n", .int, required: true, doc: "", check: atLeast(1)),
        ParamSpec("seed", .int, default: .int(0), doc: ""),
        ParamSpec("row", .int, default: .int(0), doc: "", check: atLeast(0)),
        ParamSpec("col", .int, default: .int(0), doc: "", check: atLeast(0)),
        ParamSpec("rows", .int, doc: "", check: atLeast(1)),
        ParamSpec("cols", .int, doc: "", check: atLeast(1)),
    ], inputs: .exactly(0)) { r throws(ShapeError) in
        let n = r.args.int("n")
        let rows = r.args["rows"].map { _ in r.args.int("rows") } ?? n
        let cols = r.args["cols"].map { _ in r.args.int("cols") } ?? n
        if r.args.int("row") + rows > n || r.args.int("col") + cols > n { throw mismatch(r, "block outside \(n)x\(n)") }
        return .matrix(rows: rows, cols: cols)
    } }

    /// Extended beyond la-ops-spec.md for the tile-wise checks: 4 or more inputs are pairs
    /// M_0, v_0, M_1, v_1, ... summed into one column, `trans` one boolean or one per pair,
    /// `triangle` one word per pair (the part of a square M_k that is read).
    static let gemv = op("gemv", params: [
        ParamSpec("alpha", .number, default: .double(1), doc: ""),
        ParamSpec("beta", .number, default: .double(0), doc: ""),
        ParamSpec("trans", .flags, default: .bool(false), doc: ""),
        ParamSpec("triangle", .stringList, doc: ""),
    ], inputs: .atLeast(2)) { r throws(ShapeError) in
        let count = r.inputShapes.count
        let pairs = count <= 3 ? 1 : count / 2
        if count > 3 && (count % 2 != 0 || r.args.double("beta") != 0) { throw mismatch(r, "pairs M_k, v_k without y") }
        guard let trans = r.args.flags("trans", count: pairs), trans.count == pairs else { throw mismatch(r, "one trans per pair") }
        let triangles = r.args.strings("triangle") ?? [String](repeating: "full", count: pairs)
        let words: Set = ["full", "lower", "upper", "lower-unit", "upper-unit"]
        if triangles.count != pairs || !triangles.allSatisfy(words.contains) { throw mismatch(r, "one triangle per pair") }
        var length: Int?
        for k in 0..<pairs {
            guard let a = try matrix(r, 2 * k), let x = try matrix(r, 2 * k + 1) else { return .unknown }
            if triangles[k] != "full" && a.rows != a.cols { throw mismatch(r, "a triangle of a square M_\(k) only") }
            let (m, n) = trans[k] ? (a.cols, a.rows) : (a.rows, a.cols)
            if x.rows != n || x.cols != 1 { throw mismatch(r, "v_\(k) must be \(n)x1") }
            if let length, length != m { throw mismatch(r, "pair \(k) gives \(m) rows, not \(length)") }
            length = m
        }
        if count == 3, let y = try matrix(r, 2), y.rows != length || y.cols != 1 { throw mismatch(r, "y must be \(length!)x1") }
        return .matrix(rows: length!, cols: 1)
    }

    static let syrk = op("syrk", params: [
        ParamSpec("alpha", .number, default: .double(1), doc: ""),
        ParamSpec("beta", .number, default: .double(0), doc: ""),
        ParamSpec("trans", .bool, default: .bool(false), doc: ""),
    ], inputs: .between(1, 2)) { r throws(ShapeError) in
        guard let a = try matrix(r, 0) else { return .unknown }
        let m = r.args.bool("trans") ? a.cols : a.rows
        if r.inputShapes.count == 2, let c = try matrix(r, 1), c.rows != m || c.cols != m { throw mismatch(r, "C must be \(m)x\(m)") }
        return .matrix(rows: m, cols: m)
    }

    static let trsm = op("trsm", params: [
        ParamSpec("side", .string, default: .string("left"), doc: "", check: oneOf(["left", "right"])),
        ParamSpec("lower", .bool, default: .bool(true), doc: ""),
        ParamSpec("transA", .bool, default: .bool(false), doc: ""),
        ParamSpec("unit", .bool, default: .bool(false), doc: ""),
        ParamSpec("alpha", .number, default: .double(1), doc: ""),
    ], inputs: .exactly(2)) { r throws(ShapeError) in
        guard let a = try matrix(r, 0), let b = try matrix(r, 1) else { return .unknown }
        if a.rows != a.cols { throw mismatch(r, "A must be square") }
        let side = r.args.string("side") ?? "left"
        if (side == "left" ? b.rows : b.cols) != a.rows { throw mismatch(r, "B does not fit A on the \(side)") }
        return .matrix(rows: b.rows, cols: b.cols)
    }

    static let potrf = op("potrf", params: [ParamSpec("lower", .bool, default: .bool(true), doc: "")],
                          inputs: .exactly(1)) { r throws(ShapeError) in
        guard let a = try matrix(r, 0) else { return .unknown }
        if a.rows != a.cols { throw mismatch(r, "A must be square") }
        return .matrix(rows: a.rows, cols: a.cols)
    }

    /// Extended beyond la-ops-spec.md for the tiled LU: `pivot` false gives the packed
    /// factors of an LU without pivoting, a matrix of A's shape.
    static let getrf = op("getrf", params: [ParamSpec("pivot", .bool, default: .bool(true), doc: "")],
                          inputs: .exactly(1)) { r throws(ShapeError) in
        guard let a = try matrix(r, 0) else { return .unknown }
        if a.rows != a.cols { throw mismatch(r, "A must be square") }
        return r.args.bool("pivot") ? .luFactors(n: a.rows) : .matrix(rows: a.rows, cols: a.cols)
    }

    static let sub = op("sub", inputs: .exactly(2)) { r throws(ShapeError) in
        guard let a = try matrix(r, 0), let b = try matrix(r, 1) else { return .unknown }
        if a != b { throw mismatch(r, "shapes differ") }
        return .matrix(rows: a.rows, cols: a.cols)
    }

    /// Extended beyond la-ops-spec.md: several matrices together, one weight per input.
    static func norm(_ name: String) -> OpSignature {
        op(name, params: [ParamSpec("weights", .numberList, doc: "")], inputs: .atLeast(1)) { r throws(ShapeError) in
            for i in r.inputShapes.indices { _ = try matrix(r, i) }
            if let w = r.args.numbers("weights"), w.count != r.inputShapes.count || w.contains(where: { !($0 >= 0) }) {
                throw mismatch(r, "one weight >= 0 per input")
            }
            return .scalar
        }
    }
    static let nrm2 = norm("nrm2")
    static let norm = norm("norm")

    static let assemble = op("assemble", params: [
        ParamSpec("grid_rows", .int, required: true, doc: "", check: atLeast(1)),
        ParamSpec("grid_cols", .int, required: true, doc: "", check: atLeast(1)),
        ParamSpec("fill", .string, default: .string("full"), doc: "", check: oneOf(["full", "lower"])),
    ], inputs: .atLeast(1)) { r throws(ShapeError) in
        let g = (rows: r.args.int("grid_rows"), cols: r.args.int("grid_cols"))
        let lower = r.args.string("fill") == "lower"
        let cells = (0..<g.rows).flatMap { i in (0..<(lower ? min(i + 1, g.cols) : g.cols)).map { (i, $0) } }
        if cells.count != r.inputShapes.count { throw mismatch(r, "\(cells.count) tiles expected") }
        var heights = [Int?](repeating: nil, count: g.rows), widths = [Int?](repeating: nil, count: g.cols)
        for (k, (i, j)) in cells.enumerated() {
            guard let t = try matrix(r, k) else { return .unknown }
            if heights[i] == nil { heights[i] = t.rows }
            if widths[j] == nil { widths[j] = t.cols }
            if heights[i] != t.rows || widths[j] != t.cols { throw mismatch(r, "tile (\(i), \(j)) does not fit its grid row or column") }
        }
        return .matrix(rows: heights.reduce(0) { $0 + ($1 ?? 0) }, cols: widths.reduce(0) { $0 + ($1 ?? 0) })
    }

    static let check = op("check", params: [
        ParamSpec("max", .number, required: true, doc: "") { v in
            if case .double(let d) = v, !(d > 0) { return "must be above 0, got \(d)" }
            return nil
        },
        ParamSpec("what", .string, default: .string("residual"), doc: ""),
    ], inputs: .atLeast(1)) { r throws(ShapeError) in try scalarInputs(r) }
}
