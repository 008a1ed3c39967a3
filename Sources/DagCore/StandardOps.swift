/// The first set of ops: numeric CPU ops over dense row-major Double matrices
/// (implemented with OpenBLAS in the runtime) and IO ops (files, commands, waits).
///
/// Cost estimates are deliberately simple (one core at ~10 GFLOP/s for BLAS 3, ~1 G elements/s
/// for element-wise work, a fixed guess for file IO); a task's `cost` field overrides them.
extension OpCatalogue {
    public static let standard = OpCatalogue(StandardOps.all)
}

enum StandardOps {
    static let flopsPerSecond = 1.0e10
    static let elementsPerSecond = 1.0e9
    static let smallTask = 1.0e-6
    static let fileTask = 1.0e-3

    static var all: [OpSignature] {
        [random, fill("zeros", "A matrix of zeros."), fill("ones", "A matrix of ones."), eye,
         gemm, add, scale, sum, noop, fail,
         loadNPY, saveNPY, readText, writeText, sleep, exec] + linearAlgebra + IOOps.all
    }

    // MARK: Argument helpers

    static let positive: @Sendable (ArgValue) -> String? = { v in
        if case .int(let i) = v, i < 1 { return "must be at least 1, got \(i)" }
        return nil
    }
    static let nonNegative: @Sendable (ArgValue) -> String? = { v in
        if case .double(let d) = v, !(d >= 0) || !d.isFinite { return "must be a finite number >= 0, got \(d)" }
        return nil
    }
    static let nonEmptyString: @Sendable (ArgValue) -> String? = { v in
        if case .string(let s) = v, s.isEmpty { return "must not be empty" }
        return nil
    }
    static let dims = [
        ParamSpec("rows", .int, required: true, doc: "number of rows", check: positive),
        ParamSpec("cols", .int, required: true, doc: "number of columns", check: positive),
    ]
    static let path = ParamSpec("path", .string, required: true,
                                doc: "file path; relative paths are resolved against the graph file's directory",
                                check: nonEmptyString)

    static func elementwiseCost(_ shape: ValueShape) -> Double {
        Double(max(shape.elementCount, 1)) / elementsPerSecond + smallTask
    }

    // MARK: Matrix constructors

    static let random = OpSignature(
        name: "random", summary: "A seeded matrix of uniform values in [0, 1), or standard normal ones (dist normal).",
        defaultClass: .cpu,
        params: dims + [ParamSpec("seed", .int, default: .int(0), doc: "generator seed; same seed, same matrix"),
                        ParamSpec("dist", .string, default: .string("uniform"),
                                  doc: "distribution: uniform ([0, 1)) or normal (mean 0, variance 1)",
                                  check: oneOf(["uniform", "normal"]))],
        inputs: .exactly(0),
        shape: { r in .matrix(rows: r.args.int("rows"), cols: r.args.int("cols")) },
        cost: { _, s in elementwiseCost(s) * 4 })

    static func fill(_ name: String, _ summary: String) -> OpSignature {
        OpSignature(name: name, summary: summary, defaultClass: .cpu, params: dims, inputs: .exactly(0),
                    shape: { r in .matrix(rows: r.args.int("rows"), cols: r.args.int("cols")) },
                    cost: { _, s in elementwiseCost(s) })
    }

    static let eye = OpSignature(
        name: "eye", summary: "The n x n identity matrix.", defaultClass: .cpu,
        params: [ParamSpec("n", .int, required: true, doc: "size", check: positive)], inputs: .exactly(0),
        shape: { r in .matrix(rows: r.args.int("n"), cols: r.args.int("n")) },
        cost: { _, s in elementwiseCost(s) })

    // MARK: Numeric ops

