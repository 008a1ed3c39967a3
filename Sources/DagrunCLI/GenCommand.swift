import ArgumentParser
import DagrunKit
import Glibc

struct Gen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a generated graph (format v1) to standard output, for benchmarks and tests.",
        discussion: "Shapes:\n" + GraphShape.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n")
            + "\n\nExample: dagrun gen random --n 1000000 --op noop > random-1m.json")

    @Argument(help: ArgumentHelp("The shape.", valueName: "shape"))
    var shapeName: String

    @Option(help: "Number of tasks (leaves for tree; about side² for wavefront).")
    var n = 1000

    @Option(help: "Op of the generated tasks: \(GenOptions.ops.joined(separator: ", ")).")
    var op = "noop"

    @Option(help: "Seed of the random shape.")
    var seed: UInt64 = 1

    @Option(help: "Most inputs per task (random).")
    var maxInDegree = 3

    @Option(help: "Tasks per layer (random) or per fork (forkjoin).")
    var width = 1000

    @Option(help: "How far back inputs are drawn from (random).")
    var window = 10000

    @Option(help: "Fork-join rounds (forkjoin).")
    var levels = 10

    @Option(help: "Matrix side for numeric ops (random, gemm).")
    var matrixSize: Int?

    @Flag(help: "Print task and edge counts to standard error.")
    var count = false

    func run() throws {
        guard let shape = GraphShape(rawValue: shapeName) else {
            let names = GraphShape.allCases.map(\.rawValue)
            let hint = didYouMean(nearestNames(to: shapeName, in: names)) ?? "shapes: \(names.joined(separator: ", "))"
            printError("error: unknown shape '\(shapeName)' (\(hint))")
            throw ExitWith.invalid
        }
        var options = GenOptions(n: n)
        options.op = op
        options.seed = seed
        options.maxInDegree = maxInDegree
        options.width = width
        options.window = window
        options.levels = levels
        options.matrixSize = matrixSize
        do {
            try options.validate()
        } catch {
            printError("error: --\(error.option): \(error.message)")
            throw ExitWith.invalid
        }
        var failed = false
        GraphGenerator.write(shape, options) { chunk in
            var done = 0
            while done < chunk.count && !failed {
                let k = Glibc.write(1, chunk.baseAddress! + done, chunk.count - done)
                if k < 0 {
                    if errno == EINTR { continue }
                    failed = true
                } else {
                    done += k
                }
            }
        }
        if failed {
            printError("error: cannot write the graph to standard output: \(String(cString: strerror(errno)))")
            throw ExitWith(code: 2)
        }
        if count {
            printError("tasks \(GraphGenerator.taskCount(shape, options)), edges \(GraphGenerator.edgeCount(shape, options))")
        }
    }
}
