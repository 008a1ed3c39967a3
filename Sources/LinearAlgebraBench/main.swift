// dagrun-la-bench: dagrun's tiled matrix product and Cholesky factorisation built with
// the library's GraphBuilder on input tiles already in memory, as the peers of
// Benchmarks/run-linear-algebra get them (one OpenBLAS call, numpy, dask.array: each
// times the product or factorisation of matrices it made before the clock started).
//
//     dagrun-la-bench matmul|cholesky|lu --n N --tile T [--workers W] [--repeat R] [--seed S]
//
// The graph is the tiled algorithm of `dagrun gen matmul|cholesky|lu` (gemm chains over
// k; right-looking potrf, trsm, syrk, gemm; right-looking getrf without pivoting, trsm,
// gemm) without its residual-check tasks; its input tiles are closure tasks that hand
// over matrices made before timing. The factorisations update tiles in place, so every
// run gets fresh copies of the spd or diagdom tiles, also made before timing; each closure gives away its only reference, and the runtime then updates the
// tile in place as it does for the generated graph. Timed: building and validating the
// graph and the whole `Scheduler.run` (worker start, pinning, every task, the join),
// like Dask's `.persist()` with graph building. One untimed warm-up run, then R timed
// runs (default 3); after each, the result is checked untimed with the same residual as
// the generated graphs (Freivalds: ‖C·x − A·(B·x)‖ / (‖A‖‖B‖‖x‖), ‖A·x − L·(Lᵀ·x)‖ /
// (‖A‖‖x‖), ‖A·x − L·(U·x)‖ / (‖A‖‖x‖) ≤ 30·n·ε). Prints one JSON line in the format of
// Benchmarks/peers.
//
// Run it with OPENBLAS_NUM_THREADS=1 (as `dagrun run` restarts itself with): every
// task calls single-threaded OpenBLAS on its pinned core.
import DagrunKit
import Foundation
import Synchronization

struct Options {
    enum Algorithm: String { case matmul, cholesky, lu }
    var algorithm = Algorithm.matmul
    var n = 4096
    var tile = 512
    var workers = 2
    var repeats = 3
    var seed: UInt64 = 1

    init(_ arguments: [String]) {
        var rest = arguments[...]
        guard let first = rest.popFirst(), let algorithm = Algorithm(rawValue: first) else {
            Self.usage("the first argument must be matmul, cholesky or lu")
        }
        self.algorithm = algorithm
        while let argument = rest.popFirst() {
            guard let text = rest.popFirst(), let value = Int(text), value > 0 else {
                Self.usage("\(argument) needs a positive integer")
            }
            switch argument {
            case "--n": n = value
            case "--tile": tile = value
            case "--workers": workers = value
            case "--repeat": repeats = value
            case "--seed": seed = UInt64(value)
            default: Self.usage("unknown argument '\(argument)'")
            }
        }
        guard n % tile == 0 else { Self.usage("--n \(n) is not a multiple of --tile \(tile)") }
    }

    static func usage(_ problem: String) -> Never {
        FileHandle.standardError.write(Data(("dagrun-la-bench: \(problem)\n"
            + "usage: dagrun-la-bench matmul|cholesky|lu --n N --tile T [--workers W] [--repeat R] [--seed S]\n").utf8))
        exit(2)
    }
}

/// A matrix handed to exactly one task, which takes it out: the runtime then holds the
/// only reference and may update it in place.
final class HandOver: Sendable {
    private let slot: Mutex<Matrix?>
    init(_ matrix: Matrix) { slot = Mutex(matrix) }
    func take() throws -> Matrix {
        guard let m = slot.withLock({ $0.take() }) else { throw OpError("the input tile was already taken") }
        return m
    }
}