    static let gemm = OpSignature(
        name: "gemm", summary: "C = alpha * op(A) * op(B) + beta * C (cblas_dgemm); inputs A, B and optionally C.",
        defaultClass: .cpu,
        params: [
            ParamSpec("alpha", .number, default: .double(1), doc: "scale of op(A) * op(B)"),
            ParamSpec("beta", .number, default: .double(0), doc: "scale of the third input C"),
            ParamSpec("transA", .bool, default: .bool(false), doc: "use the transpose of A"),
            ParamSpec("transB", .bool, default: .bool(false), doc: "use the transpose of B"),
        ],
        inputs: .between(2, 3),
        shape: { r throws(ShapeError) in
            let beta = r.args.double("beta")
            if r.inputShapes.count == 2 && beta != 0 {
                throw ShapeError(field: "args.beta", message: "beta is \(beta) but there is no third input C to scale",
                                 hint: "add C as a third input or drop beta")
            }
            guard let a = try r.matrix(0), let b = try r.matrix(1) else {
                if r.inputShapes.count == 3 { _ = try r.matrix(2) }
                return .unknown
            }
            let ta = r.args.bool("transA"), tb = r.args.bool("transB")
            let (m, ka) = ta ? (a.cols, a.rows) : (a.rows, a.cols)
            let (kb, n) = tb ? (b.cols, b.rows) : (b.rows, b.cols)
            if ka != kb {
                let opA = ta ? "A^T" : "A", opB = tb ? "B^T" : "B"
                throw ShapeError(
                    message: "gemm cannot multiply '\(r.inputIDs[0])' (\(a.rows)x\(a.cols)) by '\(r.inputIDs[1])' (\(b.rows)x\(b.cols)): "
                        + "\(opA) has \(ka) columns but \(opB) has \(kb) rows",
                    hint: "check the shapes of both inputs, or set transA/transB")
            }
            if r.inputShapes.count == 3, let c = try r.matrix(2), c.rows != m || c.cols != n {
                throw ShapeError(
                    field: "inputs[2]",
                    message: "gemm's C input '\(r.inputIDs[2])' is \(c.rows)x\(c.cols) but the product is \(m)x\(n)")
            }
            return .matrix(rows: m, cols: n)
        },
        cost: { r, s in
            guard case .matrix(let m, let n) = s, case .matrix(let ar, let ac) = r.inputShapes[0] else { return 1e-3 }
            let k = r.args.bool("transA") ? ar : ac
            return 2 * Double(m) * Double(n) * Double(k) / flopsPerSecond + smallTask
        })

    static let add = OpSignature(
        name: "add", summary: "Element-wise sum of two or more matrices of one shape, or of scalars.",
        defaultClass: .cpu, inputs: .atLeast(2),
        shape: { r throws(ShapeError) in try sameShape(r) },
        cost: { r, s in elementwiseCost(s) * Double(r.inputShapes.count - 1) })

    static let scale = OpSignature(
        name: "scale", summary: "alpha times a matrix or a scalar.", defaultClass: .cpu,
        params: [ParamSpec("alpha", .number, required: true, doc: "the factor")], inputs: .exactly(1),
        shape: { r throws(ShapeError) in try sameShape(r) },
        cost: { _, s in elementwiseCost(s) })

    static let sum = OpSignature(
        name: "sum", summary: "The sum of all elements of its inputs (matrices or scalars), as a scalar.",
        defaultClass: .cpu, inputs: .atLeast(1),
        shape: { r throws(ShapeError) in try reductionShape(r) },
        cost: { r, _ in reductionCost(r) })

    /// A reduction over matrices or scalars: a scalar, whatever the inputs' shapes.
    static func reductionShape(_ r: ShapeRequest) throws(ShapeError) -> ValueShape {
        for (i, s) in r.inputShapes.enumerated() {
            switch s {
            case .matrix, .scalar, .unknown: continue
            default: throw ShapeError(field: "inputs[\(i)]",
                                      message: "\(r.op) needs matrices or scalars, but input '\(r.inputIDs[i])' produces \(s)")
            }
        }
        return .scalar
    }

    static func reductionCost(_ r: ShapeRequest) -> Double {
        r.inputShapes.reduce(smallTask) { $0 + Double($1.elementCount) / elementsPerSecond }
    }

    static let noop = OpSignature(
        name: "noop", summary: "Does nothing; for measuring scheduling overhead.", defaultClass: .cpu,
        inputs: .orderingOnly, shape: { _ in .nothing }, cost: { _, _ in smallTask }, fixed: (.nothing, smallTask))

    /// The ways `fail` can fail.
    public static let failureKinds = ["error", "abort", "segfault", "exit", "allocate", "spin"]

    static let fail = OpSignature(
        name: "fail",
        summary: "Fails on purpose, to test pipelines: an error, or in a worker process a crash (abort, segfault) or an exit; allocate and spin succeed unless max_memory or timeout stops them.",
        defaultClass: .cpu, allowedClasses: [.cpu],
        params: [
            ParamSpec("how", .string, default: .string("error"),
                      doc: "error (throws), abort, segfault, exit (abort, segfault and exit only in a worker process), allocate (allocates and writes `bytes`), spin (busy for `seconds`)",
                      check: { v in
                          if case .string(let s) = v, !failureKinds.contains(s) {
                              return "must be one of \(failureKinds.joined(separator: ", ")), got \"\(s)\""
                          }
                          return nil
                      }),
            ParamSpec("bytes", .int, default: .int(0), doc: "how = allocate: bytes to allocate and write"),
            ParamSpec("seconds", .number, default: .double(0), doc: "how = spin: seconds to spin", check: nonNegative),
            ParamSpec("status", .int, default: .int(3), doc: "how = exit: the exit status"),
            ParamSpec("fail_attempts", .int,
                      doc: "fail only the first N attempts, then succeed with nothing (with retries); default: every attempt"),
        ],
        inputs: .orderingOnly, shape: { r in ["allocate", "spin"].contains(r.args.string("how") ?? "") ? .scalar : .nothing },
        cost: { r, _ in r.args.string("how") == "spin" ? r.args.double("seconds") : smallTask })

