/// The type of an op argument, checked before anything runs.
public enum ParamType: Sendable, Hashable, CustomStringConvertible {
    case int
    /// Any number; integers are accepted and widened.
    case number
    case bool
    case string
    case stringList
    /// A boolean, or a list of booleans (one per item the op defines, e.g. `gemv`'s pairs).
    case flags
    /// A list of numbers; integers are accepted and widened.
    case numberList
    /// Environment-style pairs: a JSON object of strings (`{"K": "V"}`) or a list of
    /// `"K=V"` strings; held as a list of `"K=V"` strings either way.
    case keyValues

    public var description: String {
        switch self {
        case .int: "integer"
        case .number: "number"
        case .bool: "boolean"
        case .string: "string"
        case .stringList: "list of strings"
        case .flags: "boolean or list of booleans"
        case .numberList: "list of numbers"
        case .keyValues: "object of strings or list of \"KEY=VALUE\" strings"
        }
    }

    /// "an integer", "a number", ...: for messages.
    public var withArticle: String { self == .int ? "an integer" : "a \(self)" }

    /// `value` converted to this type, or nil when it does not fit.
    func accept(_ value: ArgValue) -> ArgValue? {
        switch (self, value) {
        case (.int, .int), (.number, .double), (.bool, .bool), (.string, .string): return value
        case (.number, .int(let i)): return .double(Double(i))
        case (.int, .double(let d)) where d.rounded() == d && abs(d) < 9.0e15: return .int(Int(d))
        case (.stringList, .list(let items)):
            return items.allSatisfy { if case .string = $0 { true } else { false } } ? value : nil
        case (.flags, .bool): return value
        case (.flags, .list(let items)):
            return items.allSatisfy { if case .bool = $0 { true } else { false } } ? value : nil
        case (.numberList, .list(let items)):
            var numbers: [ArgValue] = []
            for item in items {
                switch item {
                case .double: numbers.append(item)
                case .int(let i): numbers.append(.double(Double(i)))
                default: return nil
                }
            }
            return .list(numbers)
        case (.keyValues, .list(let items)):
            return items.allSatisfy { if case .string(let s) = $0 { s.firstIndex(of: "=").map { $0 != s.startIndex } ?? false } else { false } }
                ? value : nil
        default: return nil
        }
    }
}

/// One named argument of an op.
public struct ParamSpec: Sendable {
    public var name: String
    public var type: ParamType
    /// Used when the argument is absent; `nil` with `required == false` means "optional, no default".
    public var defaultValue: ArgValue?
    public var required: Bool
    public var doc: String
    /// Extra check on a well-typed value: returns a sentence saying what is wrong, or nil.
    public var check: (@Sendable (ArgValue) -> String?)?

    public init(_ name: String, _ type: ParamType, required: Bool = false, default defaultValue: ArgValue? = nil,
                doc: String, check: (@Sendable (ArgValue) -> String?)? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.doc = doc
        self.check = check
    }
}

/// How many inputs an op takes.
public struct InputRule: Sendable, Hashable, CustomStringConvertible {
    public var min: Int
    public var max: Int?

    public static func exactly(_ n: Int) -> InputRule { InputRule(min: n, max: n) }
    public static func atLeast(_ n: Int) -> InputRule { InputRule(min: n, max: nil) }
    public static func between(_ a: Int, _ b: Int) -> InputRule { InputRule(min: a, max: b) }
    /// Inputs only order the task after others; their values are not used.
    public static let orderingOnly = InputRule(min: 0, max: nil)

    public func allows(_ n: Int) -> Bool { n >= min && (max.map { n <= $0 } ?? true) }

    public var description: String {
        switch max {
        case .some(0): "no inputs"
        case .some(let m) where m == min: m == 1 ? "exactly 1 input" : "exactly \(m) inputs"
        case .some(let m): "\(min) to \(m) inputs"
        case .none: min == 0 ? "any number of inputs" : "at least \(min) input\(min == 1 ? "" : "s")"
        }
    }
}

/// Validated arguments of one task, with defaults filled in.
///
/// Accessors trap on a missing required argument: validation guarantees presence,
/// so a miss is a bug in an op's signature, not bad user input.
public struct Args: Sendable, Hashable {
    public var values: [String: ArgValue]

    public init(_ values: [String: ArgValue] = [:]) { self.values = values }

    public subscript(name: String) -> ArgValue? { values[name] }

