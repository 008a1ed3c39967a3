import DagCore
import DagKernels
@testable import DagRuntime
import Testing

/// Linear-algebra graphs run by the scheduler: a tiled Cholesky factorization checked by its
/// residual, the same graph on the plain-Swift kernels, and failures (not SPD, singular, a
/// residual above its tolerance) reported with the task and the cause in words.
@Suite(.serialized) struct LinearAlgebraRunTests {
    /// A right-looking tiled Cholesky of spd(n) with `tiles` x `tiles` tiles, then
    /// r = ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖) checked against `tolerance`.
    ///
    ///   A[i][j] (spd tiles) -> potrf / trsm / syrk+sub updates -> L tiles
    ///   L tiles -> assemble (lower) -> gemv(trans) -> gemv -> sub(A·x, ·) -> nrm2 -> check
    static func tiledCholesky(n: Int, tiles: Int, tolerance: Double = 1e-12) -> GraphBuilder {
        var g = GraphBuilder(name: "tiled-cholesky")
        let b = n / tiles
        var a: [[TaskHandle?]] = Array(repeating: Array(repeating: nil, count: tiles), count: tiles)
        for i in 0..<tiles {
            for j in 0...i {
                a[i][j] = g.spd(n: n, seed: 7, row: i * b, col: j * b, rows: b, cols: b, id: "A\(i)\(j)")
            }
        }
        var l = a
        for k in 0..<tiles {
            l[k][k] = g.potrf(a[k][k]!, id: "L\(k)\(k)")
            for i in (k + 1)..<tiles {
                l[i][k] = g.trsm(l[k][k]!, a[i][k]!, side: "right", transA: true, id: "L\(i)\(k)")
            }
            for i in (k + 1)..<tiles {
                for j in (k + 1)...i {
                    let update = i == j ? g.syrk(l[i][k]!, id: "S\(i)\(j)_\(k)")
                        : g.gemm(l[i][k]!, l[j][k]!, transB: true, id: "G\(i)\(j)_\(k)")
                    a[i][j] = g.sub(a[i][j]!, update, id: "A\(i)\(j)_\(k + 1)")
                }
            }
        }
        var lower: [TaskHandle] = []
        for i in 0..<tiles { for j in 0...i { lower.append(l[i][j]!) } }
        let factor = g.assemble(lower, gridRows: tiles, gridCols: tiles, fill: "lower", id: "L")
        let whole = g.spd(n: n, seed: 7, id: "A")
        let x = g.randomNormal(rows: n, cols: 1, seed: 3, id: "x")
        let ax = g.gemv(whole, x, id: "Ax")
        let llx = g.gemv(factor, g.gemv(factor, x, trans: true, id: "Ltx"), id: "LLtx")
        let r = g.nrm2(g.sub(ax, llx, id: "diff"), id: "r")
        g.check([r, g.norm(whole, id: "normA"), g.nrm2(x, id: "normx")], max: tolerance, what: "residual ‖A − L·Lᵀ‖/‖A‖",
                id: "residual")
        return g
    }

    func run(_ g: GraphBuilder, library: OpLibrary = .standard, workers: Int = 2) throws -> RunReport {
        var options = RunOptions(workers: workers)
        options.keep = .all
        return try Scheduler(topology: host, library: library).run(try g.build(), options: options)
    }

    @Test func everyCatalogueOpHasABodyInBothLibraries() {
        for name in OpCatalogue.standard.names {
            #expect(OpLibrary.standard[name] != nil, "standard library lacks \(name)")
            #expect(OpLibrary.reference[name] != nil, "reference library lacks \(name)")
        }
    }

    @Test func tiledCholeskyPassesItsResidualCheck() throws {
        let report = try run(Self.tiledCholesky(n: 96, tiles: 3))
        #expect(report.succeeded, "\(report.failures)")
        let residual = try #require(report.results["residual"]?.scalar)
        #expect(residual >= 0 && residual < 1e-14, "residual \(residual)")
        let l = try #require(report.results["L"]?.matrix)
        let direct = try Kernels.potrf(try Kernels.spd(n: 96, seed: 7))
        #expect(try Kernels.maxAbsDifference(l, direct) < 1e-12)
    }

