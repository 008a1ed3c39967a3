/// Where a piece of a graph was declared: a position in a graph file, or the Swift
/// source line of a builder call. Errors print it first, as `file:line:column`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Whether a task computes (runs on a pinned worker that owns a core) or waits
/// (runs on the IO executor, which never holds a compute core).
public enum TaskClass: String, Sendable, Hashable, CaseIterable {
    case cpu
    case io
}

/// A typed argument value, as written in a graph file or passed to the builder.
public enum ArgValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ArgValue])

    /// The name used in error messages: "integer", "number", "boolean", "string", "list".
    public var typeName: String {
        switch self {
        case .int: "integer"
        case .double: "number"
        case .bool: "boolean"
        case .string: "string"
        case .list: "list"
        }
    }

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .bool(let v): String(v)
        case .string(let v): "\"\(v)\""
        case .list(let vs): "[" + vs.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// What a task produces, as far as it can be known before running: used to find
/// shape mismatches statically (a gemm of 100x50 by 60x10 is an error at load time).
public enum ValueShape: Sendable, Hashable, CustomStringConvertible {
    case matrix(rows: Int, cols: Int)
    /// The LU factors of an `n x n` matrix with their pivots (`getrf`'s result, `getrs`'s input).
    case luFactors(n: Int)
    case scalar
    case text
    case nothing
    /// Not known statically (a Swift closure, or an input whose own shape had an error).
    case unknown

    public var description: String {
        switch self {
        case .matrix(let r, let c): "\(r)x\(c)"
        case .luFactors(let n): "LU factors of \(n)x\(n)"
        case .scalar: "scalar"
        case .text: "text"
        case .nothing: "nothing"
        case .unknown: "unknown"
        }
    }

    public var isMatrix: Bool { if case .matrix = self { true } else { false } }

    /// Element count of a matrix shape, 0 otherwise.
    public var elementCount: Int {
        if case .matrix(let r, let c) = self { return r * c }
        return 0
    }
}
