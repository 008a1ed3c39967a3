/// A task id of a tiled graph: a name, up to two tile indices and an optional step,
/// written as `A`, `A[2]`, `A[2][1]` or `A[2][1]+0`. Built without allocating, so a
/// graph of millions of tile tasks streams in constant memory.
struct TaskName {
    let name: StaticString
    let i: Int
    let j: Int
    /// `+step` after the indices, when 0 or more.
    let step: Int

    /// A task that is not a tile: `x`, `check`, `norm(A)`.
    init(_ name: StaticString) {
        self.init(name, -1, -1, step: -1)
    }

    /// Block `i` of a vector: `x[2]`, `Ax[2]`.
    init(_ name: StaticString, _ i: Int) {
        self.init(name, i, -1, step: -1)
    }

    /// Tile (i, j) of `name`, after step `step` when that is 0 or more.
    init(_ name: StaticString, _ i: Int, _ j: Int, step: Int = -1) {
        self.name = name
        self.i = i
        self.j = j
        self.step = step
    }
}

/// An argument value of a generated task.
enum ArgValue {
    case int(Int)
    case number(Double)
    case bool(Bool)
    /// A JSON-safe string (no quote, backslash or control character).
    case text(StaticString)
    /// A list of booleans, `count` copies of the first then `thenCount` of the second
    /// (`[false, false, true]`), written without allocating.
    case flags(Bool, count: Int, then: Bool, thenCount: Int)
    /// A list of numbers, `count` copies of the first then `thenCount` of the second
    /// (`[1.0, 2.0, 2.0]`), written without allocating.
    case numbers(Double, count: Int, then: Double, thenCount: Int)
    /// A list of JSON-safe strings, `count` copies of the first then `thenCount` of the
    /// second (`["upper", "full"]`), written without allocating.
    case texts(StaticString, count: Int, then: StaticString, thenCount: Int)
}

/// Receives the tasks of a tiled graph, in an order where every input comes first.
protocol NamedTaskVisitor: ~Copyable {
    mutating func task(_ id: TaskName, _ op: StaticString, inputs: some Sequence<TaskName>,
                       args: KeyValuePairs<StaticString, ArgValue>)
}

extension NamedTaskVisitor where Self: ~Copyable {
    mutating func task(_ id: TaskName, _ op: StaticString, inputs: some Sequence<TaskName>) {
        task(id, op, inputs: inputs, args: [:])
    }

    mutating func task(_ id: TaskName, _ op: StaticString, args: KeyValuePairs<StaticString, ArgValue>) {
        task(id, op, inputs: EmptyCollection(), args: args)
    }
}

/// Counts the tasks and edges of a walk without writing anything.
struct NamedTaskCounter: NamedTaskVisitor {
    var tasks = 0
    var edges = 0

    mutating func task(_ id: TaskName, _ op: StaticString, inputs: some Sequence<TaskName>,
                       args: KeyValuePairs<StaticString, ArgValue>) {
        tasks += 1
        for _ in inputs { edges += 1 }
    }
}

/// Writes each visited task as one line of graph format v1, e.g.
/// `{"id": "C[0][1]+1", "op": "gemm", "inputs": ["A[0][1]", "B[1][1]", "C[0][1]+0"], "args": {"beta": 1.0}}`.
struct NamedTaskWriter: NamedTaskVisitor, ~Copyable {
    var out: ChunkWriter
    private var first = true

    init(out: consuming ChunkWriter) {
        self.out = out
    }

    mutating func task(_ id: TaskName, _ op: StaticString, inputs: some Sequence<TaskName>,
                       args: KeyValuePairs<StaticString, ArgValue>) {
        if first {
            first = false
        } else {
            out.append(",\n")
        }
        out.append("{\"id\": ")
        append(id)
        out.append(", \"op\": \"")
        out.append(op)
        out.append(UInt8(ascii: "\""))
        var separator: StaticString = ", \"inputs\": ["
        var any = false
        for input in inputs {
            out.append(separator)
            separator = ", "
            any = true
            append(input)
        }
        if any { out.append("]") }
        if !args.isEmpty {
            separator = ", \"args\": {\""
            for (key, value) in args {
                out.append(separator)
                separator = ", \""
                out.append(key)
                out.append("\": ")
                switch value {
                case .int(let v): out.append(decimal: v)
                case .number(let v): out.append(string: v.description)
                case .bool(let v): out.append(v ? "true" : "false")
                case .text(let v):
                    out.append(UInt8(ascii: "\""))
                    out.append(v)
                    out.append(UInt8(ascii: "\""))
                case .flags(let first, let count, let second, let thenCount):
                    appendList(count + thenCount) { k in k < count ? (first ? "true" : "false") : (second ? "true" : "false") }
                case .numbers(let first, let count, let second, let thenCount):
                    let (a, b) = (first.description, second.description)
                    appendList(count + thenCount) { k in k < count ? a : b }
                case .texts(let first, let count, let second, let thenCount):
                    let (a, b) = ("\"\(first)\"", "\"\(second)\"")
                    appendList(count + thenCount) { k in k < count ? a : b }
                }
            }
            out.append("}")
        }
        out.append("}")
    }

    /// `[item(0), item(1), ...]`.
    private mutating func appendList(_ count: Int, _ item: (Int) -> String) {
        out.append(UInt8(ascii: "["))
        for k in 0..<count {
            if k > 0 { out.append(", ") }
            out.append(string: item(k))
        }
        out.append(UInt8(ascii: "]"))
    }

    private mutating func append(_ id: TaskName) {
        out.append(UInt8(ascii: "\""))
        out.append(id.name)
        if id.i >= 0 {
            out.append(UInt8(ascii: "["))
            out.append(decimal: id.i)
            out.append(UInt8(ascii: "]"))
        }
        if id.j >= 0 {
            out.append(UInt8(ascii: "["))
            out.append(decimal: id.j)
            out.append(UInt8(ascii: "]"))
        }
        if id.step >= 0 {
            out.append(UInt8(ascii: "+"))
            out.append(decimal: id.step)
        }
        out.append(UInt8(ascii: "\""))
    }
}