    public func int(_ name: String) -> Int {
        guard case .int(let v)? = values[name] else { preconditionFailure("argument '\(name)' is not a validated integer") }
        return v
    }
    public func double(_ name: String) -> Double {
        switch values[name] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: preconditionFailure("argument '\(name)' is not a validated number")
        }
    }
    public func bool(_ name: String) -> Bool {
        guard case .bool(let v)? = values[name] else { preconditionFailure("argument '\(name)' is not a validated boolean") }
        return v
    }
    public func string(_ name: String) -> String? {
        guard case .string(let v)? = values[name] else { return nil }
        return v
    }
    public func strings(_ name: String) -> [String]? {
        guard case .list(let items)? = values[name] else { return nil }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }
    /// A ``ParamType/flags`` argument as one flag per item: a single boolean repeated
    /// `count` times, or the list as given (the op's shape rule checks its length);
    /// nil when absent.
    public func flags(_ name: String, count: Int) -> [Bool]? {
        switch values[name] {
        case .bool(let v)?: return [Bool](repeating: v, count: count)
        case .list(let items)?: return items.compactMap { if case .bool(let b) = $0 { b } else { nil } }
        default: return nil
        }
    }
    /// A ``ParamType/numberList`` argument, nil when absent.
    public func numbers(_ name: String) -> [Double]? {
        guard case .list(let items)? = values[name] else { return nil }
        return items.compactMap {
            switch $0 {
            case .double(let d): d
            case .int(let i): Double(i)
            default: nil
            }
        }
    }
}

/// What a shape rule sees: the task's inputs with their ids and static shapes, and its arguments.
public struct ShapeRequest: Sendable {
    public var op: String
    public var inputIDs: [String]
    public var inputShapes: [ValueShape]
    public var args: Args

    public init(op: String, inputIDs: [String], inputShapes: [ValueShape], args: Args) {
        self.op = op
        self.inputIDs = inputIDs
        self.inputShapes = inputShapes
        self.args = args
    }

    /// The dimensions of input `i` if it is a matrix, nil if unknown; throws if it is known not to be one.
    public func matrix(_ i: Int) throws(ShapeError) -> (rows: Int, cols: Int)? {
        switch inputShapes[i] {
        case .matrix(let r, let c): return (r, c)
        case .unknown: return nil
        case let other:
            throw ShapeError(field: "inputs[\(i)]",
                             message: "\(op) needs a matrix, but input '\(inputIDs[i])' produces \(other)")
        }
    }
}

/// A shape or kind mismatch found before running.
public struct ShapeError: Error, Sendable {
    public var field: String
    public var message: String
    public var hint: String?

    public init(field: String = "inputs", message: String, hint: String? = nil) {
        self.field = field
        self.message = message
        self.hint = hint
    }
}

/// The static description of an op: its arguments, inputs, class, result shape and cost.
/// Implementations live in the runtime; this is what validation and planning need.
public struct OpSignature: Sendable {
    public var name: String
    public var summary: String
    public var defaultClass: TaskClass
    public var allowedClasses: Set<TaskClass>
    public var params: [ParamSpec]
    public var inputs: InputRule
    /// The result's shape from the inputs' shapes and the arguments; throws on a mismatch.
    public var shape: @Sendable (ShapeRequest) throws(ShapeError) -> ValueShape
    /// Estimated seconds on one core, for the critical path and the static priority order.
    public var cost: @Sendable (ShapeRequest, ValueShape) -> Double
    /// Set when the result shape and cost never depend on inputs or arguments: validation then
    /// skips building a ``ShapeRequest`` per task (a million `noop` tasks validate in one pass).
    public var fixed: (shape: ValueShape, cost: Double)?

    public init(name: String, summary: String, defaultClass: TaskClass, allowedClasses: Set<TaskClass>? = nil,
                params: [ParamSpec] = [], inputs: InputRule,
                shape: @escaping @Sendable (ShapeRequest) throws(ShapeError) -> ValueShape,
                cost: @escaping @Sendable (ShapeRequest, ValueShape) -> Double,
                fixed: (shape: ValueShape, cost: Double)? = nil) {
        self.name = name
        self.summary = summary
        self.defaultClass = defaultClass
        self.allowedClasses = allowedClasses ?? [.cpu, .io]
        self.params = params
        self.inputs = inputs
        self.shape = shape
        self.cost = cost
        self.fixed = fixed
    }

    /// The signature of a Swift closure given to the builder: any inputs, no arguments, unknown shape.
    public static func closure(label: String, taskClass: TaskClass) -> OpSignature {
        OpSignature(name: label, summary: "Swift closure", defaultClass: taskClass, params: [],
                    inputs: .orderingOnly, shape: { _ in .unknown }, cost: { _, _ in 1e-5 }, fixed: (.unknown, 1e-5))
    }
}

/// The ops a graph may name, by name.
public struct OpCatalogue: Sendable {
    public private(set) var signatures: [String: OpSignature] = [:]

    public init(_ signatures: [OpSignature] = []) {
        for s in signatures { register(s) }
    }

    public mutating func register(_ signature: OpSignature) {
        signatures[signature.name] = signature
    }

    public subscript(name: String) -> OpSignature? { signatures[name] }

    /// All op names, sorted.
    public var names: [String] { signatures.keys.sorted() }
}
