/// Checks declared tasks before anything runs and builds the ``TaskGraph``.
///
/// Every issue is collected, not just the first: duplicate and empty ids, unknown
/// ops (with the nearest known names), task classes an op does not allow, arguments
/// unknown, missing, of the wrong type or out of range, input counts, unknown inputs,
/// cycles (printed as a path `a -> b -> c -> a`), and shape mismatches found by
/// propagating static shapes in topological order.
///
/// The work per task is a few array writes and one dictionary lookup per input; per-task
/// allocation happens only for tasks with arguments.
public struct GraphValidator: Sendable {
    public var catalogue: OpCatalogue
    /// Where CPU tasks that do not name an executor run (the run's `--cpu-executor`): a
    /// timeout or memory limit can only be enforced in a worker process.
    public var defaultExecutor: TaskRunPolicy.Executor

    public init(catalogue: OpCatalogue = .standard, defaultExecutor: TaskRunPolicy.Executor = .thread) {
        self.catalogue = catalogue
        self.defaultExecutor = defaultExecutor
    }

    /// The validated graph, or every issue found.
    public func validate(_ table: TaskTable) throws(GraphValidationError) -> TaskGraph {
        var issues: [GraphIssue] = []
        let n = table.count
        func issue(_ i: Int?, _ field: String?, _ message: String, hint: String? = nil) {
            issues.append(GraphIssue(location: i.flatMap { table.location(of: $0, field: field) },
                                     taskID: i.map { table.ids[$0] }, field: field, message: message, hint: hint))
        }

        // Ids: dense indices, duplicates (a reader that built the index checked them).
        let ids = table.ids
        var index = table.prebuiltIndex ?? IDIndex(capacity: n)
        for i in 0..<(table.prebuiltIndex == nil ? n : 0) {
            let id = ids[i]
            if id.isEmpty {
                issues.append(GraphIssue(location: table.location(of: i, field: "id"), field: "id",
                                         message: "task id is empty", hint: "give every task a unique, non-empty id"))
                continue
            }
            if let first = index.insert(id, task: Int32(i), ids: ids) {
                let at = table.location(of: Int(first)).map { " at \($0)" } ?? ""
                issue(i, "id", "duplicate task id; it was first declared\(at)", hint: "rename one of them")
            }
        }

        // Ops: one signature per distinct op name (closures get their own).
        var signatures: [OpSignature] = []
        var sigOfOpName = [Int32](repeating: -1, count: table.opNames.count)
        for (k, name) in table.opNames.enumerated() {
            if let s = catalogue[name] {
                sigOfOpName[k] = Int32(signatures.count)
                signatures.append(s)
            }
        }
        var closureSlot: [String: Int32] = [:]
        var opIndex = [Int32](repeating: -1, count: n)
        var classes = [TaskClass](repeating: .cpu, count: n)
        var args = [Args](repeating: Args(), count: n)
        // A reader that resolved every reference while reading (the usual case for files in
        // declaration order) already holds the final adjacency: share its arrays instead of
        // copying them, unless a task names itself (then the copy below drops that entry).
        let adopt = table.inputsResolved && table.unresolvedNames.isEmpty
            && (table.refsPrecedeTasks || !Self.hasSelfReference(table))
        var inputOffsets = adopt ? table.inputOffsets : [Int32](repeating: 0, count: n + 1)
        var inputIndices: [Int32] = adopt ? table.inputRefs : []
        if !adopt { inputIndices.reserveCapacity(table.inputsResolved ? table.inputRefs.count : table.inputNames.count) }
        // Whether every input is declared before its consumer (true of adopted arrays: a reader
        // resolves only names it has already read). Then declaration order is topological.
        var backwardOnly = true
        var taskIsSound = [Bool](repeating: true, count: n)
        var knownInputs = [Bool](repeating: true, count: n)
        var costs = [Double](repeating: 0, count: n)

        var facts = signatures.map(OpFacts.init)
        // Shapes and costs of ops with fixed ones are set in this first pass; the others are
        // computed in topological order below (a second pass over every task, skipped when
        // there are none: a graph of empty tasks).
        var shapes = ShapeTable(count: n)
        var anyComputed = false
        var recent = RecentIDs()
        // Plain tasks first, on buffers: a graph whose tasks declare no arguments, classes,
        // policies or closures, with inputs the reader resolved, needs per task only its op's
        // facts (looked up per op, not per task) and an input count. Those that need more (an
        // unknown op, arguments to default, a wrong input count or cost) wait in `slow` for
        // the general loop below. (The general loop took 190 instructions a task here.)
        let plain = adopt && table.bodies.isEmpty && table.args.isEmpty && table.classes.isEmpty && !table.hasRunPolicies
        var slow: [Int32] = []
        if plain {
            Self.plainTasks(table, sigOfOpName: sigOfOpName, facts: facts, opIndex: &opIndex, classes: &classes, costs: &costs,
                            shapes: &shapes, anyComputed: &anyComputed, slow: &slow)
        }
        var next = 0
        while true {
            let i: Int
            if plain {
                guard next < slow.count else { break }
                i = Int(slow[next])
            } else {
                guard next < n else { break }
                i = next
            }
            next += 1
            let declaredClass = table.declaredClass(of: i)
            var sigIndex: Int32 = -1
            if table.body(of: i) != nil {
                let opName = table.op(of: i)
                let cls = declaredClass ?? .cpu
                let key = "\(opName):\(cls.rawValue)"
                if let slot = closureSlot[key] { sigIndex = slot } else {
                    sigIndex = Int32(signatures.count)
                    closureSlot[key] = sigIndex
                    signatures.append(.closure(label: opName, taskClass: cls))
                    facts.append(OpFacts(signatures.last!))
                }
            } else {
                sigIndex = sigOfOpName[Int(table.opOfTask[i])]
                if sigIndex < 0 {
                    let opName = table.op(of: i)
                    let near = nearestNames(to: opName, in: catalogue.names)
                    issue(i, "op", "unknown op '\(opName)'",
                          hint: didYouMean(near) ?? "known ops: \(catalogue.names.joined(separator: ", "))")
                    taskIsSound[i] = false
                }
            }
            let first = Int(table.inputOffsets[i]), last = Int(table.inputOffsets[i + 1])
            if sigIndex >= 0 {
                let f = facts[Int(sigIndex)]
                opIndex[i] = sigIndex
                let cls = declaredClass ?? f.defaultClass
                classes[i] = cls
                if f.allowed & (cls == .cpu ? 1 : 2) == 0 {
                    let sig = signatures[Int(sigIndex)]
                    issue(i, "class", "op '\(sig.name)' cannot run as class '\(cls.rawValue)'",
                          hint: "use \(sig.allowedClasses.map { "'\($0.rawValue)'" }.sorted().joined(separator: " or ")) or leave class out")
                    taskIsSound[i] = false
                }
                let declared = table.declaredArgs(of: i)
                if !f.hasParams && declared.values.isEmpty {
                    // Nothing to resolve: the default empty Args stays.
                } else if let resolved = resolveArgs(declared, signatures[Int(sigIndex)], task: i, issue) {
                    args[i] = resolved
                } else {
                    taskIsSound[i] = false
                }
                let count = last - first
                if count < f.minInputs || count > f.maxInputs {
                    issue(i, "inputs", "op '\(signatures[Int(sigIndex)].name)' takes \(signatures[Int(sigIndex)].inputs), got \(count)")
                    taskIsSound[i] = false
                }
                if let fixed = f.fixed {
                    shapes[i] = fixed.shape
                    let declared = table.costOrNaN(i)
                    costs[i] = declared.isNaN ? fixed.cost : declared
                } else {
                    anyComputed = true
                }
            }
            if table.hasRunPolicies { checkRunPolicy(table.declaredRunPolicy(of: i), task: i, taskClass: classes[i], issue) }
            let cost = table.costOrNaN(i)
            if !cost.isNaN && !(cost >= 0 && cost.isFinite) {
                issue(i, "cost", "cost must be a finite number of seconds >= 0, got \(cost)")
            }
            for k in first..<(adopt ? first : last) {
                let ref: String
                if table.inputsResolved {
                    let r = table.inputRefs[k]
                    if r >= 0 {
                        if Int(r) == i {
                            issue(i, "inputs[\(k - first)]", "task '\(ids[i])' lists itself as an input (cycle: \(ids[i]) -> \(ids[i]))")
                            knownInputs[i] = false
                        } else {
                            if Int(r) > i { backwardOnly = false }
                            inputIndices.append(r)
                        }
                        continue
                    }
                    ref = table.unresolvedNames[Int(-1 - r)]
                } else {
                    ref = table.inputNames[k]
                }
                let h = IDIndex.hash(ref)
                if let j = recent.find(ref, hash: h, ids: ids) ?? index.find(ref, hash: h, ids: ids) {
                    if Int(j) == i {
                        issue(i, "inputs[\(k - first)]", "task '\(ref)' lists itself as an input (cycle: \(ref) -> \(ref))")
                        knownInputs[i] = false
                    } else {
                        if Int(j) > i { backwardOnly = false }
                        inputIndices.append(j)
                    }
                } else {
                    let near = nearestNames(to: ref, in: ids)
                    issue(i, "inputs[\(k - first)]", "unknown input '\(ref)': no task has this id",
                          hint: didYouMean(near) ?? "declare a task with id '\(ref)' or remove the input")
                    knownInputs[i] = false
                }
            }
            if !adopt { inputOffsets[i + 1] = Int32(inputIndices.count) }
            if !table.inputsResolved { recent.note(Int32(i), hash: IDIndex.hash(ids[i])) }
        }

        // Cycles.
        let (consumerOffsets, consumerIndices) = TaskGraph.transpose(count: n, offsets: inputOffsets, indices: inputIndices)
        // Inputs all declared earlier: declaration order is a topological order and there is
        // no cycle (Kahn's algorithm took 5 % of a million-task load here, for nothing).
        let order = backwardOnly && issues.isEmpty
            ? [Int32](unsafeUninitializedCapacity: n) { buffer, count in
                for i in 0..<n { buffer[i] = Int32(i) }
                count = n
            }
            : TaskGraph.kahn(count: n, inputOffsets: inputOffsets, consumerOffsets: consumerOffsets,
                             consumerIndices: consumerIndices)
        if order.count < n {
            for cycle in findCycles(n: n, inOrder: order, inputOffsets: inputOffsets, inputIndices: inputIndices) {
                let names = cycle.map { table.ids[Int($0)] }
                issue(Int(cycle[0]), "inputs", "cycle: " + (names + [names[0]]).joined(separator: " -> "),
                      hint: "a task cannot depend on its own result; remove one of these inputs")
            }
        }

        // Static shapes and costs in topological order (only over the acyclic part).
        var inputIDs: [String] = []
        var inputShapes: [ValueShape] = []
        for i32 in anyComputed ? order : [] {
            let i = Int(i32)
            guard opIndex[i] >= 0, facts[Int(opIndex[i])].fixed == nil else { continue }
            let sig = signatures[Int(opIndex[i])]
            let ins = inputIndices[Int(inputOffsets[i])..<Int(inputOffsets[i + 1])]
            inputIDs.removeAll(keepingCapacity: true)
            inputShapes.removeAll(keepingCapacity: true)
            for j in ins {
                inputIDs.append(ids[Int(j)])
                inputShapes.append(shapes[Int(j)])
            }
            let request = ShapeRequest(op: sig.name, inputIDs: inputIDs, inputShapes: inputShapes, args: args[i])
            if taskIsSound[i] && knownInputs[i] {
                do {
                    shapes[i] = try sig.shape(request)
                } catch {
                    issue(i, error.field, error.message, hint: error.hint)
                }
            }
            costs[i] = table.declaredCost(of: i) ?? (taskIsSound[i] ? sig.cost(request, shapes[i]) : 0)
        }

        guard issues.isEmpty else {
            throw GraphValidationError(issues: Self.sorted(issues))
        }
        var kept = table
        kept.releaseDeclarations()
        return TaskGraph(table: kept, index: index, classes: classes, signatures: signatures, opIndex: opIndex,
                         args: args, shapes: shapes, costs: costs, inputOffsets: inputOffsets, inputIndices: inputIndices,
                         consumerOffsets: consumerOffsets, consumerIndices: consumerIndices, order: order)
    }

