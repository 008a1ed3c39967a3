/// One task as declared, before validation: by a graph file or by ``GraphBuilder``.
///
/// Ids and input references are strings here; ``GraphValidator`` turns a list of
/// specs into a ``TaskGraph`` with dense integer indices.
public struct TaskSpec: Sendable {
    public var id: String
    /// A name from the op catalogue, or the label of a Swift closure (see ``body``).
    public var op: String
    /// Ids of the tasks whose results this task consumes, in argument order.
    public var inputs: [String]
    public var args: [String: ArgValue]
    /// `nil` means the op's default class.
    public var taskClass: TaskClass?
    /// Estimated cost in seconds, overriding the op's estimate for the critical path.
    public var cost: Double?
    /// Where the task was declared.
    public var location: SourceLocation?
    /// Where each field was declared: keys "id", "op", "inputs", "inputs[2]", "args", "args.alpha", "class", "cost".
    public var fieldLocations: [String: SourceLocation]
    /// A Swift closure given to the builder (opaque here; the runtime knows its type).
    public var body: (any Sendable)?

    public init(id: String, op: String, inputs: [String] = [], args: [String: ArgValue] = [:],
                taskClass: TaskClass? = nil, cost: Double? = nil, location: SourceLocation? = nil,
                fieldLocations: [String: SourceLocation] = [:], body: (any Sendable)? = nil) {
        self.id = id
        self.op = op
        self.inputs = inputs
        self.args = args
        self.taskClass = taskClass
        self.cost = cost
        self.location = location
        self.fieldLocations = fieldLocations
        self.body = body
    }

    /// The best known location of a field: the field itself, then its parent, then the task.
    public func location(of field: String) -> SourceLocation? {
        if let l = fieldLocations[field] { return l }
        if let dot = field.firstIndex(where: { $0 == "." || $0 == "[" }),
           let l = fieldLocations[String(field[..<dot])] { return l }
        return location
    }
}

/// A declared graph: its tasks in declaration order, and where it came from.
public struct GraphSpec: Sendable {
    public var name: String?
    /// The file the graph was read from (for messages and to resolve relative paths), if any.
    public var file: String?
    public var tasks: [TaskSpec]

    public init(name: String? = nil, file: String? = nil, tasks: [TaskSpec] = []) {
        self.name = name
        self.file = file
        self.tasks = tasks
    }
}
