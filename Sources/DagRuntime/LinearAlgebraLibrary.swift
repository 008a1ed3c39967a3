import DagCore
import DagKernels
import Glibc

/// Which implementations a library's `gemm`, `gemv`, `potrf` and `axpy` use.
public enum KernelSet: String, Sendable, CaseIterable {
    /// OpenBLAS (``Kernels``): the default.
    case openblas
    /// The blocked plain-Swift kernels (``ReferenceKernels`` with `.blocked`): slower, no BLAS,
    /// for cross-checking results and measuring what OpenBLAS buys.
    case reference
}

extension OpLibrary {
    /// The standard library with `gemm`, `gemv`, `potrf` and `axpy` running the blocked
    /// plain-Swift kernels instead of OpenBLAS (`dagrun run --kernels reference`).
    /// Every other op is the standard one.
    public static let reference: OpLibrary = {
        var lib = OpLibrary.standard
        lib.registerSwappableKernels(.reference)
        return lib
    }()

    /// The library for a kernel set: ``standard`` or ``reference``.
    public static func with(kernels: KernelSet) -> OpLibrary {
        switch kernels {
        case .openblas: .standard
        case .reference: .reference
        }
    }

    /// The bodies of the linear-algebra ops (``OpCatalogue/standard``'s issue-4 vocabulary).
    mutating func registerLinearAlgebra(kernels: KernelSet) {
        registerSwappableKernels(kernels)
        // A block of one seeded matrix: spd or diagdom, with the same arguments.
        for (name, block) in [("spd", Kernels.spd), ("diagdom", Kernels.diagdom)] {
            register(name, .sync { i in
                .matrix(try block(i.args.int("n"), UInt64(bitPattern: Int64(i.args.int("seed"))),
                                  i.args.int("row"), i.args.int("col"),
                                  i.args["rows"] == nil ? nil : i.args.int("rows"),
                                  i.args["cols"] == nil ? nil : i.args.int("cols")))
            })
        }
        register("dot", .sync { i in .scalar(try Kernels.dot(try i.matrix(0), try i.matrix(1))) })
        register("scal", .sync { i in .matrix(Kernels.scale(try i.matrix(0), by: i.args.double("alpha"))) })
        // One input without weights: cblas_dnrm2 of it; otherwise the inputs' norms combined.
        let norm: OpBody = .sync { i in
            let inputs = try (0..<i.inputCount).map { k throws(OpError) in try i.matrix(k) }
            return .scalar(try Kernels.nrm2(of: inputs, weights: i.args.numbers("weights")))
        }
        register("nrm2", norm)
        register("norm", norm)
        register("syrk", .sync { i in
            .matrix(try Kernels.syrk(try i.matrix(0), c: i.inputCount == 2 ? try i.matrix(1) : nil,
                                     alpha: i.args.double("alpha"), beta: i.args.double("beta"), trans: i.args.bool("trans")))
        })
        register("trsm", .sync { i in
            guard let side = Kernels.Side(rawValue: i.args.string("side") ?? "left") else {
                throw OpError("side is \(i.args["side"]!); use \"left\" or \"right\"")
            }
            // X overwrites B: in B's own storage when this task is its only reader.
            return .matrix(try Kernels.trsm(try i.matrix(0), try i.matrixForUpdate(1), side: side, lower: i.args.bool("lower"),
                                            transA: i.args.bool("transA"), unit: i.args.bool("unit"),
                                            alpha: i.args.double("alpha")))
        })
        register("getrf", .sync { i in
            guard i.args.bool("pivot") else {
                // Not matrixForUpdate: this can fail on A's values, and the failure names the input
                // as the run still holds it ("inputs 'A' (matrix 512x512)", not "(nothing)"). The
                // price is one more tile-sized buffer while the task runs.
                return .matrix(try Kernels.getrfNoPivot(try i.matrix(0)))
            }
            return .luFactors(try Kernels.getrf(try i.matrix(0)))
        })
        register("getrs", .sync { i in .matrix(try Kernels.getrs(try i.luFactors(0), try i.matrix(1))) })
        register("geqrf", .sync { i in .matrix(try Kernels.geqrf(try i.matrix(0))) })
        register("sub", .sync { i in
            if case .scalar(let a) = i.input(0) { return .scalar(a - (try i.scalar(1))) }
            return .matrix(try Kernels.sub(try i.matrix(0), try i.matrix(1)))
        })
        register("mul", .sync { i in
            if case .scalar(let a) = i.input(0) { return .scalar(a * (try i.scalar(1))) }
            return .matrix(try Kernels.mul(try i.matrix(0), try i.matrix(1)))
        })
        register("max", .sync { i in
            var largest = -Double.infinity
            var elements = 0
            for k in 0..<i.inputCount {
                let value: Double
                switch i.input(k) {
                case .matrix(let m):
                    elements += m.count
                    value = Kernels.maxElement(m)
                case .scalar(let s):
                    elements += 1
                    value = s
                case let v: throw OpError("input '\(i.inputID(k))' is \(v); max needs matrices or scalars")
                }
                if value.isNaN { return .scalar(.nan) }
                largest = Swift.max(largest, value)
            }
            guard elements > 0 else { throw OpError("max has no element to compare: every input is an empty matrix") }
            return .scalar(largest)
        })
        register("transpose", .sync { i in .matrix(Kernels.transpose(try i.matrix(0))) })
        register("slice", .sync { i in
            .matrix(try Kernels.slice(try i.matrix(0), row: i.args.int("row"), col: i.args.int("col"),
                                      rows: i.args.int("rows"), cols: i.args.int("cols")))
        })
        register("assemble", .sync { i in
            guard let fill = Kernels.Fill(rawValue: i.args.string("fill") ?? "full") else {
                throw OpError("fill is \(i.args["fill"]!); use \"full\" or \"lower\"")
            }
            let tiles = try (0..<i.inputCount).map { k throws(OpError) in try i.matrix(k) }
            return .matrix(try Kernels.assemble(tiles, gridRows: i.args.int("grid_rows"), gridCols: i.args.int("grid_cols"),
                                                fill: fill))
        })
        register("concat", .sync { i in
            guard let axis = Kernels.ConcatAxis(rawValue: i.args.int("axis")) else {
                throw OpError("axis is \(i.args.int("axis")); use 0 (stack rows) or 1 (side by side)")
            }
            let parts = try (0..<i.inputCount).map { k throws(OpError) in try i.matrix(k) }
            return .matrix(try Kernels.concat(parts, axis: axis))
        })
        register("check", .sync { i in
            .scalar(try ResidualCheck.evaluate(i))
        })
    }

