/// A handle to a task added to a ``GraphBuilder``; pass it as an input of later tasks.
public struct TaskHandle: Sendable, Hashable, CustomStringConvertible {
    public let id: String
    public var description: String { id }
}

/// Builds a graph in Swift, dask-style: each call adds a task and returns its handle,
/// which later tasks take as inputs. Ids are optional (`op-N` is generated).
///
/// ```swift
/// var g = GraphBuilder(name: "demo")
/// let a = g.random(rows: 256, cols: 128, seed: 1)
/// let b = g.random(rows: 128, cols: 64, seed: 2)
/// let c = g.gemm(a, b, id: "c")
/// let total = g.sum([c])
/// let graph = try g.build()      // validated: shapes, cycles, arguments
/// ```
///
/// Each task remembers the Swift source line that added it, so validation errors
/// point at your code the way they point at a line of a graph file.
public struct GraphBuilder: Sendable {
    public private(set) var table: TaskTable
    private var counter = 0

    public init(name: String? = nil) {
        table = TaskTable(name: name)
    }

    /// Adds a task running op `op` from the catalogue.
    @discardableResult
    public mutating func add(_ op: String, id: String? = nil, inputs: [TaskHandle] = [],
                             args: [String: ArgValue] = [:], class taskClass: TaskClass? = nil, cost: Double? = nil,
                             run runPolicy: TaskRunPolicy = .default,
                             file: String = #fileID, line: Int = #line, column: Int = #column) -> TaskHandle {
        let id = id ?? nextID(op)
        table.append(id: id, op: op, inputs: inputs.lazy.map(\.id), args: args, taskClass: taskClass, cost: cost,
                     runPolicy: runPolicy, line: line, column: column, sourceFile: file)
        return TaskHandle(id: id)
    }

    /// Adds a task whose work is a Swift value the runtime knows how to call (see DagRuntime's
    /// `GraphBuilder.task(_:inputs:class:_:)`). `label` names it in traces and drawings.
    @discardableResult
    public mutating func addClosure(label: String, id: String? = nil, inputs: [TaskHandle], class taskClass: TaskClass,
                                    cost: Double? = nil, run runPolicy: TaskRunPolicy = .default, body: any Sendable,
                                    file: String = #fileID, line: Int = #line, column: Int = #column) -> TaskHandle {
        let id = id ?? nextID(label)
        table.append(id: id, op: label, inputs: inputs.lazy.map(\.id), taskClass: taskClass, cost: cost,
                     runPolicy: runPolicy, line: line, column: column, sourceFile: file, body: body)
        return TaskHandle(id: id)
    }

    /// Validates the graph against `catalogue` and returns it ready to run.
    public func build(catalogue: OpCatalogue = .standard,
                      defaultExecutor: TaskRunPolicy.Executor = .thread) throws(GraphValidationError) -> TaskGraph {
        try GraphValidator(catalogue: catalogue, defaultExecutor: defaultExecutor).validate(table)
    }

    private mutating func nextID(_ op: String) -> String {
        counter += 1
        return "\(op)-\(counter)"
    }
}

// MARK: - The standard ops, typed

extension GraphBuilder {
    public mutating func random(rows: Int, cols: Int, seed: Int = 0, id: String? = nil,
                                file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("random", id: id, args: ["rows": .int(rows), "cols": .int(cols), "seed": .int(seed)], file: file, line: line)
    }
    public mutating func zeros(rows: Int, cols: Int, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("zeros", id: id, args: ["rows": .int(rows), "cols": .int(cols)], file: file, line: line)
    }
    public mutating func ones(rows: Int, cols: Int, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("ones", id: id, args: ["rows": .int(rows), "cols": .int(cols)], file: file, line: line)
    }
    public mutating func eye(_ n: Int, id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("eye", id: id, args: ["n": .int(n)], file: file, line: line)
    }
    public mutating func gemm(_ a: TaskHandle, _ b: TaskHandle, c: TaskHandle? = nil, alpha: Double = 1, beta: Double = 0,
                              transA: Bool = false, transB: Bool = false, id: String? = nil,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("gemm", id: id, inputs: [a, b] + (c.map { [$0] } ?? []),
            args: ["alpha": .double(alpha), "beta": .double(beta), "transA": .bool(transA), "transB": .bool(transB)],
            file: file, line: line)
    }
    public mutating func add(_ inputs: [TaskHandle], id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("add", id: id, inputs: inputs, file: file, line: line)
    }
    public mutating func scale(_ x: TaskHandle, by alpha: Double, id: String? = nil,
                               file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("scale", id: id, inputs: [x], args: ["alpha": .double(alpha)], file: file, line: line)
    }
    public mutating func sum(_ inputs: [TaskHandle], id: String? = nil, file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("sum", id: id, inputs: inputs, file: file, line: line)
    }
    public mutating func loadNPY(_ path: String, after: [TaskHandle] = [], id: String? = nil,
                                 file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("load_npy", id: id, inputs: after, args: ["path": .string(path)], file: file, line: line)
    }
    @discardableResult
    public mutating func saveNPY(_ x: TaskHandle, to path: String, id: String? = nil,
                                 file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("save_npy", id: id, inputs: [x], args: ["path": .string(path)], file: file, line: line)
    }
    public mutating func readText(_ path: String, after: [TaskHandle] = [], id: String? = nil,
                                  file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("read_text", id: id, inputs: after, args: ["path": .string(path)], file: file, line: line)
    }
    @discardableResult
    public mutating func writeText(_ x: TaskHandle, to path: String, id: String? = nil,
                                   file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("write_text", id: id, inputs: [x], args: ["path": .string(path)], file: file, line: line)
    }
    @discardableResult
    public mutating func sleep(seconds: Double, after: [TaskHandle] = [], id: String? = nil,
                               file: String = #fileID, line: Int = #line) -> TaskHandle {
        add("sleep", id: id, inputs: after, args: ["seconds": .double(seconds)], file: file, line: line)
    }
    @discardableResult
    public mutating func exec(_ argv: [String], cwd: String? = nil, stdout: String? = nil, stderr: String? = nil,
                              env: [String: String] = [:], after: [TaskHandle] = [], id: String? = nil,
                              run runPolicy: TaskRunPolicy = .default,
                              file: String = #fileID, line: Int = #line) -> TaskHandle {
        var args: [String: ArgValue] = ["argv": .list(argv.map(ArgValue.string))]
        if !env.isEmpty { args["env"] = .list(env.keys.sorted().map { .string("\($0)=\(env[$0]!)") }) }
        if let cwd { args["cwd"] = .string(cwd) }
        if let stdout { args["stdout"] = .string(stdout) }
        if let stderr { args["stderr"] = .string(stderr) }
        return add("exec", id: id, inputs: after, args: args, run: runPolicy, file: file, line: line)
    }
}

extension ArgValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ArgValue...) { self = .list(elements) }
}