    /// `dagrun run --kernels reference`: gemm, gemv, potrf and axpy in plain Swift, the same results.
    @Test func referenceKernelsGiveTheSameResults() throws {
        let g = Self.tiledCholesky(n: 130, tiles: 2)
        let blas = try run(g)
        let swift = try run(g, library: .reference)
        #expect(blas.succeeded && swift.succeeded, "\(blas.failures) \(swift.failures)")
        for id in ["L", "LLtx", "Ax"] {
            let x = try #require(blas.results[id]?.matrix), y = try #require(swift.results[id]?.matrix)
            let scale = x.toArray().reduce(1.0) { Swift.max($0, abs($1)) }
            #expect(try Kernels.maxAbsDifference(x, y) / scale < 1e-12, "\(id)")
        }
        #expect(OpLibrary.with(kernels: .reference)["gemm"] != nil)
    }

    /// gemv over pairs with a transpose per pair, and nrm2/norm over several weighted inputs,
    /// run by both libraries, against sums written out in plain Swift from the inputs' values.
    @Test(arguments: KernelSet.allCases)
    func gemvPairsAndWeightedNormsRun(kernels: KernelSet) throws {
        var g = GraphBuilder()
        let m0 = g.randomNormal(rows: 6, cols: 4, seed: 1, id: "m0"), v0 = g.randomNormal(rows: 4, cols: 1, seed: 2, id: "v0")
        let m1 = g.randomNormal(rows: 5, cols: 6, seed: 3, id: "m1"), v1 = g.randomNormal(rows: 5, cols: 1, seed: 4, id: "v1")
        let m2 = g.randomNormal(rows: 6, cols: 6, seed: 5, id: "m2"), v2 = g.randomNormal(rows: 6, cols: 1, seed: 6, id: "v2")
        _ = g.gemv(pairs: [(m0, v0), (m1, v1), (m2, v2)], trans: [false, true, true], alpha: 0.5, id: "y")
        _ = g.add("gemv", id: "all-trans", inputs: [m1, v1, m1, v1], args: ["trans": true])
        _ = g.nrm2([m0, v1, m2], weights: [1, 2, 0.25], id: "weighted")
        _ = g.norm([m0, m2], id: "together")
        _ = g.norm(m0, id: "one")
        let report = try run(g, library: .with(kernels: kernels))
        #expect(report.succeeded, "\(report.failures)")
        func values(_ id: String) throws -> (rows: Int, cols: Int, a: [Double]) {
            let m = try #require(report.results[id]?.matrix)
            return (m.rows, m.cols, m.toArray())
        }
        let (a0, x0, a1, x1, a2, x2) = (try values("m0"), try values("v0"), try values("m1"), try values("v1"),
                                        try values("m2"), try values("v2"))
        var expected = [Double](repeating: 0, count: 6)
        for i in 0..<6 {
            for p in 0..<4 { expected[i] += a0.a[i * 4 + p] * x0.a[p] }      // m0 · v0
            for p in 0..<5 { expected[i] += a1.a[p * 6 + i] * x1.a[p] }      // m1ᵀ · v1
            for p in 0..<6 { expected[i] += a2.a[p * 6 + i] * x2.a[p] }      // m2ᵀ · v2
            expected[i] *= 0.5
        }
        let y = try values("y")
        #expect((y.rows, y.cols) == (6, 1))
        for i in 0..<6 { #expect(abs(y.a[i] - expected[i]) <= 1e-14 * max(1, abs(expected[i])), "y[\(i)]") }
        let twice = try values("all-trans")
        for i in 0..<6 {
            let once = (0..<5).reduce(0.0) { $0 + a1.a[$1 * 6 + i] * x1.a[$1] }
            #expect(abs(twice.a[i] - 2 * once) <= 1e-14 * max(1, abs(once)), "all-trans[\(i)]")
        }
        func squares(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }
        let weighted = (squares(a0.a) + 2 * squares(x1.a) + 0.25 * squares(a2.a)).squareRoot()
        #expect(abs(try #require(report.results["weighted"]?.scalar) - weighted) <= 1e-14 * weighted)
        let together = (squares(a0.a) + squares(a2.a)).squareRoot()
        #expect(abs(try #require(report.results["together"]?.scalar) - together) <= 1e-14 * together)
        #expect(report.results["one"]?.scalar == Kernels.nrm2(try #require(report.results["m0"]?.matrix)))
    }

    /// ones(3) − I has zeros on its diagonal: its leading minor of order 1 is 0.
    @Test func notPositiveDefiniteFailsTheTaskAndCancelsItsConsumers() throws {
        var g = GraphBuilder()
        let a = g.sub(g.ones(rows: 3, cols: 3, id: "ones"), g.eye(3, id: "eye"), id: "A")
        let l = g.potrf(a, id: "L")
        _ = g.norm(l, id: "after")
        let report = try run(g)
        #expect(report.failures.count == 1)
        let failure = try #require(report.failures.first)
        #expect(failure.taskID == "L")
        #expect(failure.description.hasPrefix(
            "task 'L' (op potrf, inputs 'A' (matrix 3x3)) failed: potrf: the leading minor of order 1 is not positive definite, "
                + "so the 3x3 matrix is not symmetric positive-definite"), "\(failure)")
        #expect(report.trace.records.first { report.trace.graph.ids[Int($0.task)] == "after" }?.status == .cancelled)
    }

    @Test func singularMatrixNamesTheZeroPivot() throws {
        var g = GraphBuilder()
        let lu = g.getrf(g.ones(rows: 3, cols: 3, id: "A"), id: "lu")
        _ = g.getrs(lu, g.ones(rows: 3, cols: 1, id: "b"), id: "x")
        let report = try run(g)
        let failure = try #require(report.failures.first)
        #expect(failure.taskID == "lu")
        #expect(failure.cause.hasPrefix("getrf: U(2,2) is exactly zero: the 3x3 matrix is singular"), "\(failure.cause)")
    }

    /// getrf without pivoting of a diagdom matrix through the builder and the scheduler: the
    /// packed factors, and gemv over their triangles, on both kernel sets.
    @Test(arguments: KernelSet.allCases)
    func luWithoutPivotingRuns(kernels: KernelSet) throws {
        var g = GraphBuilder()
        let a = g.diagdom(n: 40, seed: 3, id: "A")
        let lu = g.getrf(a, pivot: false, id: "LU")
        let x = g.randomNormal(rows: 40, cols: 1, seed: 4, id: "x")
        let ux = g.gemv(pairs: [(lu, x)], triangles: ["upper"], id: "Ux")
        let lux = g.gemv(pairs: [(lu, ux)], triangles: ["lower-unit"], id: "LUx")
        let r = g.nrm2(g.sub(g.gemv(a, x, id: "Ax"), lux, id: "d"), id: "r")
        g.check([r, g.norm(a, id: "nA"), g.nrm2(x, id: "nx")], max: 1e-15, id: "residual")
        let report = try run(g, library: .with(kernels: kernels))
        #expect(report.succeeded, "\(report.failures)")
        let packed = try #require(report.results["LU"]?.matrix)
        #expect(packed.toArray() == (try Kernels.getrfNoPivot(try Kernels.diagdom(n: 40, seed: 3))).toArray())
        #expect(try #require(report.results["residual"]?.scalar) < 1e-16)
    }

    /// A matrix whose first column's largest entry is below the diagonal: the task fails with
    /// its id, its input as the run holds it, and the row in words; its consumer is cancelled.
    @Test func luWithoutPivotingNamesTheTaskAndTheRow() throws {
        var g = GraphBuilder()
        let lu = g.getrf(g.add("random", id: "A", args: ["rows": 5, "cols": 5, "seed": 1]), pivot: false, id: "LU[1][1]")
        _ = g.norm(lu, id: "after")
        // Results not kept, as in `dagrun run`: the task is A's only reader, yet A is still named.
        let report = try Scheduler(topology: host).run(try g.build(), options: RunOptions(workers: 2))
        let failure = try #require(report.failures.first)
        #expect(report.failures.count == 1 && failure.taskID == "LU[1][1]")
        #expect(failure.description.hasPrefix("task 'LU[1][1]' (op getrf, inputs 'A' (matrix 5x5)) failed: getrf: without pivoting, "
                                              + "the 5x5 matrix needs a row interchange at row 0 (counting from 0)"), "\(failure)")
        #expect(failure.cause.contains("An LU without pivoting (a tiled LU) needs a matrix diagonally dominant by columns"))
        #expect(report.trace.records.first { report.trace.graph.ids[Int($0.task)] == "after" }?.status == .cancelled)
    }

    @Test func luSolveAndScalarOpsRun() throws {
        var g = GraphBuilder()
        let a = g.spd(n: 5, seed: 1, id: "A")
        let b = g.random(rows: 5, cols: 2, seed: 2, id: "B")
        let x = g.getrs(g.getrf(a, id: "lu"), b, id: "X")
        let back = g.gemm(a, x, id: "AX")
        let err = g.norm(g.sub(back, b, id: "D"), id: "err")
        let big = g.max([err, g.nrm2(b, id: "nb")], id: "big")
        _ = g.mul(big, g.sub(big, err, id: "gap"), id: "product")
        _ = g.dot(b, g.scal(b, by: 2, id: "b2"), id: "bb")
        _ = g.axpy(2, b, b, id: "b3")
        _ = g.concat([g.transpose(b, id: "bt"), g.slice(a, rows: 2, cols: 5, id: "top")], axis: 0, id: "stack")
        _ = g.geqrf(a, id: "R")
        let report = try run(g)
        #expect(report.succeeded, "\(report.failures)")
        #expect(try #require(report.results["err"]?.scalar) < 1e-13)
        #expect(report.results["lu"]?.luFactors?.order == 5)
        #expect(report.results["lu"]?.description == "LU factors of a 5x5 matrix")
        let nb = try #require(report.results["nb"]?.scalar)
        #expect(report.results["big"]?.scalar == nb)
        #expect(abs(try #require(report.results["bb"]?.scalar) - 2 * nb * nb) < 1e-12)
        let stack = try #require(report.results["stack"]?.matrix)
        #expect((stack.rows, stack.cols) == (4, 5))
    }

    @Test func checkFailsAboveItsToleranceNamingValueAndTolerance() throws {
        var g = GraphBuilder()
        let ten = g.sum([g.ones(rows: 2, cols: 5, id: "ones")], id: "ten")
        let four = g.sum([g.ones(rows: 2, cols: 2, id: "four-ones")], id: "four")
        g.check([four, ten], max: 0.5, what: "ratio", id: "passes")     // 0.4
        g.check([ten, four, ten], max: 0.01, id: "fails")               // 0.25
        let report = try run(g)
        #expect(report.results["passes"]?.scalar == 0.4)
        let failure = try #require(report.failures.first)
        #expect(failure.taskID == "fails")
        #expect(failure.cause == "residual = 2.5e-1 is above the tolerance 0.01 "
            + "(the result upstream is wrong, or the tolerance is too tight for this size)")
    }

    @Test func scientificNotationHasThreeSignificantDigits() {
        #expect(ResidualCheck.scientific(0.032) == "3.2e-2")
        #expect(ResidualCheck.scientific(1.23456e-15) == "1.23e-15")
        #expect(ResidualCheck.scientific(9.999e-3) == "1e-2")
        #expect(ResidualCheck.scientific(-250) == "-2.5e2")
        #expect(ResidualCheck.scientific(1000) == "1e3")
        #expect(ResidualCheck.scientific(0) == "0")
    }
}