    /// `gemm`, `gemv`, `potrf` and `axpy` from OpenBLAS or from the blocked Swift kernels.
    mutating func registerSwappableKernels(_ kernels: KernelSet) {
        let reference = kernels == .reference
        register("gemm", .sync { i in
            let (a, b) = (try i.matrix(0), try i.matrix(1))
            let (alpha, beta) = (i.args.double("alpha"), i.args.double("beta"))
            let (transA, transB) = (i.args.bool("transA"), i.args.bool("transB"))
            if reference {
                let c = i.inputCount == 3 ? try i.matrix(2) : nil
                return .matrix(try ReferenceKernels.gemm(a, b, c: c, alpha: alpha, beta: beta, transA: transA, transB: transB,
                                                         variant: .blocked))
            }
            guard i.inputCount == 3, beta != 0 else {
                return .matrix(try Kernels.gemm(a, b, alpha: alpha, transA: transA, transB: transB))
            }
            // Accumulating into C: in C's own storage when this task is its only reader.
            return .matrix(try Kernels.gemm(a, b, updating: try i.matrixForUpdate(2), alpha: alpha, beta: beta,
                                            transA: transA, transB: transB))
        })
        register("gemv", .sync { i in
            // One triangle per pair (validation checked the words and the count).
            let triangles = try i.args.strings("triangle")?.map { word throws(OpError) in
                guard let t = Kernels.Triangle(rawValue: word) else { throw OpError("triangle \"\(word)\" is not one gemv knows") }
                return t
            }
            guard i.inputCount <= 3 else {
                // Pairs M_0, v_0, M_1, v_1, ...: one column, the sum of the pairs' products.
                let count = i.inputCount / 2
                guard i.inputCount % 2 == 0, let trans = i.args.flags("trans", count: count), trans.count == count else {
                    throw OpError("gemv takes pairs M_k, v_k with one trans flag each; got \(i.inputCount) inputs")
                }
                let pairs = try (0..<count).map { k throws(OpError) in (try i.matrix(2 * k), try i.matrix(2 * k + 1), trans[k]) }
                let alpha = i.args.double("alpha")
                return .matrix(reference
                    ? try ReferenceKernels.gemv(pairs: pairs, alpha: alpha, triangles: triangles, variant: .blocked)
                    : try Kernels.gemv(pairs: pairs, alpha: alpha, triangles: triangles))
            }
            let y = i.inputCount == 3 ? try i.matrix(2) : nil
            let (a, x) = (try i.matrix(0), try i.matrix(1))
            let (alpha, beta) = (i.args.double("alpha"), i.args.double("beta"))
            let trans = i.args.flags("trans", count: 1)?.first ?? false
            let triangle = triangles?.first ?? .full
            return .matrix(reference
                ? try ReferenceKernels.gemv(a, x, y: y, alpha: alpha, beta: beta, trans: trans, triangle: triangle, variant: .blocked)
                : try Kernels.gemv(a, x, y: y, alpha: alpha, beta: beta, trans: trans, triangle: triangle))
        })
        register("potrf", .sync { i in
            let a = try i.matrix(0), lower = i.args.bool("lower")
            return .matrix(reference
                ? try ReferenceKernels.potrf(a, lower: lower, variant: .blocked)
                : try Kernels.potrf(a, lower: lower))
        })
        register("axpy", .sync { i in
            let (x, y, alpha) = (try i.matrix(0), try i.matrix(1), i.args.double("alpha"))
            return .matrix(reference
                ? try ReferenceKernels.axpy(alpha, x, y, variant: .blocked)
                : try Kernels.axpy(alpha, x, y))
        })
    }
}

