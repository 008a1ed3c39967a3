import DagCore
import DagJSON
import Glibc

/// The dagrun graph file format, version 1 (JSON):
///
/// ```json
/// {
///   "version": 1,
///   "name": "diamond",
///   "tasks": [
///     {"id": "a", "op": "random", "args": {"rows": 64, "cols": 64, "seed": 1}},
///     {"id": "b", "op": "scale", "inputs": ["a"], "args": {"alpha": 2}},
///     {"id": "c", "op": "gemm", "inputs": ["a", "b"], "class": "cpu", "cost": 0.001}
///   ]
/// }
/// ```
///
/// Top level: `version` (must be 1), `tasks` (array), optional `name` and `description`.
/// Task: `id` (string, unique), `op` (string), optional `inputs` (array of ids),
/// `args` (object of numbers, booleans, strings and lists), `class` ("cpu" or "io"),
/// `cost` (estimated seconds, for the critical path), `doc` (free text).
///
/// Decoding collects every structural problem with its `file:line:column`; validation
/// (``GraphValidator``) then checks ops, arguments, references, cycles and shapes.
public enum GraphFile {
    public static let version = 1
    static let topLevelFields = ["version", "name", "description", "tasks"]
    static let taskFields = ["id", "op", "inputs", "args", "class", "cost", "doc", "executor", "timeout", "retries", "max_memory", "cores"]

    /// Reads, decodes and validates a graph file; every issue found is in the error.
    public static func load(path: String, catalogue: OpCatalogue = .standard) throws(GraphValidationError) -> TaskGraph {
        try validate(decode(path: path), catalogue: catalogue)
    }

    /// Decodes and validates graph JSON; `file` names it in messages.
    public static func load(bytes: [UInt8], file: String, catalogue: OpCatalogue = .standard) throws(GraphValidationError) -> TaskGraph {
        try validate(decode(bytes: bytes, file: file), catalogue: catalogue)
    }

    /// Reads and decodes a graph file without validating it (the "load" phase).
    public static func decode(path: String) throws(GraphValidationError) -> Decoded {
        do {
            return decode(try FileBytes.open(path), file: path)
        } catch {
            throw GraphValidationError(issues: [error])
        }
    }

    /// Validates decoded tasks (the "validate" phase); structural and semantic issues are reported together.
    public static func validate(_ decoded: Decoded, catalogue: OpCatalogue = .standard,
                                defaultExecutor: TaskRunPolicy.Executor = .thread) throws(GraphValidationError) -> TaskGraph {
        let validator = GraphValidator(catalogue: catalogue, defaultExecutor: defaultExecutor)
        if decoded.issues.isEmpty { return try validator.validate(decoded.table) }
        // Still validate what could be decoded, so all errors are reported at once; drop what
        // the validator says about tasks already known to be broken.
        var issues = decoded.issues
        do {
            _ = try validator.validate(decoded.table)
        } catch {
            issues += error.issues.filter { !decoded.isConsequenceOfBrokenField($0) }
        }
        throw GraphValidationError(issues: sortedByPosition(issues))
    }

    /// The result of decoding: the tasks as declared and the structural issues found.
    public struct Decoded: Sendable {
        public var table: TaskTable
        public var issues: [GraphIssue]
        /// Fields that could not be decoded, by task id ("*" for a task that is broken as a whole).
        /// Validation issues about these fields are consequences, not news, and are not reported.
        public var brokenFields: [String: Set<String>]

        func isConsequenceOfBrokenField(_ issue: GraphIssue) -> Bool {
            guard let task = issue.taskID, let fields = brokenFields[task] else { return false }
            if fields.contains("*") { return true }
            guard let field = issue.field else { return false }
            return fields.contains { field == $0 || field.hasPrefix($0 + ".") || field.hasPrefix($0 + "[") }
        }
    }

    /// Decodes graph JSON into declared tasks without checking ops or references.
    ///
    /// Valid files of the usual shape take the fast path (``FastGraphReader``); anything
    /// else goes through the JSON tree, which reports every problem with its position.
    public static func decode(bytes: [UInt8], file: String) -> Decoded {
        decode(FileBytes(copying: bytes), file: file)
    }

