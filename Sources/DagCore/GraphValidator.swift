/// Checks a declared graph before anything runs and builds the ``TaskGraph``.
///
/// Every issue is collected, not just the first: duplicate and empty ids, unknown
/// ops (with the nearest known names), task classes an op does not allow, arguments
/// unknown, missing, of the wrong type or out of range, input counts, unknown inputs,
/// cycles (printed as a path `a -> b -> c -> a`), and shape mismatches found by
/// propagating static shapes in topological order.
public struct GraphValidator: Sendable {
    public var catalogue: OpCatalogue

    public init(catalogue: OpCatalogue = .standard) {
        self.catalogue = catalogue
    }

    /// The validated graph, or every issue found.
    public func validate(_ spec: GraphSpec) throws(GraphValidationError) -> TaskGraph {
        var issues: [GraphIssue] = []
        let n = spec.tasks.count

        // Ids: dense indices, duplicates.
        var index: [String: Int32] = [:]
        index.reserveCapacity(n)
        for (i, t) in spec.tasks.enumerated() {
            if t.id.isEmpty {
                issues.append(GraphIssue(location: t.location(of: "id"), field: "id",
                                         message: "task id is empty", hint: "give every task a unique, non-empty id"))
                continue
            }
            if let first = index[t.id] {
                let at = spec.tasks[Int(first)].location.map { " at \($0)" } ?? ""
                issues.append(GraphIssue(location: t.location(of: "id"), taskID: t.id, field: "id",
                                         message: "duplicate task id; it was first declared\(at)",
                                         hint: "rename one of them"))
            } else {
                index[t.id] = Int32(i)
            }
        }

        // Ops, classes, arguments, input counts and references.
        var signatureSlot: [String: Int32] = [:]
        var signatures: [OpSignature] = []
        var opIndex = [Int32](repeating: -1, count: n)
        var classes = [TaskClass](repeating: .cpu, count: n)
        var args = [Args](repeating: Args(), count: n)
        var inputOffsets = [Int32](repeating: 0, count: n + 1)
        var inputIndices: [Int32] = []
        var taskIsSound = [Bool](repeating: true, count: n)
        var knownInputs = [Bool](repeating: true, count: n)

        for (i, t) in spec.tasks.enumerated() {
            let sig: OpSignature?
            if t.body != nil {
                sig = .closure(label: t.op, taskClass: t.taskClass ?? .cpu)
            } else if let s = catalogue[t.op] {
                sig = s
            } else {
                sig = nil
                let near = nearestNames(to: t.op, in: catalogue.names)
                issues.append(GraphIssue(location: t.location(of: "op"), taskID: t.id, field: "op",
                                         message: "unknown op '\(t.op)'",
                                         hint: didYouMean(near) ?? "known ops: \(catalogue.names.joined(separator: ", "))"))
                taskIsSound[i] = false
            }
            if let sig {
                let key = t.body != nil ? "closure:\(t.op):\(sig.defaultClass)" : sig.name
                if let slot = signatureSlot[key] {
                    opIndex[i] = slot
                } else {
                    opIndex[i] = Int32(signatures.count)
                    signatureSlot[key] = Int32(signatures.count)
                    signatures.append(sig)
                }
                classes[i] = t.taskClass ?? sig.defaultClass
                if !sig.allowedClasses.contains(classes[i]) {
                    issues.append(GraphIssue(location: t.location(of: "class"), taskID: t.id, field: "class",
                                             message: "op '\(sig.name)' cannot run as class '\(classes[i].rawValue)'",
                                             hint: "use \(sig.allowedClasses.map { "'\($0.rawValue)'" }.sorted().joined(separator: " or ")) or leave class out"))
                    taskIsSound[i] = false
                }
                if let resolved = resolveArgs(t, sig, &issues) { args[i] = resolved } else { taskIsSound[i] = false }
                if !sig.inputs.allows(t.inputs.count) {
                    issues.append(GraphIssue(location: t.location(of: "inputs"), taskID: t.id, field: "inputs",
                                             message: "op '\(sig.name)' takes \(sig.inputs), got \(t.inputs.count)"))
                    taskIsSound[i] = false
                }
            }
            if let c = t.cost, !(c >= 0 && c.isFinite) {
                issues.append(GraphIssue(location: t.location(of: "cost"), taskID: t.id, field: "cost",
                                         message: "cost must be a finite number of seconds >= 0, got \(c)"))
            }
            for (k, ref) in t.inputs.enumerated() {
                if let j = index[ref] {
                    if Int(j) == i {
                        issues.append(GraphIssue(location: t.location(of: "inputs[\(k)]"), taskID: t.id, field: "inputs[\(k)]",
                                                 message: "task '\(t.id)' lists itself as an input (cycle: \(t.id) -> \(t.id))"))
                        knownInputs[i] = false
                    } else {
                        inputIndices.append(j)
                    }
                } else {
                    let near = nearestNames(to: ref, in: spec.tasks.lazy.map(\.id))
                    issues.append(GraphIssue(location: t.location(of: "inputs[\(k)]"), taskID: t.id, field: "inputs[\(k)]",
                                             message: "unknown input '\(ref)': no task has this id",
                                             hint: didYouMean(near) ?? "declare a task with id '\(ref)' or remove the input"))
                    knownInputs[i] = false
                }
            }
            inputOffsets[i + 1] = Int32(inputIndices.count)
        }

        // Cycles.
        let (consumerOffsets, consumerIndices) = TaskGraph.transpose(count: n, offsets: inputOffsets, indices: inputIndices)
        let order = TaskGraph.kahn(count: n, inputOffsets: inputOffsets, consumerOffsets: consumerOffsets,
                                   consumerIndices: consumerIndices)
        if order.count < n {
            for cycle in findCycles(n: n, inOrder: order, inputOffsets: inputOffsets, inputIndices: inputIndices) {
                let names = cycle.map { spec.tasks[Int($0)].id }
                let first = spec.tasks[Int(cycle[0])]
                issues.append(GraphIssue(location: first.location(of: "inputs"), taskID: first.id, field: "inputs",
                                         message: "cycle: " + (names + [names[0]]).joined(separator: " -> "),
                                         hint: "a task cannot depend on its own result; remove one of these inputs"))
            }
        }

        // Static shapes and costs in topological order (only over the acyclic part).
        var shapes = [ValueShape](repeating: .unknown, count: n)
        var costs = [Double](repeating: 0, count: n)
        for i32 in order {
            let i = Int(i32)
            let t = spec.tasks[i]
            guard opIndex[i] >= 0 else { continue }
            let sig = signatures[Int(opIndex[i])]
            let inputs = Array(inputIndices[Int(inputOffsets[i])..<Int(inputOffsets[i + 1])])
            let request = ShapeRequest(op: sig.name, inputIDs: inputs.map { spec.tasks[Int($0)].id },
                                       inputShapes: inputs.map { shapes[Int($0)] }, args: args[i])
            if taskIsSound[i] && knownInputs[i] {
                do {
                    shapes[i] = try sig.shape(request)
                } catch {
                    issues.append(GraphIssue(location: t.location(of: error.field), taskID: t.id, field: error.field,
                                             message: error.message, hint: error.hint))
                }
            }
            costs[i] = t.cost ?? (taskIsSound[i] ? sig.cost(request, shapes[i]) : 0)
        }

        guard issues.isEmpty else {
            throw GraphValidationError(issues: Self.sorted(issues))
        }
        return TaskGraph(spec: spec, ids: spec.tasks.map(\.id), index: index, classes: classes,
                         signatures: signatures, opIndex: opIndex, args: args, shapes: shapes, costs: costs,
                         inputOffsets: inputOffsets, inputIndices: inputIndices)
    }