/// The `check` op: `value = input0 / (input1 * input2 * ...)`, failing above `max` or on NaN.
enum ResidualCheck {
    static func evaluate(_ i: OpInput) throws -> Double {
        let what = i.args.string("what") ?? "residual"
        let tolerance = i.args.double("max")
        let numerator = try i.scalar(0)
        var divisor = 1.0
        for k in 1..<max(i.inputCount, 1) {
            let s = try i.scalar(k)
            if s == 0 {
                throw OpError("\(what) cannot be computed: input '\(i.inputID(k))' is 0, so the divisor is zero "
                              + "(check what that input measures; a zero norm means an empty or all-zero matrix)")
            }
            divisor *= s
        }
        let value = numerator / divisor
        if value.isNaN {
            throw OpError("\(what) is NaN (an input was NaN or infinite), so it is not within the tolerance \(tolerance); "
                          + "look for a failed factorization or an overflow upstream")
        }
        if value > tolerance {
            throw OpError("\(what) = \(scientific(value)) is above the tolerance \(tolerance) "
                          + "(the result upstream is wrong, or the tolerance is too tight for this size)")
        }
        return value
    }

    /// `v` with three significant digits in scientific notation: "3.2e-2", "1.23e-15", "0".
    static func scientific(_ v: Double) -> String {
        guard v != 0, v.isFinite else { return v == 0 ? "0" : "\(v)" }
        var exponent = Int(log10(abs(v)).rounded(.down))
        var mantissa = 0.0
        for _ in 0..<3 {  // log10 may land one off at exact powers of ten
            mantissa = (v / pow(10, Double(exponent)) * 100).rounded() / 100
            if abs(mantissa) >= 10 { exponent += 1 } else if abs(mantissa) < 1 { exponent -= 1 } else { break }
        }
        var digits = "\(mantissa)"
        if digits.hasSuffix(".0") { digits.removeLast(2) }
        return "\(digits)e\(exponent)"
    }
}