    static func decode(_ bytes: FileBytes, file: String) -> Decoded {
        if let table = FastGraphReader.read(bytes, file: file) {
            return Decoded(table: table, issues: [], brokenFields: [:])
        }
        return decodeWithTree(bytes: bytes.buffer, file: file)
    }

    /// Decodes through the positional JSON tree (slower; exact about every problem).
    static func decodeWithTree(bytes: [UInt8], file: String) -> Decoded {
        bytes.withUnsafeBytes { decodeWithTree(bytes: $0, file: file) }
    }

    static func decodeWithTree(bytes: UnsafeRawBufferPointer, file: String) -> Decoded {
        var d = Decoder(file: file)
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            d.issue(error.position, message: "invalid JSON: \(error.message)")
            return Decoded(table: TaskTable(file: file), issues: d.issues, brokenFields: [:])
        }
        var table = d.graph(root)
        let fields = d.fieldLocations
        table.fieldLocator = { task, field in
            guard let byField = fields[task] else { return nil }
            if let l = byField[field] { return l }
            if let cut = field.firstIndex(where: { $0 == "." || $0 == "[" }) { return byField[String(field[..<cut])] }
            return nil
        }
        return Decoded(table: table, issues: d.issues, brokenFields: d.broken)
    }

    static func sortedByPosition(_ issues: [GraphIssue]) -> [GraphIssue] {
        issues.enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case let (la?, lb?) where (la.line, la.column) != (lb.line, lb.column):
                return (la.line, la.column) < (lb.line, lb.column)
            default:
                return a.offset < b.offset
            }
        }.map(\.element)
    }
}

/// Walks the JSON tree, building task specs and collecting issues.
struct Decoder {
    let file: String
    var issues: [GraphIssue] = []
    var broken: [String: Set<String>] = [:]
    /// Per task, where each field was written (the fast path finds these again only on error).
    var fieldLocations: [Int: [String: SourceLocation]] = [:]

    init(file: String) { self.file = file }

    func loc(_ p: SourcePosition) -> SourceLocation { SourceLocation(file: file, line: p.line, column: p.column) }

    mutating func issue(_ p: SourcePosition, task: String? = nil, field: String? = nil, message: String, hint: String? = nil) {
        issues.append(GraphIssue(location: loc(p), taskID: task, field: field, message: message, hint: hint))
    }

    mutating func graph(_ root: JSONNode) -> TaskTable {
        var spec = TaskTable(file: file)
        guard case .object(let members) = root.value else {
            issue(root.position, message: "a graph file must be a JSON object with \"version\" and \"tasks\", found \(root.value.typeName)",
                  hint: "see graphs/schema.json")
            return spec
        }
        var seen: [String: SourcePosition] = [:]
        var versionSeen = false, tasksSeen = false
        for m in members {
            if let first = seen[m.key] {
                issue(m.keyPosition, field: m.key, message: "duplicate field '\(m.key)' (first at \(first))")
                continue
            }
            seen[m.key] = m.keyPosition
            switch m.key {
            case "version":
                versionSeen = true
                if case .int(let v) = m.value.value {
                    if v != GraphFile.version {
                        issue(m.value.position, field: "version",
                              message: "unsupported graph format version \(v); this dagrun reads version \(GraphFile.version)")
                    }
                } else {
                    issue(m.value.position, field: "version", message: "version must be the integer 1, found \(m.value.value.typeName)")
                }
            case "name", "description":
                if case .string(let s) = m.value.value {
                    if m.key == "name" { spec.name = s }
                } else {
                    issue(m.value.position, field: m.key, message: "\(m.key) must be a string, found \(m.value.value.typeName)")
                }
            case "tasks":
                tasksSeen = true
                guard case .array(let items) = m.value.value else {
                    issue(m.value.position, field: "tasks", message: "tasks must be an array of task objects, found \(m.value.value.typeName)")
                    continue
                }
                for (k, item) in items.enumerated() {
                    let t = task(item, number: k)
                    fieldLocations[k] = t.fieldLocations
                    spec.append(id: t.id, op: t.op, inputs: t.inputs, args: t.args, taskClass: t.taskClass,
                                cost: t.cost, runPolicy: t.runPolicy, line: item.position.line, column: item.position.column)
                }
            default:
                issue(m.keyPosition, field: m.key, message: "unknown top-level field '\(m.key)'",
                      hint: didYouMean(nearestNames(to: m.key, in: GraphFile.topLevelFields))
                        ?? "top-level fields are \(GraphFile.topLevelFields.joined(separator: ", "))")
            }
        }
        if !versionSeen {
            issue(root.position, field: "version", message: "missing \"version\"", hint: "add \"version\": 1 at the top level")
        }
        if !tasksSeen {
            issue(root.position, field: "tasks", message: "missing \"tasks\"", hint: "add \"tasks\": [ ... ] with one object per task")
        }
        return spec
    }

