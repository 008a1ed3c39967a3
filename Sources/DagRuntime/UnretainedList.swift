/// The run's per-worker objects (deques, inboxes), reached on the hot path without touching
/// their reference counts.
///
/// Reading a class reference out of an array and calling a method on it costs a retain and a
/// release, two atomic read-modify-writes, and one the compiler kept in the worker loop for
/// every look at a worker's inbox. A thief's retain of its victim's deque also writes the
/// victim's object header, a line the victim itself reads. The list keeps the objects alive
/// and hands out references guaranteed for the length of one call.
///
/// Measured against the arrays of objects it replaced (interleaved runs of the two builds,
/// ratio of medians, 2 workers): fork-join 100 x 1,000 (steals at every fork) 0.84 and 0.80
/// in 20 and 40 pairs; random 1M-task DAG 0.92 and 0.97 in 30 pairs each; 1 worker 1.00.
struct UnretainedList<Object: AnyObject>: @unchecked Sendable {
    /// Keeps the objects alive as long as the list.
    private let objects: [Object]
    private let references: [Unmanaged<Object>]

    init(_ objects: [Object]) {
        self.objects = objects
        references = objects.map { Unmanaged.passUnretained($0) }
    }

    var count: Int { references.count }

    /// Calls `body` with object `i`, not retained (the list holds it).
    @inline(__always) func with<Result>(_ i: Int, _ body: (Object) throws -> Result) rethrows -> Result {
        try references[i]._withUnsafeGuaranteedRef(body)
    }
}

extension UnretainedList where Object == WorkStealingDeque {
    @inline(__always) func push(_ i: Int, _ task: Int32) { with(i) { $0.push(task) } }
    @inline(__always) func pop(_ i: Int) -> Int32? { with(i) { $0.pop() } }
    @inline(__always) func steal(_ i: Int) -> Int32? { with(i) { $0.steal() } }
}

extension UnretainedList where Object == Inbox {
    @inline(__always) func put(_ i: Int, _ task: Int32) { with(i) { $0.put(task) } }
    @inline(__always) func take(_ i: Int) -> Int32? { with(i) { $0.take() } }
}
