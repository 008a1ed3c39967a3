import Synchronization

/// Where idle workers sleep, and how producers wake them: an event count.
///
/// A worker that found no work announces itself (`prepareWait`), looks for work once
/// more, then sleeps until the epoch moves (`commitWait`) or gives up sleeping
/// (`cancelWait`). A producer that made work available calls `notify`, which costs one
/// atomic load when nobody sleeps. Both sides use sequentially consistent operations on
/// `sleepers` around their queue accesses, so a wake-up is never lost: either the
/// producer sees the sleeper, or the sleeper's second look sees the work.
final class Parker: @unchecked Sendable {
    private let lock = ConditionLock()
    private let wake: ConditionLock.Condition
    private var epoch: UInt64 = 0
    private let sleepers = Atomic<Int>(0)

    init() { wake = lock.makeCondition() }

    func prepareWait() -> UInt64 {
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        return lock.withLock { epoch }
    }

    func cancelWait() {
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
    }

    func commitWait(_ seen: UInt64) {
        lock.lock()
        while epoch == seen { wake.wait() }
        lock.unlock()
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
    }

    /// Wakes one sleeping worker, if any (`all`: every one).
    @inline(__always)
    func notify(all: Bool = false) {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        lock.lock()
        epoch &+= 1
        if all { wake.broadcast() } else { wake.signal() }
        lock.unlock()
    }

    /// Wakes everyone, unconditionally (end of run).
    func wakeAll() {
        lock.lock()
        epoch &+= 1
        wake.broadcast()
        lock.unlock()
    }
}

/// Tasks handed to a worker by another thread (IO completions, the affinity policy,
/// the roots): a small locked queue, checked when the worker's own deque is empty.
final class Inbox: @unchecked Sendable {
    private let lock = ConditionLock()
    private var items: [Int32] = []
    private let pending = Atomic<Int>(0)

    func put(_ t: Int32) {
        lock.withLock { items.append(t) }
        pending.wrappingAdd(1, ordering: .releasing)
    }

    /// One task, or nil (an atomic load when empty).
    func take() -> Int32? {
        guard pending.load(ordering: .acquiring) > 0 else { return nil }
        return lock.withLock {
            guard let t = items.popLast() else { return nil }
            pending.wrappingSubtract(1, ordering: .relaxed)
            return t
        }
    }

    var isEmpty: Bool { pending.load(ordering: .acquiring) == 0 }
}
