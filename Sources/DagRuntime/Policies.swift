import DagCore

/// What a policy may look at when placing ready tasks: the graph and, per finished
/// task, which worker produced it and how many bytes its result holds.
public struct PolicyView: @unchecked Sendable {
    public let graph: TaskGraph
    let producer: UnsafeMutablePointer<Int32>
    let resultBytes: UnsafeMutablePointer<Int>

    /// The worker that ran task `t` (-1 for IO tasks or not yet run).
    public func producer(of t: Int32) -> Int32 { producer[Int(t)] }
    /// The size of task `t`'s result in bytes (matrices; 0 for scalars, text and nothing).
    public func resultBytes(of t: Int32) -> Int { resultBytes[Int(t)] }
}

/// A scheduling policy: how the CPU tasks a finished task made ready are ordered and
/// where they go. Called on the worker that finished the task, on the hot path: it must
/// not allocate or lock.
///
/// `ready` holds the newly ready tasks; the policy reorders it (the first one runs next
/// on this worker, without going through a deque) and sets `targets[k]` to the worker
/// that should run `ready[k]`, or -1 for this worker (pushed on its own deque, where
/// idle workers may steal it).
public protocol SchedulingPolicy: Sendable {
    var name: String { get }
    var summary: String { get }
    func arrange(ready: UnsafeMutableBufferPointer<Int32>, targets: UnsafeMutableBufferPointer<Int32>,
                 worker: Int32, view: PolicyView)
}

/// Static critical-path order: the ready task with the largest bottom level runs next on
/// this worker; the others go on its deque, most urgent where thieves take first.
public struct CriticalPathPolicy: SchedulingPolicy {
    public init() {}
    public var name: String { "critical-path" }
    public var summary: String {
        "run the ready task with the longest path to the end first (static bottom level); the default"
    }

    public func arrange(ready: UnsafeMutableBufferPointer<Int32>, targets: UnsafeMutableBufferPointer<Int32>,
                        worker: Int32, view: PolicyView) {
        view.graph.bottomLevel.withUnsafeBufferPointer { sortByPriority(ready, $0.baseAddress!) }
        for k in targets.indices { targets[k] = -1 }
    }
}

/// Data affinity: a ready task goes to the worker that produced its largest input, so
/// big operands are read from the cache (or NUMA node) that wrote them; priority order
/// among the tasks that stay. Placement is strict: a placed task waits for its worker
/// (other workers do not steal it), which trades some balance for locality.
public struct DataAffinityPolicy: SchedulingPolicy {
    public init() {}
    public var name: String { "affinity" }
    public var summary: String {
        "send each ready task to the worker that produced its largest input (cache and NUMA locality)"
    }

    public func arrange(ready: UnsafeMutableBufferPointer<Int32>, targets: UnsafeMutableBufferPointer<Int32>,
                        worker: Int32, view: PolicyView) {
        view.graph.bottomLevel.withUnsafeBufferPointer { sortByPriority(ready, $0.baseAddress!) }
        for k in ready.indices {
            var best: Int32 = -1, bestBytes = -1
            for j in view.graph.inputs(of: Int(ready[k])) {
                let b = view.resultBytes(of: j)
                if b > bestBytes { bestBytes = b; best = view.producer(of: j) }
            }
            targets[k] = best == worker || bestBytes <= 0 ? -1 : best
        }
    }
}

/// Whether task `a` runs before task `b` in the static priority order: larger bottom level
/// first, ties by task index (declaration order). The same order as ``TaskGraph/priorityRank``.
@inline(__always)
func precedes<Key: BinaryFloatingPoint>(_ a: Int32, _ b: Int32, _ bottom: UnsafePointer<Key>) -> Bool {
    let x = bottom[Int(a)], y = bottom[Int(b)]
    return x > y || (x == y && a < b)
}

/// Insertion sort by static priority (ready batches are small; no allocation).
@inline(__always)
func sortByPriority<Key: BinaryFloatingPoint>(_ ready: UnsafeMutableBufferPointer<Int32>, _ bottom: UnsafePointer<Key>) {
    guard ready.count > 1 else { return }
    for k in 1..<ready.count {
        let t = ready[k]
        var m = k
        while m > 0 && precedes(t, ready[m - 1], bottom) {
            ready[m] = ready[m - 1]
            m -= 1
        }
        ready[m] = t
    }
}

/// The policies `dagrun run --policy NAME` knows, by name.
public enum PolicyRegistry {
    public static let all: [any SchedulingPolicy] = [CriticalPathPolicy(), DataAffinityPolicy()]
    public static let defaultName = "critical-path"

    /// The policy called `name`, or an error naming the nearest known names.
    public static func policy(named name: String) throws(RunSetupError) -> any SchedulingPolicy {
        if let p = all.first(where: { $0.name == name }) { return p }
        let names = all.map(\.name)
        let hint = didYouMean(nearestNames(to: name, in: names)) ?? "known policies: \(names.joined(separator: ", "))"
        throw RunSetupError(description: "unknown policy '\(name)' (\(hint))")
    }
}
