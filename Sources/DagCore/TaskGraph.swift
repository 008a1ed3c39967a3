/// A validated task graph: dense integer task indices, adjacency in compressed
/// sparse rows, resolved arguments, static shapes and costs, and the static analysis
/// (topological order, bottom levels, critical path).
///
/// Built only by ``GraphValidator``; immutable afterwards and shared by reference
/// between the scheduler's threads.
public final class TaskGraph: Sendable {
    /// The declared tasks: ids, op names, positions, declared classes and costs.
    public let table: TaskTable
    /// Task index by id (see ``index(of:)``).
    let idIndex: IDIndex
    public let classes: [TaskClass]
    /// Distinct signatures; `opIndex[i]` is task `i`'s.
    public let signatures: [OpSignature]
    public let opIndex: [Int32]
    public let args: [Args]
    /// Static result shapes (see ``shape(of:)``).
    let shapeTable: ShapeTable
    /// Estimated seconds per task.
    public let costs: [Double]

    /// Inputs in compressed sparse rows: task `i`'s inputs are
    /// `inputIndices[inputOffsets[i]..<inputOffsets[i + 1]]`, in argument order.
    public let inputOffsets: [Int32]
    public let inputIndices: [Int32]
    /// Consumers the same way (one entry per input slot that reads the task).
    public let consumerOffsets: [Int32]
    public let consumerIndices: [Int32]

    /// A topological order (inputs before consumers): declaration order when every input is
    /// declared before its consumer, else Kahn's algorithm with ties in declaration order.
    public let topologicalOrder: [Int32]
    /// Longest estimated cost from the start of each task to the end of the graph, the task's own cost included.
    public let bottomLevel: [Double]
    /// The static critical path, first task to last.
    public let criticalPath: [Int32]
    /// Its estimated length in seconds.
    public let criticalPathCost: Double

    init(table: TaskTable, index: IDIndex, classes: [TaskClass], signatures: [OpSignature],
         opIndex: [Int32], args: [Args], shapes: ShapeTable, costs: [Double],
         inputOffsets: [Int32], inputIndices: [Int32], consumerOffsets: [Int32], consumerIndices: [Int32],
         order: [Int32]) {
        precondition(order.count == table.count, "TaskGraph built from a cyclic graph")
        self.table = table
        self.idIndex = index
        self.classes = classes
        self.signatures = signatures
        self.opIndex = opIndex
        self.args = args
        self.shapeTable = shapes
        self.costs = costs
        self.inputOffsets = inputOffsets
        self.inputIndices = inputIndices
        self.consumerOffsets = consumerOffsets
        self.consumerIndices = consumerIndices
        topologicalOrder = order
        let analysis = Self.analyse(order: order, costs: costs, consumerOffsets: consumerOffsets,
                                    consumerIndices: consumerIndices, inputOffsets: inputOffsets)
        bottomLevel = analysis.bottom
        criticalPath = analysis.path
        criticalPathCost = analysis.path.first.map { analysis.bottom[Int($0)] } ?? 0
    }

    /// Static priority, rank 0 first: larger bottom level first (critical path first), ties
    /// by task index. The scheduler compares bottom levels directly; this array is computed
    /// on each access (a radix sort, O(n)), for tools and tests.
    public var priorityRank: [Int32] {
        var tasks = (0..<Int32(count)).map { $0 }
        var keys = bottomLevel.map { ~$0.bitPattern }
        radixSort(keys: &keys, values: &tasks)
        var rank = [Int32](repeating: 0, count: count)
        for (r, i) in tasks.enumerated() { rank[Int(i)] = Int32(r) }
        return rank
    }

    /// How task `i` runs: executor, timeout, retries, memory limit (as declared).
    public func runPolicy(of i: Int) -> TaskRunPolicy { table.declaredRunPolicy(of: i) }
    /// Whether any task declared a run policy.
    public var hasRunPolicies: Bool { table.hasRunPolicies }

    public var ids: [String] { table.ids }
    /// The index of the task with `id`, if any.
    public func index(of id: String) -> Int32? { idIndex.find(id, ids: table.ids) }
    public var name: String? { table.name }
    public var count: Int { table.count }