    /// Type-checks and range-checks arguments, fills in defaults; nil when any is wrong.
    func resolveArgs(_ t: TaskSpec, _ sig: OpSignature, _ issues: inout [GraphIssue]) -> Args? {
        var ok = true
        var values: [String: ArgValue] = [:]
        let byName = Dictionary(sig.params.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // A misspelt argument is reported once, as unknown with a suggestion, not also as missing.
        var suggested: Set<String> = []
        for name in t.args.keys.sorted() where byName[name] == nil {
            ok = false
            let near = nearestNames(to: name, in: byName.keys.filter { t.args[$0] == nil })
            suggested.formUnion(near.prefix(1))
            let known = sig.params.isEmpty ? "op '\(sig.name)' takes no arguments"
                : "op '\(sig.name)' takes \(sig.params.map(\.name).joined(separator: ", "))"
            issues.append(GraphIssue(location: t.location(of: "args.\(name)"), taskID: t.id, field: "args.\(name)",
                                     message: "unknown argument '\(name)' for op '\(sig.name)'",
                                     hint: didYouMean(near) ?? known))
        }
        for p in sig.params {
            guard let given = t.args[p.name] else {
                if p.required {
                    ok = false
                    if suggested.contains(p.name) { continue }
                    issues.append(GraphIssue(location: t.location(of: "args"), taskID: t.id, field: "args.\(p.name)",
                                             message: "missing required argument '\(p.name)' (\(p.type): \(p.doc))",
                                             hint: "add \"\(p.name)\" to args"))
                } else if let d = p.defaultValue {
                    values[p.name] = d
                }
                continue
            }
            guard let v = p.type.accept(given) else {
                ok = false
                issues.append(GraphIssue(location: t.location(of: "args.\(p.name)"), taskID: t.id, field: "args.\(p.name)",
                                         message: "argument '\(p.name)' must be \(p.type.withArticle), got \(given.typeName) \(given)"))
                continue
            }
            if let problem = p.check?(v) {
                ok = false
                issues.append(GraphIssue(location: t.location(of: "args.\(p.name)"), taskID: t.id, field: "args.\(p.name)",
                                         message: "argument '\(p.name)' \(problem)"))
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
                    let path = stack[from...].map(\.node)
                    cycles.append(path.reversed())
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