/// A t x t grid of tiles, row-major.
struct Grid<Element> {
    let t: Int
    var items: [Element?]
    init(_ t: Int) { self.t = t; items = Array(repeating: nil, count: t * t) }
    subscript(i: Int, j: Int) -> Element {
        get { items[i * t + j]! }
        set { items[i * t + j] = newValue }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("dagrun-la-bench: \(message)\n".utf8))
    exit(1)
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let t = options.n / options.tile
let scheduler: Scheduler
do {
    scheduler = Scheduler(topology: try HardwareTopology.host())
} catch {
    fail("cannot read the machine's topology: \(error)")
}
let runOptions = {
    var o = RunOptions(workers: options.workers)
    o.keep = .sinks
    return o
}()

/// Builds the graph with `build`, runs it, and returns the seconds both took, the sink
/// values and the number of tasks.
func timedRun(_ build: (inout GraphBuilder) -> Void) -> (seconds: Double, results: [String: TaskValue], tasks: Int) {
    let start = now()
    var g = GraphBuilder(name: "la-bench")
    build(&g)
    let graph: TaskGraph
    let report: RunReport
    do {
        graph = try g.build()
        report = try scheduler.run(graph, options: runOptions)
    } catch {
        fail("\(error)")
    }
    let seconds = now() - start
    guard report.succeeded else { fail("the run failed: \(report.failures.map(\.description).joined(separator: "; "))") }
    return (seconds, report.results, graph.count)
}

func matrix(_ results: [String: TaskValue], _ id: String) -> Matrix {
    guard let m = results[id]?.matrix else { fail("no result '\(id)'") }
    return m
}

let tolerance = 30 * Double(options.n) * Double.ulpOfOne
var samples: [Double] = []
var residual = 0.0
var taskCount = 0
let flops: Double

do {
    let x = (0..<t).map { j in Kernels.random(rows: options.tile, cols: 1, seed: options.seed &+ 1_000_003 &+ UInt64(j),
                                             distribution: .normal) }
    switch options.algorithm {
    case .matmul:
        flops = 2 * pow(Double(options.n), 3)
        var a = Grid<Matrix>(t), b = Grid<Matrix>(t)
        for i in 0..<t {
            for j in 0..<t {
                a[i, j] = Kernels.random(rows: options.tile, cols: options.tile, seed: options.seed &+ UInt64(i * t + j))
                b[i, j] = Kernels.random(rows: options.tile, cols: options.tile, seed: options.seed &+ UInt64(t * t + i * t + j))
            }
        }
        for run in 0...options.repeats {
            let (seconds, results, tasks) = timedRun { g in
                var ha = Grid<TaskHandle>(t), hb = Grid<TaskHandle>(t)
                for i in 0..<t {
                    for j in 0..<t {
                        let (ta, tb) = (a[i, j], b[i, j])
                        ha[i, j] = g.task("input", id: "A[\(i)][\(j)]") { _ in .matrix(ta) }
                        hb[i, j] = g.task("input", id: "B[\(i)][\(j)]") { _ in .matrix(tb) }
                    }
                }
                for i in 0..<t {
                    for j in 0..<t {
                        var c = g.gemm(ha[i, 0], hb[0, j], id: t == 1 ? "C[\(i)][\(j)]" : "C[\(i)][\(j)]+0")
                        for k in 1..<max(t, 1) {
                            c = g.gemm(ha[i, k], hb[k, j], c: c, beta: 1, id: k == t - 1 ? "C[\(i)][\(j)]" : "C[\(i)][\(j)]+\(k)")
                        }
                    }
                }
            }
            // Untimed check: C·x against A·(B·x), block row by block row.
            var c = Grid<Matrix>(t)
            for i in 0..<t { for j in 0..<t { c[i, j] = matrix(results, "C[\(i)][\(j)]") } }
            let bx = try (0..<t).map { k in try Kernels.gemv(pairs: (0..<t).map { (b[k, $0], x[$0], false) }) }
            var diff: [Matrix] = []
            for i in 0..<t {
                let cx = try Kernels.gemv(pairs: (0..<t).map { (c[i, $0], x[$0], false) })
                let abx = try Kernels.gemv(pairs: (0..<t).map { (a[i, $0], bx[$0], false) })
                diff.append(try Kernels.sub(cx, abx))
            }
            let norm = { (grid: Grid<Matrix>) in (try? Kernels.nrm2(of: grid.items.map { $0! })) ?? .nan }
            residual = try Kernels.nrm2(of: diff) / (norm(a) * norm(b) * Kernels.nrm2(of: x))
            guard residual <= tolerance else { fail("run \(run): residual \(residual) above \(tolerance)") }
            if run > 0 { samples.append(seconds) }
            taskCount = tasks
        }
    case .cholesky:
        flops = pow(Double(options.n), 3) / 3
        // The lower tiles of one global spd matrix, as `dagrun gen cholesky` makes them.
        var spd = Grid<Matrix>(t)
        for i in 0..<t {
            for j in 0...i {
                spd[i, j] = try Kernels.spd(n: options.n, seed: options.seed, row: i * options.tile, col: j * options.tile,
                                            rows: options.tile, cols: options.tile)
            }
        }
        let factor = Mutex<[Matrix?]>([])
        for run in 0...options.repeats {
            var handOver = Grid<HandOver>(t)   // fresh copies, made before the clock starts
            for i in 0..<t { for j in 0...i { handOver[i, j] = HandOver(spd[i, j].copy()) } }
            let (seconds, _, tasks) = timedRun { g in
                var a = Grid<TaskHandle>(t), l = Grid<TaskHandle>(t)
                for i in 0..<t {
                    for j in 0...i {
                        let box = handOver[i, j]
                        a[i, j] = g.task("input", id: "A[\(i)][\(j)]") { _ in .matrix(try box.take()) }
                    }
                }
                for k in 0..<t {
                    l[k, k] = g.potrf(a[k, k], id: "L[\(k)][\(k)]")
                    for i in (k + 1)..<t {
                        l[i, k] = g.trsm(l[k, k], a[i, k], side: "right", lower: true, transA: true, id: "L[\(i)][\(k)]")
                    }
                    for i in (k + 1)..<t {
                        for j in (k + 1)...i {
                            a[i, j] = i == j
                                ? g.syrk(l[i, k], c: a[i, i], alpha: -1, beta: 1, id: "A[\(i)][\(i)]+\(k)")
                                : g.gemm(l[i, k], l[j, k], c: a[i, j], alpha: -1, beta: 1, transB: true, id: "A[\(i)][\(j)]+\(k)")
                        }
                    }
                }
                // The L tiles are not sinks: one last task keeps them for the check.
                var tiles: [TaskHandle] = []
                for i in 0..<t { for j in 0...i { tiles.append(l[i, j]) } }
                g.task("keep", id: "L", inputs: tiles) { values in
                    factor.withLock { $0 = values.map { $0.matrix } }
                    return .nothing
                }
            }
            // Untimed check: A·x against L·(Lᵀ·x); A's upper tiles are the transposes of its lower ones.
            let kept = factor.withLock { $0 }
            var lt = Grid<Matrix>(t)
            var next = 0
            for i in 0..<t {
                for j in 0...i {
                    guard let m = kept[next] else { fail("no L[\(i)][\(j)]") }
                    lt[i, j] = m
                    next += 1
                }
            }
            let ltx = try (0..<t).map { j in try Kernels.gemv(pairs: (j..<t).map { (lt[$0, j], x[$0], true) }) }
            var diff: [Matrix] = [], aTiles: [Matrix] = []
            for i in 0..<t {
                let ax = try Kernels.gemv(pairs: (0..<t).map { j in j <= i ? (spd[i, j], x[j], false) : (spd[j, i], x[j], true) })
                let lltx = try Kernels.gemv(pairs: (0...i).map { (lt[i, $0], ltx[$0], false) })
                diff.append(try Kernels.sub(ax, lltx))
                for j in 0...i { aTiles.append(spd[i, j]) }
            }
            // ‖A‖_F from its lower tiles: the off-diagonal ones count twice.
            let weights = (0..<t).flatMap { i in (0...i).map { j in i == j ? 1.0 : 2.0 } }
            residual = try Kernels.nrm2(of: diff) / (Kernels.nrm2(of: aTiles, weights: weights) * Kernels.nrm2(of: x))
            guard residual <= tolerance else { fail("run \(run): residual \(residual) above \(tolerance)") }
            if run > 0 { samples.append(seconds) }
            taskCount = tasks
        }
    case .lu:
        flops = 2 * pow(Double(options.n), 3) / 3
        // All tiles of one global diagonally dominant matrix, as `dagrun gen lu` makes them.
        var dominant = Grid<Matrix>(t)
        for i in 0..<t {
            for j in 0..<t {
                dominant[i, j] = try Kernels.diagdom(n: options.n, seed: options.seed, row: i * options.tile,
                                                     col: j * options.tile, rows: options.tile, cols: options.tile)
            }
        }
        let factors = Mutex<[Matrix?]>([])
        for run in 0...options.repeats {
            var handOver = Grid<HandOver>(t)   // fresh copies, made before the clock starts
            for i in 0..<t { for j in 0..<t { handOver[i, j] = HandOver(dominant[i, j].copy()) } }
            let (seconds, _, tasks) = timedRun { g in
                var a = Grid<TaskHandle>(t), f = Grid<TaskHandle>(t)   // f: LU on the diagonal, U above, L below
                for i in 0..<t {
                    for j in 0..<t {
                        let box = handOver[i, j]
                        a[i, j] = g.task("input", id: "A[\(i)][\(j)]") { _ in .matrix(try box.take()) }
                    }
                }
                for k in 0..<t {
                    f[k, k] = g.getrf(a[k, k], pivot: false, id: "LU[\(k)][\(k)]")
                    for j in (k + 1)..<t {
                        f[k, j] = g.trsm(f[k, k], a[k, j], side: "left", lower: true, unit: true, id: "U[\(k)][\(j)]")
                    }
                    for i in (k + 1)..<t {
                        f[i, k] = g.trsm(f[k, k], a[i, k], side: "right", lower: false, id: "L[\(i)][\(k)]")
                    }
                    for i in (k + 1)..<t {
                        for j in (k + 1)..<t {
                            a[i, j] = g.gemm(f[i, k], f[k, j], c: a[i, j], alpha: -1, beta: 1, id: "A[\(i)][\(j)]+\(k)")
                        }
                    }
                }
                // The factors are not sinks: one last task keeps them for the check.
                g.task("keep", id: "factors", inputs: f.items.map { $0! }) { values in
                    factors.withLock { $0 = values.map { $0.matrix } }
                    return .nothing
                }
            }
            // Untimed check: A·x against L·(U·x), reading the triangles of the packed diagonal tiles.
            let kept = factors.withLock { $0 }
            var fm = Grid<Matrix>(t)
            for k in 0..<(t * t) {
                guard let m = kept[k] else { fail("no factor tile \(k)") }
                fm.items[k] = m
            }
            var diff: [Matrix] = []
            var ux: [Matrix] = []
            for i in 0..<t {
                ux.append(try Kernels.gemv(pairs: (i..<t).map { (fm[i, $0], x[$0], false) },
                                           triangles: (i..<t).map { $0 == i ? .upper : .full }))
            }
            for i in 0..<t {
                let ax = try Kernels.gemv(pairs: (0..<t).map { (dominant[i, $0], x[$0], false) })
                let lux = try Kernels.gemv(pairs: (0...i).map { (fm[i, $0], ux[$0], false) },
                                           triangles: (0...i).map { $0 == i ? .lowerUnit : .full })
                diff.append(try Kernels.sub(ax, lux))
            }
            residual = try Kernels.nrm2(of: diff) / (Kernels.nrm2(of: dominant.items.map { $0! }) * Kernels.nrm2(of: x))
            guard residual <= tolerance else { fail("run \(run): residual \(residual) above \(tolerance)") }
            if run > 0 { samples.append(seconds) }
            taskCount = tasks
        }
    }
} catch {
    fail("\(error)")
}

let sorted = samples.sorted()
let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
print("{\"peer\": \"dagrun library\", \"n\": \(options.n), \"tile\": \(options.tile), \"workers\": \(options.workers), "
      + "\"tasks\": \(taskCount), \"flops\": \(flops), \"samples_s\": [\(samples.map { String($0) }.joined(separator: ", "))], "
      + "\"median_s\": \(median), \"check\": \"residual \(residual) <= \(tolerance)\"}")