    /// Bytes of memory this graph's own arrays occupy (ids with their out-of-line text,
    /// index, adjacency, per-task facts and analysis), for the memory-per-task figure: the
    /// elements in use, which is what is resident (capacity reserved but never written is
    /// address space only). Shared op signatures and small constant tables are left out.
    public var memoryBytes: Int {
        func bytes<T>(_ a: [T]) -> Int { a.count * MemoryLayout<T>.stride }
        var total = bytes(table.ids) + table.ids.reduce(0) { $0 + ($1.utf8.count > 15 ? $1.utf8.count + 32 : 0) }
        total += idIndex.memoryBytes
        total += bytes(table.opOfTask) + bytes(table.inputOffsets) + bytes(table.positions) + bytes(table.fileOfTask)
        total += bytes(table.runPolicies)
        total += bytes(classes) + bytes(opIndex) + bytes(args) + shapeTable.memoryBytes + bytes(costs)
        total += bytes(inputOffsets) + bytes(inputIndices) + bytes(consumerOffsets) + bytes(consumerIndices)
        total += bytes(topologicalOrder) + bytes(bottomLevel) + bytes(criticalPath)
        return total
    }
    public var edgeCount: Int { inputIndices.count }

    /// Indices of task `i`'s inputs, in argument order.
    public func inputs(of i: Int) -> ArraySlice<Int32> {
        inputIndices[Int(inputOffsets[i])..<Int(inputOffsets[i + 1])]
    }

    /// Indices of the tasks consuming task `i`'s result (one entry per input slot).
    public func consumers(of i: Int) -> ArraySlice<Int32> {
        consumerIndices[Int(consumerOffsets[i])..<Int(consumerOffsets[i + 1])]
    }

    public func signature(of i: Int) -> OpSignature { signatures[Int(opIndex[i])] }
    public func op(of i: Int) -> String { table.op(of: i) }
    public func shape(of i: Int) -> ValueShape { shapeTable[i] }
    /// Where task `i` was declared (file or Swift source), if known.
    public func location(of i: Int) -> SourceLocation? { table.location(of: i) }

    // MARK: Construction helpers

    /// The consumers of each task in compressed sparse rows, from the inputs in the same form.
    /// (On buffers: with array subscripts and a copy-on-write copy of the counts it took half
    /// as long again here, on 3M edges.)
    static func transpose(count: Int, offsets: [Int32], indices: [Int32]) -> ([Int32], [Int32]) {
        let edges = indices.count
        var fill = [Int32](repeating: 0, count: count + 1)
        let degree = fill.withUnsafeMutableBufferPointer { fill in
            indices.withUnsafeBufferPointer { indices in
                for j in indices { fill[Int(j) + 1] &+= 1 }
                for i in 0..<count { fill[i + 1] &+= fill[i] }
            }
            return [Int32](fill)
        }
        let out = [Int32](unsafeUninitializedCapacity: edges) { out, initialized in
            fill.withUnsafeMutableBufferPointer { fill in
                offsets.withUnsafeBufferPointer { offsets in
                    indices.withUnsafeBufferPointer { indices in
                        for i in 0..<count {
                            for k in Int(offsets[i])..<Int(offsets[i + 1]) {
                                let j = Int(indices[k])
                                out[Int(fill[j])] = Int32(i)
                                fill[j] &+= 1
                            }
                        }
                    }
                }
            }
            initialized = edges
        }
        return (degree, out)
    }

    /// Kahn's algorithm; returns fewer than `count` tasks when there is a cycle.
    static func kahn(count: Int, inputOffsets: [Int32], consumerOffsets: [Int32], consumerIndices: [Int32]) -> [Int32] {
        var pending = (0..<count).map { inputOffsets[$0 + 1] - inputOffsets[$0] }
        var order: [Int32] = []
        order.reserveCapacity(count)
        for i in 0..<count where pending[i] == 0 { order.append(Int32(i)) }
        var head = 0
        while head < order.count {
            let i = Int(order[head])
            head += 1
            for k in Int(consumerOffsets[i])..<Int(consumerOffsets[i + 1]) {
                let c = Int(consumerIndices[k])
                pending[c] -= 1
                if pending[c] == 0 { order.append(Int32(c)) }
            }
        }
        return order
    }

