import ArgumentParser
import DagrunKit
import Glibc

struct Gen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a generated graph (format v1) to standard output, for benchmarks and tests.",
        discussion: "Shapes (--n tasks, --op, --seed and the shape's options):\n"
            + GraphShape.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n")
            + "\n\nTiled linear algebra (--n the matrix order, --tile, --seed, --tol):\n"
            + TiledAlgorithm.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n")
            + "\n\nExamples:\n  dagrun gen random --n 1000000 --op noop > random-1m.json"
            + "\n  dagrun gen matmul --n 4096 --tile 512 > matmul-4096.json"
            + "\n  dagrun gen cholesky --n 8192 --tile 512 > cholesky-8192.json"
            + "\n  dagrun gen lu --n 4096 --tile 512 > lu-4096.json")

    @Argument(help: ArgumentHelp("The shape, or matmul, cholesky or lu.", valueName: "shape"))
    var shapeName: String

    @Option(help: "Number of tasks (leaves for tree; about side² for wavefront; default 1000), or the matrix order of matmul (default 4096), cholesky (default 8192) and lu (default 4096).")
    var n: Int?

    @Option(help: "Op of the generated tasks: \(GenOptions.ops.joined(separator: ", ")) (default noop; shapes only).")
    var op: String?

    @Option(help: "Seed of the random shape, or of the matrices of matmul, cholesky and lu.")
    var seed: UInt64 = 1

    @Option(help: "Most inputs per task (random; default 3).")
    var maxInDegree: Int?

    @Option(help: "Tasks per layer (random) or per fork (forkjoin) (default 1000).")
    var width: Int?

    @Option(help: "How far back inputs are drawn from (random; default 10000).")
    var window: Int?

    @Option(help: "Fork-join rounds (forkjoin; default 10).")
    var levels: Int?

    @Option(help: "Matrix side for numeric ops (shapes with --op random or gemm; default 64).")
    var matrixSize: Int?

    @Option(help: "Tile side (matmul, cholesky, lu; default \(TiledOptions.defaultTile)); a last, narrower tile takes the rest of n.")
    var tile: Int?

    @Option(help: "Largest relative residual the final check accepts (matmul, cholesky, lu; default 30·n·ε, e.g. 2.7e-11 at n = 4096).")
    var tol: Double?

    @Flag(help: "Print task and edge counts to standard error.")
    var count = false

    func run() throws {
        if let algorithm = TiledAlgorithm(rawValue: shapeName) {
            try runTiled(algorithm)
            return
        }
        guard let shape = GraphShape(rawValue: shapeName) else {
            let names = GraphShape.allCases.map(\.rawValue) + TiledAlgorithm.allCases.map(\.rawValue)
            let hint = didYouMean(nearestNames(to: shapeName, in: names)) ?? "shapes: \(names.joined(separator: ", "))"
            printError("error: unknown shape '\(shapeName)' (\(hint))")
            throw ExitWith.invalid
        }
        try reject(["tile": tile != nil, "tol": tol != nil], for: shape.rawValue, appliesTo: "matmul, cholesky and lu")
        var options = GenOptions(n: n ?? 1000)
        if let op { options.op = op }
        options.seed = seed
        if let maxInDegree { options.maxInDegree = maxInDegree }
        if let width { options.width = width }
        if let window { options.window = window }
        if let levels { options.levels = levels }
        options.matrixSize = matrixSize
        do {
            try options.validate()
        } catch {
            printError("error: --\(error.option): \(error.message)")
            throw ExitWith.invalid
        }
        try writeToStandardOutput { sink in GraphGenerator.write(shape, options, to: sink) }
        if count {
            printError("tasks \(GraphGenerator.taskCount(shape, options)), edges \(GraphGenerator.edgeCount(shape, options))")
        }
    }

    private func runTiled(_ algorithm: TiledAlgorithm) throws {
        try reject(["op": op != nil, "max-in-degree": maxInDegree != nil, "width": width != nil, "window": window != nil,
                    "levels": levels != nil, "matrix-size": matrixSize != nil],
                   for: algorithm.rawValue, appliesTo: "the shapes")
        var options = TiledOptions(n: n ?? algorithm.defaultN, tile: tile ?? TiledOptions.defaultTile)
        options.seed = seed
        options.tolerance = tol
        do {
            try options.validate(for: algorithm)
        } catch {
            printError("error: --\(error.option): \(error.message)")
            throw ExitWith.invalid
        }
        try writeToStandardOutput { sink in GraphGenerator.write(algorithm, options, to: sink) }
        if count {
            printError("tasks \(GraphGenerator.taskCount(algorithm, options)), edges \(GraphGenerator.edgeCount(algorithm, options))")
        }
    }

    /// Fails with exit code 2 when an option that `name` does not read was given.
    private func reject(_ given: KeyValuePairs<String, Bool>, for name: String, appliesTo owners: String) throws {
        for (option, isGiven) in given where isGiven {
            printError("error: --\(option) does not apply to \(name) (it is an option of \(owners))")
            throw ExitWith.invalid
        }
    }

    /// Runs `write` with a sink that writes every chunk to standard output, retrying short writes.
    private func writeToStandardOutput(_ write: ((UnsafeRawBufferPointer) -> Void) -> Void) throws {
        var failed = false
        var failure: Int32 = 0
        write { chunk in
            var done = 0
            while done < chunk.count && !failed {
                let k = Glibc.write(1, chunk.baseAddress! + done, chunk.count - done)
                if k < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    failure = errno
                } else {
                    done += k
                }
            }
        }
        if failed {
            printError("error: cannot write the graph to standard output: \(String(cString: strerror(failure)))")
            throw ExitWith(code: 2)
        }
    }
}
