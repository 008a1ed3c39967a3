/// The tasks of a graph as declared, before validation, stored column by column.
///
/// A million-task graph file becomes a handful of arrays (ids, op numbers, input names,
/// arguments, classes, costs, positions) instead of a million structs of dictionaries:
/// a task with no arguments costs no allocation. ``GraphValidator`` resolves the input
/// names to indices and builds the ``TaskGraph``, which keeps this table (minus the
/// input names and the field locator) for ids, ops and positions.
public struct TaskTable: Sendable {
    public var name: String?
    /// The graph file these tasks were read from, if any.
    public var file: String?

    public private(set) var ids: [String] = []
    /// Distinct op names; `opOfTask[i]` indexes it.
    public private(set) var opNames: [String] = []
    private var opSlot: [String: UInt16] = [:]
    var opOfTask: [UInt16] = []
    var inputOffsets: [Int32] = [0]
    /// Input references by id, resolved by validation; emptied in a built ``TaskGraph``.
    var inputNames: [String] = []
    /// Set when a reader resolved input references while reading (see
    /// ``appendResolved(id:op:inputs:args:taskClass:cost:line:column:)``): then `inputRefs`
    /// holds, per input slot, the task index, or `-1 - k` for the name `unresolvedNames[k]`
    /// (a reference to a task declared later, or to none), and `prebuiltIndex` maps ids to tasks.
    public private(set) var inputsResolved = false
    var inputRefs: [Int32] = []
    var unresolvedNames: [String] = []
    var prebuiltIndex: IDIndex?
    /// Set by a reader whose every resolved reference names a task declared before the one
    /// that reads it (then no task names itself, and validation need not look).
    var refsPrecedeTasks = false
    // The optional fields are columns only once a task declares them: each stays empty
    // while every task so far left it out (most tasks of large graphs do), and is filled
    // with defaults up to the first task that declares it. That saves three appends and 17
    // bytes per task on a million-task graph of plain tasks.
    var args: [Args] = []
    /// 0 = the op's default, 1 = cpu, 2 = io.
    var classes: [UInt8] = []
    /// Estimated seconds, NaN when not given.
    var costs: [Double] = []
    /// Declared run policies (executor, timeout, retries, memory limit); an optional column.
    var runPolicies: [TaskRunPolicy] = []
    /// Swift closures given to the builder, by task.
    var bodies: [Int32: any Sendable] = [:]
    /// Where each task starts: `line << 32 | column` (0 = unknown).
    var positions: [UInt64] = []
    /// For builder graphs, whose tasks come from several Swift files: file index per task.
    var fileOfTask: [UInt16] = []
    var files: [String] = []

    /// Finds where a field of a task was written ("id", "op", "inputs[2]", "args.alpha", "class",
    /// "cost"), for precise error messages. Only needed during validation; a ``TaskGraph`` drops it.
    public var fieldLocator: (@Sendable (_ task: Int, _ field: String) -> SourceLocation?)?

    public init(name: String? = nil, file: String? = nil) {
        self.name = name
        self.file = file
    }

    /// A table whose columns a reader filled itself, with every input resolved while reading
    /// (see ``appendResolved(id:opSlot:args:taskClass:cost:runPolicy:line:column:)`` for the
    /// meaning of `inputRefs`), and its id index. The optional columns are empty or full.
    /// `refsPrecedeTasks`: every resolved reference names an earlier task.
    package init(file: String?, name: String?, ids: [String], opNames: [String], opOfTask: [UInt16],
                 inputOffsets: [Int32], inputRefs: [Int32], unresolvedNames: [String], args: [Args],
                 classes: [UInt8], costs: [Double], runPolicies: [TaskRunPolicy], positions: [UInt64], index: IDIndex,
                 refsPrecedeTasks: Bool) {
        let n = ids.count
        precondition(opOfTask.count == n && inputOffsets.count == n + 1 && positions.count == n)
        precondition([args.count, classes.count, costs.count, runPolicies.count].allSatisfy { $0 == 0 || $0 == n })
        self.file = file
        self.name = name
        self.ids = ids
        self.opNames = opNames
        for (k, op) in opNames.enumerated() { opSlot[op] = UInt16(k) }
        self.opOfTask = opOfTask
        self.inputOffsets = inputOffsets
        self.inputRefs = inputRefs
        self.unresolvedNames = unresolvedNames
        inputsResolved = true
        self.args = args
        self.classes = classes
        self.costs = costs
        self.runPolicies = runPolicies
        self.positions = positions
        prebuiltIndex = index
        self.refsPrecedeTasks = refsPrecedeTasks
    }

