import DagCore
import Foundation

/// Runs a validated graph on one thread with plain-Swift loops that follow the op
/// vocabulary's definitions (la-ops-spec.md): a second opinion, independent of the
/// runtime and of BLAS, on what a generated graph computes. For small graphs only.
///
/// `spd`, `diagdom` and `random` are this evaluator's own deterministic matrices with the
/// spec's properties (an `spd` block is a slice of one symmetric, strictly diagonally
/// dominant matrix, a `diagdom` block of one strictly diagonally dominant matrix that is not
/// symmetric; `random` is uniform in [0, 1) or standard normal), not the runtime's bits.
struct ReferenceEvaluator {
    enum Value {
        case matrix(Mat)
        case scalar(Double)
    }

    struct Mat: Equatable {
        var rows: Int
        var cols: Int
        var a: [Double]

        init(_ rows: Int, _ cols: Int, _ a: [Double]? = nil) {
            self.rows = rows
            self.cols = cols
            self.a = a ?? [Double](repeating: 0, count: rows * cols)
        }

        subscript(i: Int, j: Int) -> Double {
            get { a[i * cols + j] }
            set { a[i * cols + j] = newValue }
        }

        var transposed: Mat {
            var t = Mat(cols, rows)
            for i in 0..<rows { for j in 0..<cols { t[j, i] = self[i, j] } }
            return t
        }

        static func * (x: Mat, y: Mat) -> Mat {
            precondition(x.cols == y.rows)
            var z = Mat(x.rows, y.cols)
            for i in 0..<x.rows { for k in 0..<x.cols { let v = x[i, k]; for j in 0..<y.cols { z[i, j] += v * y[k, j] } } }
            return z
        }

        var frobenius: Double { a.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }

    struct Failure: Error, CustomStringConvertible {
        var task: String
        var message: String
        var description: String { "task '\(task)': \(message)" }
    }

    /// Every task's result, by id.
    private(set) var results: [String: Value] = [:]

    func matrix(_ id: String) -> Mat? {
        if case .matrix(let m)? = results[id] { return m }
        return nil
    }

    func scalar(_ id: String) -> Double? {
        if case .scalar(let s)? = results[id] { return s }
        return nil
    }

    struct Missing: Error, CustomStringConvertible {
        var id: String
        var description: String { "no matrix result '\(id)'" }
    }

    /// The whole matrix from the results `name[i][j]` of a t x t grid; `lower`: only
    /// tiles j ≤ i exist, zero above; `symmetric`: only j ≤ i exist, mirrored above.
    func assembled(_ name: String, _ t: Int, lower: Bool = false, symmetric: Bool = false) throws -> Mat {
        func tile(_ i: Int, _ j: Int) throws -> Mat {
            guard let m = matrix("\(name)[\(i)][\(j)]") else { throw Missing(id: "\(name)[\(i)][\(j)]") }
            return m
        }
        let heights = try (0..<t).map { try tile($0, 0).rows }, widths = try (0..<t).map { try tile(t - 1, $0).cols }
        var whole = Mat(heights.reduce(0, +), widths.reduce(0, +))
        for i in 0..<t {
            for j in 0..<t {
                let (r0, c0) = (heights[..<i].reduce(0, +), widths[..<j].reduce(0, +))
                if j > i && lower { continue }
                let block = j > i && symmetric ? try tile(j, i).transposed : try tile(i, j)
                for r in 0..<block.rows { for c in 0..<block.cols { whole[r0 + r, c0 + c] = block[r, c] } }
            }
        }
        return whole
    }

    /// The column of the results `name[0]`, `name[1]`, ... (t blocks).
    func stacked(_ name: String, _ t: Int) throws -> Mat {
        var values: [Double] = []
        for i in 0..<t {
            guard let m = matrix("\(name)[\(i)]") else { throw Missing(id: "\(name)[\(i)]") }
            values += m.a
        }
        return Mat(values.count, 1, values)
    }

    /// Evaluates every task in topological order; throws the first task that fails
    /// (a `check` above its tolerance, a `potrf` of a matrix that is not SPD).
    mutating func run(_ graph: TaskGraph) throws(Failure) {
        for t in graph.topologicalOrder.map(Int.init) {
            let inputs = graph.inputs(of: t).map { results[graph.ids[Int($0)]]! }
            results[graph.ids[t]] = try evaluate(graph.op(of: t), graph.args[t], inputs, id: graph.ids[t])
        }
    }

