import DagGen
import Testing

/// Numeric ops: sources become seeded matrices, other tasks get inputs their op accepts.
struct OpTests {
    @Test("op random: sources are random matrices of matrixSize, the rest sum their inputs",
          arguments: GraphShape.allCases)
    func randomSum(shape: GraphShape) throws {
        var options = GenOptions(n: 40)
        options.op = "random"
        options.matrixSize = 12
        options.width = 6
        options.levels = 2
        let graph = try GeneratedGraph(shape, options)
        for task in graph.tasks {
            if task.inputs.isEmpty {
                #expect(task.op == "random")
                #expect(task.args["rows"] as? Int == 12 && task.args["cols"] as? Int == 12)
                #expect(task.args["seed"] as? Int == task.index)
            } else {
                #expect(task.op == "sum")
            }
        }
        #expect(graph.description.contains(" --op random "))
        #expect(graph.description.hasSuffix(" --matrix-size 12"))
    }

    @Test("op gemm: 1 input squares it, 2 multiply, 3 add a scaled C, more add; alpha keeps values in [0, 1]",
          arguments: GraphShape.allCases)
    func gemm(shape: GraphShape) throws {
        var options = GenOptions(n: 200)
        options.op = "gemm"
        options.matrixSize = 8
        options.width = 5
        options.levels = 2
        let graph = try GeneratedGraph(shape, options)
        for task in graph.tasks {
            switch task.inputs.count {
            case 0:
                #expect(task.op == "random")
            case 1:
                #expect(task.op == "gemm")
                #expect(task.args["alpha"] as? Double == 0.125)
            case 2:
                #expect(task.op == "gemm")
                #expect(task.args["alpha"] as? Double == 0.125 && task.args["beta"] == nil)
            case 3:
                #expect(task.op == "gemm")
                #expect(task.args["alpha"] as? Double == 0.0625 && task.args["beta"] as? Double == 0.5)
            default:
                #expect(task.op == "add")
            }
        }
    }

    @Test("op gemm with one input lists that input twice")
    func gemmSquare() throws {
        var options = GenOptions(n: 3)
        options.op = "gemm"
        let graph = try GeneratedGraph(.chain, options)
        #expect(graph.tasks[1].inputs == [0, 0])
        #expect(graph.tasks[2].inputs == [1, 1])
        #expect(graph.tasks[0].args["rows"] as? Int == GenOptions.defaultMatrixSize)
    }
}