    public var count: Int { ids.count }

    public mutating func reserveCapacity(tasks: Int, inputs: Int) {
        ids.reserveCapacity(tasks)
        opOfTask.reserveCapacity(tasks)
        inputOffsets.reserveCapacity(tasks + 1)
        inputNames.reserveCapacity(inputs)
        positions.reserveCapacity(tasks)
    }

    /// Adds a task; `line`/`column` say where it starts (in `sourceFile`, or in ``file``).
    public mutating func append(id: String, op: String, inputs: some Sequence<String> = EmptyCollection(),
                                args: [String: ArgValue] = [:], taskClass: TaskClass? = nil, cost: Double? = nil,
                                runPolicy: TaskRunPolicy = .default,
                                line: Int = 0, column: Int = 0, sourceFile: String? = nil, body: (any Sendable)? = nil) {
        let slot: UInt16
        if let s = opSlot[op] {
            slot = s
        } else {
            slot = UInt16(opNames.count)
            opSlot[op] = slot
            opNames.append(op)
        }
        if let body { bodies[Int32(ids.count)] = body }
        inputNames.append(contentsOf: inputs)
        appendColumns(id: id, opSlot: slot, inputEnd: inputNames.count, args: args, taskClass: taskClass, cost: cost,
                      runPolicy: runPolicy, line: line, column: column)
        if let sourceFile {
            if files.last != sourceFile {
                if let k = files.firstIndex(of: sourceFile) { fileOfTask.append(UInt16(k)) } else {
                    files.append(sourceFile)
                    fileOfTask.append(UInt16(files.count - 1))
                }
            } else {
                fileOfTask.append(UInt16(files.count - 1))
            }
        }
    }

    /// The slot of op name `op`, added if new.
    public mutating func internOp(_ op: String) -> UInt16 {
        if let s = opSlot[op] { return s }
        let s = UInt16(opNames.count)
        opSlot[op] = s
        opNames.append(op)
        return s
    }

    /// Adds a task whose inputs the caller already resolved: each entry a task index, or
    /// the value ``unresolved(_:)`` returned for a name it could not resolve yet.
    /// A table takes either this or ``append(id:op:inputs:args:taskClass:cost:line:column:sourceFile:body:)``, not both.
    public mutating func appendResolved(id: String, opSlot: UInt16, inputs: UnsafeBufferPointer<Int32>,
                                        args: [String: ArgValue], taskClass: TaskClass?, cost: Double?,
                                        runPolicy: TaskRunPolicy = .default, line: Int, column: Int) {
        inputRefs.append(contentsOf: inputs)
        appendResolved(id: id, opSlot: opSlot, args: args, taskClass: taskClass, cost: cost, runPolicy: runPolicy,
                       line: line, column: column)
    }

    /// Adds one input reference of the next task (see ``appendResolved(id:opSlot:args:taskClass:cost:line:column:)``).
    @inline(__always)
    public mutating func appendInputRef(_ ref: Int32) {
        inputRefs.append(ref)
    }

    /// Adds a task whose inputs are the references appended by ``appendInputRef(_:)`` since
    /// the previous task.
    public mutating func appendResolved(id: String, opSlot: UInt16, args: [String: ArgValue], taskClass: TaskClass?,
                                        cost: Double?, runPolicy: TaskRunPolicy = .default, line: Int, column: Int) {
        precondition(inputNames.isEmpty, "a table takes resolved or named inputs, not both")
        inputsResolved = true
        appendColumns(id: id, opSlot: opSlot, inputEnd: inputRefs.count, args: args, taskClass: taskClass, cost: cost,
                      runPolicy: runPolicy, line: line, column: column)
    }

