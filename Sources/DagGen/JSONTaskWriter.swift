/// Writes each visited task as one line of graph format v1, through a ``ChunkWriter``.
///
/// A line looks like `{"id": "t7", "op": "noop", "inputs": ["t3", "t5"]}`; a task without
/// inputs has no `inputs` field. Numeric ops add `args` (see ``GenOptions``).
struct JSONTaskWriter: TaskVisitor, ~Copyable {
    /// What the tasks do, decoded once from ``GenOptions/op``.
    enum Work {
        case noop
        /// Sources are `random` matrices; the rest `sum` their inputs.
        case randomSum(size: Int)
        /// Sources are `random` matrices; the rest multiply (1-3 inputs) or `add` (4 or more).
        case gemm(size: Int, alpha: String, halfAlpha: String)

        init(_ options: GenOptions) {
            let size = options.matrixSize ?? GenOptions.defaultMatrixSize
            switch options.op {
            case "random": self = .randomSum(size: size)
            case "gemm": self = .gemm(size: size, alpha: (1.0 / Double(size)).description,
                                      halfAlpha: (0.5 / Double(size)).description)
            default: self = .noop
            }
        }
    }

    var out: ChunkWriter
    let work: Work
    private var first = true

    init(out: consuming ChunkWriter, work: Work) {
        self.out = out
        self.work = work
    }

    mutating func task(_ index: Int, inputs: some Collection<Int>) {
        if first {
            first = false
        } else {
            out.append(",\n")
        }
        out.append("{\"id\": \"t")
        out.append(decimal: index)
        switch work {
        case .noop:
            out.append("\", \"op\": \"noop\"")
            appendInputs(inputs)
        case .randomSum(let size):
            if inputs.isEmpty {
                appendRandom(size: size, seed: index)
            } else {
                out.append("\", \"op\": \"sum\"")
                appendInputs(inputs)
            }
        case .gemm(let size, let alpha, let halfAlpha):
            switch inputs.count {
            case 0:
                appendRandom(size: size, seed: index)
            case 1:
                out.append("\", \"op\": \"gemm\", \"inputs\": [\"t")
                out.append(decimal: inputs.first!)
                out.append("\", \"t")
                out.append(decimal: inputs.first!)
                out.append("\"], \"args\": {\"alpha\": ")
                out.append(string: alpha)
                out.append("}")
            case 2:
                out.append("\", \"op\": \"gemm\"")
                appendInputs(inputs)
                out.append(", \"args\": {\"alpha\": ")
                out.append(string: alpha)
                out.append("}")
            case 3:
                out.append("\", \"op\": \"gemm\"")
                appendInputs(inputs)
                out.append(", \"args\": {\"alpha\": ")
                out.append(string: halfAlpha)
                out.append(", \"beta\": 0.5}")
            default:
                out.append("\", \"op\": \"add\"")
                appendInputs(inputs)
            }
        }
        out.append("}")
    }

    private mutating func appendInputs(_ inputs: some Collection<Int>) {
        guard !inputs.isEmpty else { return }
        out.append(", \"inputs\": [")
        var separator = false
        for input in inputs {
            if separator { out.append(", ") }
            separator = true
            out.append("\"t")
            out.append(decimal: input)
            out.append(UInt8(ascii: "\""))
        }
        out.append("]")
    }

    private mutating func appendRandom(size: Int, seed: Int) {
        out.append("\", \"op\": \"random\", \"args\": {\"rows\": ")
        out.append(decimal: size)
        out.append(", \"cols\": ")
        out.append(decimal: size)
        out.append(", \"seed\": ")
        out.append(decimal: seed)
        out.append("}")
    }
}
