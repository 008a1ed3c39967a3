import DagGen
import Testing

/// Option checks name the option and say what it must be.
struct GenOptionsTests {
    @Test("defaults are valid")
    func defaults() throws {
        try GenOptions(n: 1).validate()
    }

    static let invalid: [(String, GenOptions)] = {
        let valid = GenOptions(n: 10)
        var cases: [(String, GenOptions)] = []
        var o = valid; o.n = 0; cases.append(("n", o))
        o = valid; o.op = "gemn"; cases.append(("op", o))
        o = valid; o.maxInDegree = -1; cases.append(("max-in-degree", o))
        o = valid; o.width = 0; cases.append(("width", o))
        o = valid; o.window = 0; cases.append(("window", o))
        o = valid; o.levels = 0; cases.append(("levels", o))
        o = valid; o.matrixSize = 0; cases.append(("matrix-size", o))
        return cases
    }()

    @Test("each out-of-range option is named", arguments: invalid)
    func rejects(option: String, options: GenOptions) {
        #expect { try options.validate() } throws: { error in
            (error as? GenOptionsError)?.option == option
        }
    }

    @Test("an unknown op lists the ops there are")
    func unknownOp() {
        var options = GenOptions(n: 10)
        options.op = "gemn"
        #expect(throws: GenOptionsError.self) { try options.validate() }
        do {
            try options.validate()
        } catch {
            #expect(error.description == "unknown op 'gemn'; the generators write noop, random, gemm")
        }
    }

    @Test("every shape has a one-line summary")
    func summaries() {
        for shape in GraphShape.allCases {
            #expect(!shape.summary.isEmpty && !shape.summary.contains("\n"))
        }
    }
}