    /// The columns every task has, whichever way its inputs were given.
    private mutating func appendColumns(id: String, opSlot: UInt16, inputEnd: Int, args: [String: ArgValue],
                                        taskClass: TaskClass?, cost: Double?, runPolicy: TaskRunPolicy,
                                        line: Int, column: Int) {
        let i = ids.count
        ids.append(id)
        opOfTask.append(opSlot)
        inputOffsets.append(Int32(inputEnd))
        if !args.isEmpty || !self.args.isEmpty {
            Self.materialise(&self.args, upTo: i, ids.capacity, Args())
            self.args.append(Args(args))
        }
        if taskClass != nil || !classes.isEmpty {
            Self.materialise(&classes, upTo: i, ids.capacity, 0)
            classes.append(taskClass == nil ? 0 : taskClass == .cpu ? 1 : 2)
        }
        if cost != nil || !costs.isEmpty {
            Self.materialise(&costs, upTo: i, ids.capacity, .nan)
            costs.append(cost ?? .nan)
        }
        if !runPolicy.isDefault || !runPolicies.isEmpty {
            Self.materialise(&runPolicies, upTo: i, ids.capacity, .default)
            runPolicies.append(runPolicy)
        }
        positions.append(UInt64(UInt32(clamping: line)) << 32 | UInt64(UInt32(clamping: column)))
    }

    /// Turns an empty optional column into a full one of `count` defaults (no-op once full).
    @inline(__always)
    private static func materialise<T>(_ column: inout [T], upTo count: Int, _ capacity: Int, _ value: T) {
        guard column.isEmpty && count > 0 else { return }
        column.reserveCapacity(capacity)
        column.append(contentsOf: repeatElement(value, count: count))
    }

    /// A reference to a name not resolved while reading (validation resolves or reports it).
    public mutating func unresolved(_ name: String) -> Int32 {
        unresolvedNames.append(name)
        return -Int32(unresolvedNames.count)
    }

    /// Hands over the id index a reader built while reading (every id unique and non-empty).
    public mutating func adoptIndex(_ index: IDIndex) {
        prebuiltIndex = index
    }

    public mutating func reserveResolved(inputs: Int) { inputRefs.reserveCapacity(inputs) }

    public func op(of i: Int) -> String { opNames[Int(opOfTask[i])] }
    /// The ids task `i` names as inputs.
    public func inputNames(of i: Int) -> [String] {
        let range = Int(inputOffsets[i])..<Int(inputOffsets[i + 1])
        guard inputsResolved else { return Array(inputNames[range]) }
        return inputRefs[range].map { $0 >= 0 ? ids[Int($0)] : unresolvedNames[Int(-1 - $0)] }
    }
    public func declaredArgs(of i: Int) -> Args { args.isEmpty ? Args() : args[i] }
    public func declaredClass(of i: Int) -> TaskClass? {
        classes.isEmpty || classes[i] == 0 ? nil : classes[i] == 1 ? .cpu : .io
    }
    public func declaredCost(of i: Int) -> Double? { costs.isEmpty || costs[i].isNaN ? nil : costs[i] }
    /// The declared run policy (the default when none was declared).
    public func declaredRunPolicy(of i: Int) -> TaskRunPolicy { runPolicies.isEmpty ? .default : runPolicies[i] }
    /// Whether any task declared a run policy.
    public var hasRunPolicies: Bool { !runPolicies.isEmpty }
    /// The declared cost, NaN when not given.
    @inline(__always) func costOrNaN(_ i: Int) -> Double { costs.isEmpty ? .nan : costs[i] }
    public func body(of i: Int) -> (any Sendable)? { bodies.isEmpty ? nil : bodies[Int32(i)] }

    /// Where task `i` starts, if known.
    public func location(of i: Int) -> SourceLocation? {
        let p = positions[i]
        guard p != 0 else { return nil }
        let f = fileOfTask.isEmpty ? file : files[Int(fileOfTask[i])]
        return SourceLocation(file: f ?? "<graph>", line: Int(p >> 32), column: Int(p & 0xffff_ffff))
    }

    /// Where a field of task `i` was written, falling back to the task's start.
    public func location(of i: Int, field: String?) -> SourceLocation? {
        if let field, let l = fieldLocator?(i, field) { return l }
        return location(of: i)
    }

    /// Drops what only validation needs (input references, declared arguments, classes and
    /// costs, which the graph holds resolved, and the field locator).
    mutating func releaseDeclarations() {
        inputNames = []
        inputRefs = []
        unresolvedNames = []
        prebuiltIndex = nil
        args = []
        classes = []
        costs = []
        fieldLocator = nil
        opSlot = [:]
    }
}