    private func evaluate(_ op: String, _ args: Args, _ inputs: [Value], id: String) throws(Failure) -> Value {
        func m(_ i: Int) -> Mat {
            guard case .matrix(let x) = inputs[i] else { preconditionFailure("\(id): input \(i) is not a matrix") }
            return x
        }
        func s(_ i: Int) -> Double {
            guard case .scalar(let x) = inputs[i] else { preconditionFailure("\(id): input \(i) is not a scalar") }
            return x
        }
        switch op {
        case "random":
            var rng = Stream(args.int("seed"))
            let normal = args.string("dist") == "normal"
            let count = args.int("rows") * args.int("cols")
            return .matrix(Mat(args.int("rows"), args.int("cols"), (0..<count).map { _ in normal ? rng.normal() : rng.uniform() }))
        case "spd", "diagdom":
            // spd: element (r, c) from the stream of (min, max), so symmetric; diagdom: of (r, c).
            let n = args.int("n"), seed = args.int("seed"), symmetric = op == "spd"
            let rows = args["rows"] == nil ? n : args.int("rows"), cols = args["cols"] == nil ? n : args.int("cols")
            var block = Mat(rows, cols)
            for i in 0..<rows {
                for j in 0..<cols {
                    let (r, c) = (args.int("row") + i, args.int("col") + j)
                    let (first, second) = symmetric ? (min(r, c), max(r, c)) : (r, c)
                    var rng = Stream(seed &* 31 &+ first &* 1_000_003 &+ second)
                    block[i, j] = (r == c ? Double(n) : 0) + rng.uniform()
                }
            }
            return .matrix(block)
        case "gemm":
            let a = args.bool("transA") ? m(0).transposed : m(0), b = args.bool("transB") ? m(1).transposed : m(1)
            return .matrix(combine(args.double("alpha"), a * b, args.double("beta"), inputs.count == 3 ? m(2) : nil))
        case "syrk":
            let a = args.bool("trans") ? m(0).transposed : m(0)
            return .matrix(combine(args.double("alpha"), a * a.transposed, args.double("beta"), inputs.count == 2 ? m(1) : nil))
        case "gemv" where inputs.count <= 3:
            let a = part(m(0), args.strings("triangle")?[0] ?? "full")
            let opA = args.flags("trans", count: 1)![0] ? a.transposed : a
            return .matrix(combine(args.double("alpha"), opA * m(1), args.double("beta"), inputs.count == 3 ? m(2) : nil))
        case "gemv":
            // Pairs M_0, v_0, M_1, v_1, ...: alpha·Σ op(M_k)·v_k, M_k restricted to its triangle.
            let trans = args.flags("trans", count: inputs.count / 2)!
            var sum: Mat?
            for k in 0..<inputs.count / 2 {
                let a = part(m(2 * k), args.strings("triangle")?[k] ?? "full")
                let product = (trans[k] ? a.transposed : a) * m(2 * k + 1)
                sum = combine(1, product, 1, sum)
            }
            return .matrix(combine(args.double("alpha"), sum!, 0, nil))
        case "getrf":
            precondition(args.bool("pivot") == false, "\(id): the reference evaluator has getrf without pivoting only")
            return .matrix(try luWithoutPivoting(m(0), id: id))
        case "trsm":
            return .matrix(trsm(args, m(0), m(1)))
        case "potrf":
            return .matrix(try potrf(m(0), lower: args.bool("lower"), id: id))
        case "sub":
            return .matrix(combine(1, m(0), -1, m(1)))
        case "nrm2", "norm":
            // √(Σ_k w_k·‖input_k‖²), all weights 1 unless given.
            let weights = args.numbers("weights") ?? inputs.map { _ in 1 }
            return .scalar(inputs.indices.reduce(0.0) { $0 + weights[$1] * m($1).frobenius * m($1).frobenius }.squareRoot())
        case "assemble":
            return .matrix(assemble(args, inputs.indices.map(m)))
        case "check":
            let value = inputs.indices.dropFirst().reduce(s(0)) { $0 / s($1) }
            if !(value <= args.double("max")) {
                throw Failure(task: id, message: "\(args.string("what") ?? "residual") = \(value) is above the tolerance \(args.double("max"))")
            }
            return .scalar(value)
        default:
            preconditionFailure("\(id): the reference evaluator has no op '\(op)'")
        }
    }

    /// alpha·x + beta·y (y absent: alpha·x).
    private func combine(_ alpha: Double, _ x: Mat, _ beta: Double, _ y: Mat?) -> Mat {
        var z = x
        for k in z.a.indices { z.a[k] = alpha * x.a[k] + (y.map { beta * $0.a[k] } ?? 0) }
        return z
    }