    /// Inputs all matrices of one shape (result: that shape) or all scalars (result: scalar).
    static func sameShape(_ r: ShapeRequest) throws(ShapeError) -> ValueShape {
        var result: ValueShape = .unknown
        var first = -1
        for (i, s) in r.inputShapes.enumerated() {
            switch s {
            case .unknown: continue
            case .matrix, .scalar:
                if first < 0 { first = i; result = s; continue }
                if s != result {
                    throw ShapeError(field: "inputs[\(i)]",
                                     message: "\(r.op) needs inputs of one shape, but '\(r.inputIDs[first])' is \(result) and '\(r.inputIDs[i])' is \(s)")
                }
            default:
                throw ShapeError(field: "inputs[\(i)]",
                                 message: "\(r.op) needs matrices or scalars, but input '\(r.inputIDs[i])' produces \(s)")
            }
        }
        return result
    }

    // MARK: IO ops

    static let loadNPY = OpSignature(
        name: "load_npy", summary: "Read a numpy .npy file (float64/float32/int64/int32, 1-D or 2-D) into a matrix.",
        defaultClass: .io, params: [path], inputs: .orderingOnly,
        shape: { _ in .unknown }, cost: { _, _ in fileTask })

    static let saveNPY = OpSignature(
        name: "save_npy", summary: "Write a matrix to a numpy .npy file (float64), atomically.",
        defaultClass: .io, params: [path], inputs: .exactly(1),
        shape: { r throws(ShapeError) in _ = try r.matrix(0); return .nothing },
        cost: { r, _ in fileTask + Double(r.inputShapes[0].elementCount) * 8 / 1e9 })

    static let readText = OpSignature(
        name: "read_text", summary: "Read a UTF-8 text file.", defaultClass: .io, params: [path],
        inputs: .orderingOnly, shape: { _ in .text }, cost: { _, _ in fileTask })

    static let writeText = OpSignature(
        name: "write_text",
        summary: "Write text atomically: the input (text, scalar or matrix, formatted) or the 'text' argument.",
        defaultClass: .io,
        params: [path, ParamSpec("text", .string, doc: "the text to write when there is no input")],
        inputs: .between(0, 1),
        shape: { r throws(ShapeError) in
            if r.inputShapes.isEmpty && r.args["text"] == nil {
                throw ShapeError(field: "args.text", message: "write_text needs an input or a 'text' argument",
                                 hint: "add \"text\": \"...\" to args, or an input task")
            }
            if !r.inputShapes.isEmpty && r.args["text"] != nil {
                throw ShapeError(field: "args.text", message: "write_text has both an input and a 'text' argument",
                                 hint: "keep one of them")
            }
            if let s = r.inputShapes.first, s == .nothing {
                throw ShapeError(field: "inputs[0]", message: "write_text's input '\(r.inputIDs[0])' produces nothing to write")
            }
            return .nothing
        },
        cost: { _, _ in fileTask })

    static let sleep = OpSignature(
        name: "sleep", summary: "Wait a number of seconds without holding a core.", defaultClass: .io,
        allowedClasses: [.io],
        params: [ParamSpec("seconds", .number, required: true, doc: "how long to wait", check: nonNegative)],
        inputs: .orderingOnly, shape: { _ in .nothing },
        cost: { r, _ in r.args.double("seconds") })

    static let exec = OpSignature(
        name: "exec",
        summary: "Run an external command (argv list, no shell); exit status checked; its stdout is the result.",
        defaultClass: .io,
        params: [
            ParamSpec("argv", .stringList, required: true, doc: "the program and its arguments",
                      check: { v in if case .list(let l) = v, l.isEmpty { return "must name a program" }; return nil }),
            ParamSpec("cwd", .string, doc: "working directory (default: the graph file's directory)"),
            ParamSpec("stdout", .string, doc: "file to capture standard output into (written atomically)"),
            ParamSpec("stderr", .string, doc: "file to capture standard error into (written atomically)"),
            ParamSpec("env", .keyValues, doc: "variables to set or override in the inherited environment"),
        ],
        inputs: .orderingOnly, shape: { _ in .text }, cost: { _, _ in 5e-3 })
}