    /// The first pass over plain tasks (see `validate`): each task whose op's facts allow it
    /// is settled here; the others are listed in `slow`.
    static func plainTasks(_ table: TaskTable, sigOfOpName: [Int32], facts: [OpFacts],
                           opIndex: inout [Int32], classes: inout [TaskClass], costs: inout [Double], shapes: inout ShapeTable,
                           anyComputed: inout Bool, slow: inout [Int32]) {
        // Per op slot: its signature and facts, when they settle a plain task (nil: the general loop).
        let plans: [(sig: Int32, facts: OpFacts)?] = sigOfOpName.map { sig in
            sig >= 0 && facts[Int(sig)].settlesPlainTasks ? (sig, facts[Int(sig)]) : nil
        }
        let n = table.count
        let hasCosts = !table.costs.isEmpty
        table.opOfTask.withUnsafeBufferPointer { ops in
            table.inputOffsets.withUnsafeBufferPointer { offsets in
                opIndex.withUnsafeMutableBufferPointer { opIndex in
                    classes.withUnsafeMutableBufferPointer { classes in
                        costs.withUnsafeMutableBufferPointer { costs in
                            for i in 0..<n {
                                let count = Int(offsets[i + 1] &- offsets[i])
                                let declared = hasCosts ? table.costs[i] : .nan
                                guard let plan = plans[Int(ops[i])], count >= plan.facts.minInputs, count <= plan.facts.maxInputs,
                                      declared.isNaN || (declared >= 0 && declared.isFinite) else {
                                    slow.append(Int32(i))
                                    continue
                                }
                                opIndex[i] = plan.sig
                                classes[i] = plan.facts.defaultClass
                                if let fixed = plan.facts.fixed {
                                    if case .unknown = fixed.shape {} else { shapes[i] = fixed.shape }
                                    costs[i] = declared.isNaN ? fixed.cost : declared
                                } else {
                                    anyComputed = true
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Range checks of a declared run policy, and what its executor can enforce.
    func checkRunPolicy(_ p: TaskRunPolicy, task i: Int, taskClass: TaskClass,
                        _ issue: (Int?, String?, String, String?) -> Void) {
        if let e = p.executor, taskClass == .io {
            issue(i, "executor", "executor '\(e.rawValue)' applies to cpu tasks; io tasks run on the IO executor",
                  "remove \"executor\" or make the task class cpu")
        }
        let executor = p.executor ?? defaultExecutor
        if let t = p.timeout {
            if !(t > 0) || !t.isFinite {
                issue(i, "timeout", "timeout must be a finite number of seconds > 0, got \(t)", nil)
            } else if taskClass == .cpu && executor == .thread {
                issue(i, "timeout", "a timeout cannot stop a task on a worker thread",
                      "add \"executor\": \"process\" to this task")
            }
        }
        if p.cores != 1 {
            if p.cores < 0 {
                issue(i, "cores", "cores must be a number of cores >= 1 or \"all\", got \(p.cores)", nil)
            } else if taskClass == .io {
                issue(i, "cores", "cores applies to cpu tasks; io tasks hold no core", "remove \"cores\" from this io task")
            } else if executor == .process {
                issue(i, "cores", "a core group runs on worker threads, not in a worker process",
                      "remove \"executor\": \"process\" or \"cores\"")
            }
        }
        if p.retries < 0 || p.retries > TaskRunPolicy.maxRetries {
            issue(i, "retries", "retries must be between 0 and \(TaskRunPolicy.maxRetries), got \(p.retries)", nil)
        }
        if let m = p.maxMemory {
            if m < 1 << 20 {
                issue(i, "max_memory", "max_memory must be at least 1 MiB (1048576 bytes), got \(m)",
                      "write sizes such as \"512M\" or \"2G\"")
            } else if taskClass == .io || executor == .thread {
                issue(i, "max_memory", "max_memory is enforced only in a worker process",
                      taskClass == .io ? "remove \"max_memory\" from this io task"
                          : "add \"executor\": \"process\" to this task")
            }
        }
    }

    /// Whether a resolved table has a task naming itself as an input.
    static func hasSelfReference(_ table: TaskTable) -> Bool {
        table.inputOffsets.withUnsafeBufferPointer { offsets in
            table.inputRefs.withUnsafeBufferPointer { refs in
                for i in 0..<table.count {
                    for k in Int(offsets[i])..<Int(offsets[i + 1]) where refs[k] == Int32(i) { return true }
                }
                return false
            }
        }
    }

    /// Type-checks and range-checks arguments, fills in defaults; nil when any is wrong.
    func resolveArgs(_ declared: Args, _ sig: OpSignature, task i: Int,
                     _ issue: (Int?, String?, String, String?) -> Void) -> Args? {
        var ok = true
        var values: [String: ArgValue] = [:]
        // A misspelt argument is reported once, as unknown with a suggestion, not also as missing.
        var suggested: Set<String> = []
        for name in declared.values.keys.sorted() where !sig.params.contains(where: { $0.name == name }) {
            ok = false
            let near = nearestNames(to: name, in: sig.params.map(\.name).filter { declared[$0] == nil })
            suggested.formUnion(near.prefix(1))
            let known = sig.params.isEmpty ? "op '\(sig.name)' takes no arguments"
                : "op '\(sig.name)' takes \(sig.params.map(\.name).joined(separator: ", "))"
            issue(i, "args.\(name)", "unknown argument '\(name)' for op '\(sig.name)'", didYouMean(near) ?? known)
        }
        for p in sig.params {
            guard let given = declared[p.name] else {
                if p.required {
                    ok = false
                    if suggested.contains(p.name) { continue }
                    issue(i, "args.\(p.name)", "missing required argument '\(p.name)' (\(p.type): \(p.doc))",
                          "add \"\(p.name)\" to args")
                } else if let d = p.defaultValue {
                    values[p.name] = d
                }
                continue
            }
            guard let v = p.type.accept(given) else {
                ok = false
                issue(i, "args.\(p.name)", "argument '\(p.name)' must be \(p.type.withArticle), got \(given.typeName) \(given)", nil)
                continue
            }
            if let problem = p.check?(v) {
                ok = false
                issue(i, "args.\(p.name)", "argument '\(p.name)' \(problem)", nil)
                continue
            }
            values[p.name] = v
        }
        return ok ? Args(values) : nil
    }

    /// Cycles among the tasks Kahn's algorithm could not order, each reported once,
    /// by an iterative depth-first search along input edges.
    func findCycles(n: Int, inOrder: [Int32], inputOffsets: [Int32], inputIndices: [Int32]) -> [[Int32]] {
        // 0 = unvisited, 1 = on the stack, 2 = done. Tasks already ordered are done.
        var state = [UInt8](repeating: 0, count: n)
        for i in inOrder { state[Int(i)] = 2 }
        var cycles: [[Int32]] = []
        for root in 0..<n where state[root] == 0 {
            var stack: [(node: Int32, next: Int32)] = [(Int32(root), inputOffsets[root])]
            state[root] = 1
            while let top = stack.last {
                let v = Int(top.node)
                if top.next == inputOffsets[v + 1] {
                    state[v] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let w = Int(inputIndices[Int(top.next)])
                if state[w] == 0 {
                    state[w] = 1
                    stack.append((Int32(w), inputOffsets[w]))
                } else if state[w] == 1 {
                    // Back edge v -> w (v consumes w): the cycle is w ... v on the stack.
                    // Printed in data-flow order: each task feeds the next.
                    let from = stack.lastIndex { Int($0.node) == w }!
                    cycles.append(stack[from...].map(\.node).reversed())
                }
            }
        }
        // Rotate each cycle to start at its smallest task index, for stable messages.
        return cycles.map { c in
            let k = c.indices.min { c[$0] < c[$1] }!
            return Array(c[k...] + c[..<k])
        }
    }

    static func sorted(_ issues: [GraphIssue]) -> [GraphIssue] {
        issues.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            if let la, let lb, la.file == lb.file, (la.line, la.column) != (lb.line, lb.column) {
                return (la.line, la.column) < (lb.line, lb.column)
            }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// What the per-task checks need of a signature, so the loops copy no signature (closures, arrays).
struct OpFacts {
    var allowed: UInt8, defaultClass: TaskClass, hasParams: Bool, minInputs: Int, maxInputs: Int
    /// The shape and cost of an op whose result does not depend on its inputs or arguments.
    var fixed: (shape: ValueShape, cost: Double)?

    init(_ s: OpSignature) {
        fixed = s.fixed
        allowed = (s.allowedClasses.contains(.cpu) ? 1 : 0) | (s.allowedClasses.contains(.io) ? 2 : 0)
        defaultClass = s.defaultClass
        hasParams = !s.params.isEmpty
        minInputs = s.inputs.min
        maxInputs = s.inputs.max ?? Int.max
    }

    /// Whether a task that declares nothing (no class, arguments or policy) needs no check but
    /// its input count: its op may run in its default class and has no arguments to default.
    var settlesPlainTasks: Bool { allowed & (defaultClass == .cpu ? 1 : 2) != 0 && !hasParams }
}