    /// op(A)·X = alpha·B (left) or X·op(A) = alpha·B (right), reading only A's named triangle.
    private func trsm(_ args: Args, _ a: Mat, _ b: Mat) -> Mat {
        let lower = args.bool("lower"), unit = args.bool("unit")
        var t = Mat(a.rows, a.cols)
        for i in 0..<a.rows {
            for j in 0..<a.cols where lower ? j <= i : j >= i { t[i, j] = i == j && unit ? 1 : a[i, j] }
        }
        let left = args.string("side") != "right"
        // Right: X·op(A) = B  <=>  op(A)ᵀ·Xᵀ = Bᵀ. M is the triangular matrix to solve with.
        let transposeA = args.bool("transA") != !left
        let op = transposeA ? t.transposed : t
        let opLower = lower != transposeA
        var rhs = left ? b : b.transposed
        for c in 0..<rhs.cols {
            let order = opLower ? Array(0..<op.rows) : Array((0..<op.rows).reversed())
            for i in order {
                var v = args.double("alpha") * rhs[i, c]
                for k in 0..<op.cols where k != i && op[i, k] != 0 { v -= op[i, k] * rhs[k, c] }
                rhs[i, c] = v / op[i, i]
            }
        }
        return left ? rhs : rhs.transposed
    }

    /// The `triangle` of gemv ("full", "lower", "upper", "lower-unit", "upper-unit") of a square
    /// matrix: the rest zero, ones on a unit diagonal.
    private func part(_ a: Mat, _ triangle: String) -> Mat {
        guard triangle != "full" else { return a }
        var t = Mat(a.rows, a.cols)
        for i in 0..<a.rows {
            for j in 0..<a.cols {
                let inside = triangle.hasPrefix("upper") ? j >= i : j <= i
                if inside { t[i, j] = i == j && triangle.hasSuffix("-unit") ? 1 : a[i, j] }
            }
        }
        return t
    }

    /// Doolittle's elimination without pivoting, packed: L's multipliers below the diagonal, U on and above it.
    private func luWithoutPivoting(_ a: Mat, id: String) throws(Failure) -> Mat {
        var lu = a
        let n = a.rows
        for k in 0..<n {
            guard lu[k, k] != 0 else { throw Failure(task: id, message: "zero pivot at row \(k)") }
            for i in (k + 1)..<max(n, k + 1) {
                lu[i, k] /= lu[k, k]
                for j in (k + 1)..<n { lu[i, j] -= lu[i, k] * lu[k, j] }
            }
        }
        return lu
    }

    private func potrf(_ a: Mat, lower: Bool, id: String) throws(Failure) -> Mat {
        var l = Mat(a.rows, a.cols)
        for j in 0..<a.rows {
            var d = a[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 0 else { throw Failure(task: id, message: "not positive definite at order \(j + 1)") }
            l[j, j] = d.squareRoot()
            for i in (j + 1)..<max(a.rows, j + 1) {
                var v = a[i, j]
                for k in 0..<j { v -= l[i, k] * l[j, k] }
                l[i, j] = v / l[j, j]
            }
        }
        return lower ? l : l.transposed
    }

    private func assemble(_ args: Args, _ tiles: [Mat]) -> Mat {
        let g = (rows: args.int("grid_rows"), cols: args.int("grid_cols"))
        let lower = args.string("fill") == "lower"
        let cells = (0..<g.rows).flatMap { i in (0..<(lower ? min(i + 1, g.cols) : g.cols)).map { (i, $0) } }
        var heights = [Int](repeating: 0, count: g.rows), widths = [Int](repeating: 0, count: g.cols)
        for (k, (i, j)) in cells.enumerated() { heights[i] = tiles[k].rows; widths[j] = tiles[k].cols }
        var whole = Mat(heights.reduce(0, +), widths.reduce(0, +))
        for (k, (i, j)) in cells.enumerated() {
            let (r0, c0) = (heights[..<i].reduce(0, +), widths[..<j].reduce(0, +))
            for r in 0..<tiles[k].rows { for c in 0..<tiles[k].cols { whole[r0 + r, c0 + c] = tiles[k][r, c] } }
        }
        return whole
    }

    /// SplitMix64, for this evaluator's matrices.
    struct Stream {
        var state: UInt64
        init(_ seed: Int) { state = UInt64(bitPattern: Int64(seed)) }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

        /// Box–Muller.
        mutating func normal() -> Double {
            let u = 1 - uniform(), v = uniform()
            return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
    }
}