    static func analyse(order: [Int32], costs: [Double], consumerOffsets: [Int32], consumerIndices: [Int32],
                        inputOffsets: [Int32]) -> (bottom: [Double], path: [Int32]) {
        let n = order.count
        var next = [Int32](repeating: -1, count: n)
        let bottom = [Double](unsafeUninitializedCapacity: n) { bottom, initialized in
            next.withUnsafeMutableBufferPointer { next in
                order.withUnsafeBufferPointer { order in
                    costs.withUnsafeBufferPointer { costs in
                        consumerOffsets.withUnsafeBufferPointer { offsets in
                            consumerIndices.withUnsafeBufferPointer { consumers in
                                // Reverse topological order: every consumer's level is known.
                                for p in stride(from: n - 1, through: 0, by: -1) {
                                    let i = Int(order[p])
                                    var best: Int32 = -1
                                    var level = 0.0
                                    for k in Int(offsets[i])..<Int(offsets[i + 1]) {
                                        let c = consumers[k]
                                        if best < 0 || bottom[Int(c)] > level {
                                            best = c
                                            level = bottom[Int(c)]
                                        }
                                    }
                                    next[i] = best
                                    bottom.initializeElement(at: i, to: costs[i] + level)
                                }
                            }
                        }
                    }
                }
            }
            initialized = n
        }
        // The critical path starts at the source with the largest bottom level.
        var path: [Int32] = []
        var start = -1
        for i in 0..<n where inputOffsets[i + 1] == inputOffsets[i] {
            if start < 0 || bottom[i] > bottom[start] { start = i }
        }
        var cur = start
        while cur >= 0 {
            path.append(Int32(cur))
            cur = Int(next[cur])
        }
        return (bottom, path)
    }
}

/// Static shapes in 9 bytes per task (a kind byte and two 32-bit dimensions; kind 0 matrix,
/// 1 scalar, 2 text, 3 nothing, 4 unknown, 5 LU factors of order `rows`) rather than
/// the 24-byte stride of an array of ``ValueShape``.
struct ShapeTable: Sendable {
    private var kinds: [UInt8]
    private var rows: [Int32]
    private var cols: [Int32]

    var memoryBytes: Int { kinds.count + rows.count * 4 + cols.count * 4 }

    /// Every shape unknown. The dimension columns stay empty until a shape has dimensions
    /// (a graph of empty tasks has none: 8 bytes a task not written).
    init(count: Int) {
        kinds = .init(repeating: 4, count: count)
        rows = []
        cols = []
    }

    @inline(__always)
    private mutating func setDimensions(_ i: Int, _ r: Int32, _ c: Int32) {
        if rows.isEmpty {
            rows = .init(repeating: 0, count: kinds.count)
            cols = .init(repeating: 0, count: kinds.count)
        }
        rows[i] = r
        cols[i] = c
    }

    subscript(i: Int) -> ValueShape {
        get {
            switch kinds[i] {
            case 0: .matrix(rows: Int(rows[i]), cols: Int(cols[i]))
            case 1: .scalar
            case 2: .text
            case 3: .nothing
            case 5: .luFactors(n: Int(rows[i]))
            default: .unknown
            }
        }
        set {
            switch newValue {
            case .matrix(let r, let c) where r <= Int32.max && c <= Int32.max:
                kinds[i] = 0
                setDimensions(i, Int32(r), Int32(c))
            case .matrix: kinds[i] = 4
            case .luFactors(let n) where n <= Int32.max:
                kinds[i] = 5
                setDimensions(i, Int32(n), 0)
            case .luFactors: kinds[i] = 4
            case .scalar: kinds[i] = 1
            case .text: kinds[i] = 2
            case .nothing: kinds[i] = 3
            case .unknown: kinds[i] = 4
            }
        }
    }
}