    /// One task as written, before it joins the table.
    struct Draft {
        var id = "", op = ""
        var inputs: [String] = []
        var args: [String: ArgValue] = [:]
        var taskClass: TaskClass?
        var cost: Double?
        var runPolicy = TaskRunPolicy.default
        var fieldLocations: [String: SourceLocation] = [:]
    }

    mutating func task(_ node: JSONNode, number k: Int) -> Draft {
        var t = Draft()
        let placeholder = "#\(k + 1)"
        guard case .object(let members) = node.value else {
            issue(node.position, field: "tasks[\(k)]", message: "task \(k + 1) must be an object, found \(node.value.typeName)")
            t.id = placeholder
            broken[placeholder] = ["*"]
            return t
        }
        var brokenHere: Set<String> = []
        // The id first, so every later message can name the task.
        for m in members where m.key == "id" {
            if case .string(let s) = m.value.value {
                t.id = s
                t.fieldLocations["id"] = loc(m.value.position)
            }
        }
        let name: String? = t.id.isEmpty ? nil : t.id
        var seen: [String: SourcePosition] = [:]
        for m in members {
            let v = m.value
            if let first = seen[m.key] {
                issue(m.keyPosition, task: name, field: m.key, message: "duplicate field '\(m.key)' (first at \(first))")
                continue
            }
            seen[m.key] = m.keyPosition
            t.fieldLocations[m.key] = loc(v.position)
            switch m.key {
            case "id":
                if case .string = v.value { break }
                issue(v.position, field: "id", message: "id must be a string, found \(v.value.typeName) (task \(k + 1))",
                      hint: "quote it: \"id\": \"...\"")
                brokenHere.insert("*")
            case "op":
                if case .string(let s) = v.value { t.op = s } else {
                    issue(v.position, task: name, field: "op", message: "op must be a string naming an op, found \(v.value.typeName)")
                    brokenHere.insert("*")
                }
            case "inputs":
                guard case .array(let refs) = v.value else {
                    issue(v.position, task: name, field: "inputs", message: "inputs must be an array of task ids, found \(v.value.typeName)")
                    brokenHere.insert("inputs")
                    continue
                }
                for (j, r) in refs.enumerated() {
                    t.fieldLocations["inputs[\(j)]"] = loc(r.position)
                    if case .string(let s) = r.value { t.inputs.append(s) } else {
                        issue(r.position, task: name, field: "inputs[\(j)]", message: "an input must be a task id string, found \(r.value.typeName)")
                        brokenHere.insert("inputs")
                    }
                }
            case "args":
                guard case .object(let argMembers) = v.value else {
                    issue(v.position, task: name, field: "args", message: "args must be an object, found \(v.value.typeName)")
                    brokenHere.insert("args")
                    continue
                }
                for a in argMembers {
                    t.fieldLocations["args.\(a.key)"] = loc(a.value.position)
                    if t.args[a.key] != nil {
                        issue(a.keyPosition, task: name, field: "args.\(a.key)", message: "duplicate argument '\(a.key)'")
                    } else if let value = argValue(a.value, task: name, field: "args.\(a.key)") {
                        t.args[a.key] = value
                    } else {
                        brokenHere.insert("args.\(a.key)")
                    }
                }
            case "class":
                if case .string(let s) = v.value, let c = TaskClass(rawValue: s) { t.taskClass = c } else {
                    let found: String = if case .string(let s) = v.value { "'\(s)'" } else { v.value.typeName }
                    issue(v.position, task: name, field: "class", message: "class must be \"cpu\" or \"io\", found \(found)")
                }
            case "cost":
                switch v.value {
                case .int(let i): t.cost = Double(i)
                case .double(let d): t.cost = d
                default: issue(v.position, task: name, field: "cost", message: "cost must be a number of seconds, found \(v.value.typeName)")
                }
            case "doc":
                if case .string = v.value { break }
                issue(v.position, task: name, field: "doc", message: "doc must be a string, found \(v.value.typeName)")
            case "executor":
                let names = TaskRunPolicy.Executor.allCases.map(\.rawValue)
                if case .string(let s) = v.value, let e = TaskRunPolicy.Executor(rawValue: s) { t.runPolicy.executor = e } else {
                    let found: String = if case .string(let s) = v.value { "'\(s)'" } else { v.value.typeName }
                    let near: String? = if case .string(let s) = v.value { didYouMean(nearestNames(to: s, in: names)) } else { nil }
                    issue(v.position, task: name, field: "executor",
                          message: "executor must be \"thread\" or \"process\", found \(found)", hint: near)
                }
            case "timeout":
                switch v.value {
                case .int(let i): t.runPolicy.timeout = Double(i)
                case .double(let d): t.runPolicy.timeout = d
                default: issue(v.position, task: name, field: "timeout", message: "timeout must be a number of seconds, found \(v.value.typeName)")
                }
            case "retries":
                if case .int(let i) = v.value { t.runPolicy.retries = i } else {
                    issue(v.position, task: name, field: "retries", message: "retries must be a whole number, found \(v.value.typeName)")
                }
            case "cores":
                switch v.value {
                case .int(let n) where n >= 1: t.runPolicy.cores = n
                case .string("all"): t.runPolicy.cores = TaskRunPolicy.allCores
                default:
                    let found: String = switch v.value {
                    case .int(let n): "\(n)"
                    case .string(let s): "'\(s)'"
                    default: v.value.typeName
                    }
                    issue(v.position, task: name, field: "cores",
                          message: "cores must be a whole number >= 1 or \"all\", found \(found)")
                }
            case "max_memory":
                switch v.value {
                case .int(let i): t.runPolicy.maxMemory = i
                case .string(let s):
                    if let bytes = TaskRunPolicy.parseBytes(s) { t.runPolicy.maxMemory = bytes } else {
                        issue(v.position, task: name, field: "max_memory", message: "max_memory '\(s)' is not a size",
                              hint: "write bytes as a number, or a size such as \"512M\", \"2G\", \"1.5 GiB\"")
                    }
                default:
                    issue(v.position, task: name, field: "max_memory",
                          message: "max_memory must be a number of bytes or a size string, found \(v.value.typeName)")
                }
            default:
                issue(m.keyPosition, task: name, field: m.key, message: "unknown task field '\(m.key)'",
                      hint: didYouMean(nearestNames(to: m.key, in: GraphFile.taskFields))
                        ?? "task fields are \(GraphFile.taskFields.joined(separator: ", "))")
            }
        }
        if seen["id"] == nil {
            issue(node.position, field: "id", message: "task \(k + 1) has no \"id\"", hint: "add \"id\": \"some-name\"")
        }
        if seen["op"] == nil {
            issue(node.position, task: name, field: "op", message: "missing \"op\"", hint: "add \"op\": \"<name>\"; `dagrun ops` lists them")
            brokenHere.insert("*")
        }
        if t.id.isEmpty {
            t.id = placeholder
            brokenHere.insert("*")
        }
        if !brokenHere.isEmpty { broken[t.id, default: []].formUnion(brokenHere) }
        return t
    }

    mutating func argValue(_ node: JSONNode, task: String?, field: String) -> ArgValue? {
        switch node.value {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .array(let items):
            var out: [ArgValue] = []
            for (j, item) in items.enumerated() {
                guard let v = argValue(item, task: task, field: "\(field)[\(j)]") else { return nil }
                out.append(v)
            }
            return .list(out)
        case .object(let members) where members.allSatisfy({ if case .string = $0.value.value { true } else { false } }):
            // An object of strings (exec's `env`) is held as a list of "KEY=VALUE" strings.
            return .list(members.map { m in
                if case .string(let v) = m.value.value { return .string("\(m.key)=\(v)") }
                return .string(m.key)
            })
        case .null, .object:
            issue(node.position, task: task, field: field,
                  message: "argument values must be numbers, booleans, strings, lists or objects of strings, found \(node.value.typeName)")
            return nil
        }
    }
}
