import DagCore
import DagFormat
import DagGen
import DagKernels
@testable import DagRuntime
import Testing

/// The residual checks of `dagrun gen matmul`, `gen cholesky` and `gen lu`, computed tile by tile, run by
/// the scheduler on OpenBLAS: they pass on correct results, fail on a corrupted factor, and
/// compute what the former whole-matrix check computed (assembled A, B, C or L, whole gemv).
@Suite(.serialized) struct TiledCheckTests {
    static func graphText(_ algorithm: TiledAlgorithm, n: Int, tile: Int, tolerance: Double? = nil) -> String {
        var options = TiledOptions(n: n, tile: tile)
        options.seed = 5
        options.tolerance = tolerance
        var bytes: [UInt8] = []
        GraphGenerator.write(algorithm, options) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The graph with one factor tile scaled by 1.5: cholesky's L[1][0] and lu's L[1][0] or
    /// U[0][1] (trsm's alpha), or matmul's C[1][0] (the last step of its chain, alpha and beta).
    static func corrupted(_ algorithm: TiledAlgorithm, _ text: String, luTile: String = "L[1][0]") throws -> String {
        let (line, broken) = switch algorithm {
        case .cholesky:
            (#""id": "L[1][0]", "op": "trsm", "inputs": ["L[0][0]", "A[1][0]"], "args": {"side": "right", "lower": true, "transA": true}"#,
             #""id": "L[1][0]", "op": "trsm", "inputs": ["L[0][0]", "A[1][0]"], "args": {"side": "right", "lower": true, "transA": true, "alpha": 1.5}"#)
        case .matmul:
            (#""id": "C[1][0]", "op": "gemm", "inputs": ["A[1][2]", "B[2][0]", "C[1][0]+1"], "args": {"beta": 1.0}"#,
             #""id": "C[1][0]", "op": "gemm", "inputs": ["A[1][2]", "B[2][0]", "C[1][0]+1"], "args": {"alpha": 1.5, "beta": 1.5}"#)
        case .lu where luTile == "U[0][1]":
            (#""id": "U[0][1]", "op": "trsm", "inputs": ["LU[0][0]", "A[0][1]"], "args": {"side": "left", "lower": true, "unit": true}"#,
             #""id": "U[0][1]", "op": "trsm", "inputs": ["LU[0][0]", "A[0][1]"], "args": {"side": "left", "lower": true, "unit": true, "alpha": 1.5}"#)
        case .lu:
            (#""id": "L[1][0]", "op": "trsm", "inputs": ["LU[0][0]", "A[1][0]"], "args": {"side": "right", "lower": false}"#,
             #""id": "L[1][0]", "op": "trsm", "inputs": ["LU[0][0]", "A[1][0]"], "args": {"side": "right", "lower": false, "alpha": 1.5}"#)
        }
        try #require(text.contains(line))
        return text.replacingOccurrences(of: line, with: broken)
    }

    /// The check's message for each algorithm.
    static func what(_ algorithm: TiledAlgorithm) -> String {
        switch algorithm {
        case .matmul: "residual ‖C·x − A·(B·x)‖ / (‖A‖·‖B‖·‖x‖) = "
        case .cholesky: "residual ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖) = "
        case .lu: "residual ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖) = "
        }
    }

    func run(_ text: String, library: OpLibrary = .standard, keepAll: Bool = false) throws -> (TaskGraph, RunReport) {
        let graph = try GraphFile.load(bytes: Array(text.utf8), file: "tiled.json")
        var options = RunOptions(workers: 2)
        if keepAll { options.keep = .all }
        return (graph, try Scheduler(topology: host, library: library).run(graph, options: options))
    }

    static let sizes = [(24, 8), (20, 8), (64, 16), (9, 9), (5, 1)]

    @Test("the generated graphs run and pass their tile-wise check, on OpenBLAS and on the Swift kernels",
          arguments: TiledAlgorithm.allCases, sizes)
    func generatedGraphsPass(algorithm: TiledAlgorithm, size: (Int, Int)) throws {
        for kernels in KernelSet.allCases {
            let (_, report) = try run(Self.graphText(algorithm, n: size.0, tile: size.1), library: .with(kernels: kernels))
            #expect(report.succeeded, "\(algorithm) \(size) \(kernels): \(report.failures)")
            let value = try #require(report.results["check"]?.scalar)
            #expect(value >= 0 && value < TiledOptions.defaultTolerance(n: size.0) / 10, "\(algorithm) \(size) \(kernels): \(value)")
        }
    }

    @Test("a corrupted factor tile makes the tile-wise check fail the run",
          arguments: [(TiledAlgorithm.matmul, ""), (.cholesky, ""), (.lu, "L[1][0]"), (.lu, "U[0][1]")])
    func corruptedFactorFails(algorithm: TiledAlgorithm, luTile: String) throws {
        let (_, report) = try run(try Self.corrupted(algorithm, Self.graphText(algorithm, n: 24, tile: 8), luTile: luTile))
        #expect(!report.succeeded)
        let failure = try #require(report.failures.first)
        #expect(report.failures.count == 1 && failure.taskID == "check", "\(report.failures)")
        #expect(failure.cause.hasPrefix(Self.what(algorithm)) && failure.cause.contains("is above the tolerance"), "\(failure.cause)")
    }

    /// The former check, on whole matrices assembled from the run's tiles: for matmul
    /// ‖C·x − A·(B·x)‖ / (‖A‖·‖B‖·‖x‖) with A, B, C assembled, for cholesky
    /// ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖) with A = spd(n, seed) whole and L assembled (lower),
    /// for lu ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖) with A = diagdom(n, seed) whole and L and U
    /// assembled (the unit-lower and upper triangles of the packed diagonal tiles);
    /// x the blocks stacked. Returns the numerator and the divisors.
    func wholeMatrixCheck(_ algorithm: TiledAlgorithm, _ graph: TaskGraph, _ report: RunReport, n: Int, t: Int)
        throws -> (residual: Double, divisors: [Double])
    {
        func m(_ id: String) throws -> Matrix { try #require(report.results[id]?.matrix, "no result \(id)") }
        func grid(_ name: String, lower: Bool = false) throws -> Matrix {
            let tiles = try (0..<t).flatMap { i in try (0..<(lower ? i + 1 : t)).map { j in try m("\(name)[\(i)][\(j)]") } }
            return try Kernels.assemble(tiles, gridRows: t, gridCols: t, fill: lower ? .lower : .full)
        }
        let x = try Kernels.concat((0..<t).map { try m("x[\($0)]") }, axis: .stackRows)
        #expect((x.rows, x.cols) == (n, 1))
        switch algorithm {
        case .matmul:
            let (a, b, c) = (try grid("A"), try grid("B"), try grid("C"))
            let r = try Kernels.sub(try Kernels.gemv(c, x), try Kernels.gemv(a, try Kernels.gemv(b, x)))
            return (Kernels.nrm2(r), [Kernels.nrm2(a), Kernels.nrm2(b), Kernels.nrm2(x)])
        case .cholesky:
            guard case .int(let seed)? = graph.args[Int(graph.index(of: "A[0][0]")!)]["seed"] else {
                Issue.record("A[0][0] has no seed")
                return (0, [])
            }
            let a = try Kernels.spd(n: n, seed: UInt64(seed)), l = try grid("L", lower: true)
            let r = try Kernels.sub(try Kernels.gemv(a, x), try Kernels.gemv(l, try Kernels.gemv(l, x, trans: true)))
            return (Kernels.nrm2(r), [Kernels.nrm2(a), Kernels.nrm2(x)])
        case .lu:
            guard case .int(let seed)? = graph.args[Int(graph.index(of: "A[0][0]")!)]["seed"] else {
                Issue.record("A[0][0] has no seed")
                return (0, [])
            }
            /// L (`upper` false) or U from the off-diagonal tiles and the packed diagonal ones, zero elsewhere.
            func factor(upper: Bool) throws -> Matrix {
                let tiles = try (0..<t).flatMap { i in
                    try (0..<t).map { j throws -> Matrix in
                        if i == j { return ReferenceKernels.triangle(of: try m("LU[\(i)][\(i)]"), upper ? .upper : .lowerUnit) }
                        if (j > i) == upper { return try m(upper ? "U[\(i)][\(j)]" : "L[\(i)][\(j)]") }
                        return Matrix(rows: try m("LU[\(i)][\(i)]").rows, cols: try m("LU[\(j)][\(j)]").cols)
                    }
                }
                return try Kernels.assemble(tiles, gridRows: t, gridCols: t, fill: .full)
            }
            let a = try Kernels.diagdom(n: n, seed: UInt64(seed)), l = try factor(upper: false), u = try factor(upper: true)
            let r = try Kernels.sub(try Kernels.gemv(a, x), try Kernels.gemv(l, try Kernels.gemv(u, x)))
            return (Kernels.nrm2(r), [Kernels.nrm2(a), Kernels.nrm2(x)])
        }
    }

    @Test("the tile-wise check computes the whole-matrix residual (within 1e-12 when a scaled tile makes it large)",
          arguments: TiledAlgorithm.allCases, [(24, 8), (20, 8)])
    func sameResidualAsTheWholeMatrixCheck(algorithm: TiledAlgorithm, size: (Int, Int)) throws {
        let (n, tile) = size, t = (n + tile - 1) / tile
        let divisorIDs = algorithm == .matmul ? ["norm(A)", "norm(B)", "nrm2(x)"] : ["norm(A)", "nrm2(x)"]
        let residualID = switch algorithm {
        case .matmul: "nrm2(Cx-ABx)"
        case .cholesky: "nrm2(Ax-LLtx)"
        case .lu: "nrm2(Ax-LUx)"
        }
        // A tolerance of 10 lets the corrupted graph's check pass and report its value.
        let honest = Self.graphText(algorithm, n: n, tile: tile, tolerance: 10)
        for (text, large) in [(try Self.corrupted(algorithm, honest), true), (honest, false)] {
            let (graph, report) = try run(text, keepAll: true)
            #expect(report.succeeded, "\(report.failures)")
            let whole = try wholeMatrixCheck(algorithm, graph, report, n: n, t: t)
            let divisors = try divisorIDs.map { try #require(report.results[$0]?.scalar) }
            for (tiled, assembled) in zip(divisors, whole.divisors) {
                #expect(abs(tiled - assembled) <= 1e-13 * assembled, "norms: \(tiled) tile-wise, \(assembled) whole")
            }
            let residual = try #require(report.results[residualID]?.scalar)
            let value = try #require(report.results["check"]?.scalar)
            #expect(value == residual / divisors.reduce(1, *))
            let wholeValue = whole.residual / whole.divisors.reduce(1, *)
            if large {
                // The residual is the corruption's, not rounding: the two computations agree to rounding.
                #expect(value > 1e-3, "\(value)")
                #expect(abs(residual - whole.residual) <= 1e-12 * whole.residual, "\(residual) tile-wise, \(whole.residual) whole")
                #expect(abs(value - wholeValue) <= 1e-12 * wholeValue, "\(value) tile-wise, \(wholeValue) whole")
            } else {
                // Rounding noise only (different summation orders): both far below the default tolerance.
                let tolerance = TiledOptions.defaultTolerance(n: n)
                #expect(value < tolerance / 10 && wholeValue < tolerance / 10, "\(value) tile-wise, \(wholeValue) whole")
            }
        }
    }
}
