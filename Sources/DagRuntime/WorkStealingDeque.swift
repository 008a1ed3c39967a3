import Synchronization

/// A lock-free work-stealing deque of task indices: one owner thread pushes
/// and pops at the bottom (LIFO), any number of thieves steal at the top (FIFO).
///
/// Each worker of the runtime owns one deque. It pushes the tasks it makes
/// ready and pops them back newest first, which keeps a task's inputs hot in
/// the cache that computed them; idle workers steal the oldest tasks, which
/// tend to be the roots of the largest pieces of remaining work.
///
/// ```swift
/// let deque = WorkStealingDeque(capacity: 256)
/// deque.push(7)                // owner
/// deque.push(8)                // owner
/// deque.pop()                  // owner: 8, the newest
/// otherWorkersDeque.steal()    // thief: the oldest task there, or nil
/// ```
///
/// ## Contract
///
/// - Exactly **one owner thread** calls ``push(_:)`` and ``pop()``, the same
///   thread for the life of the deque (or successive threads, each handing
///   over with a happens-before edge such as a thread join).
/// - **Any number of thief threads** call ``steal()`` or ``attemptSteal()``,
///   concurrently with the owner and with each other. The owner may steal
///   from its own deque too.
/// - ``isEmpty``, ``count`` and ``capacity`` may be read from any thread;
///   they are snapshots that may be stale by the time they return.
/// - Every pushed value is returned exactly once, by one `pop` or one
///   successful steal. Values are opaque to the deque: any `Int32` round-trips
///   (the runtime stores non-negative task indices).
///
/// Breaking the one-owner rule (two threads pushing, or a thief popping)
/// loses or duplicates tasks; nothing checks it.
///
/// ## Algorithm
///
/// The Chase–Lev deque (D. Chase and Y. Lev, "Dynamic Circular Work-Stealing
/// Deque", SPAA 2005) with the C11 memory orderings proved correct by N. M. Lê,
/// A. Pop, A. Cohen and F. Zappa Nardelli, "Correct and Efficient
/// Work-Stealing for Weak Memory Models", PPoPP 2013, figure 1. Two
/// monotonically increasing indices delimit the tasks: `top` (next to steal)
/// and `bottom` (next free slot); the tasks are `top..<bottom`, stored at
/// `index & mask` in a power-of-two ring. Only the owner moves `bottom`;
/// `top` moves only by compare-and-swap, so when one task is left the owner
/// and the thieves race for it on `top` and exactly one wins.
///
/// Every atomic operation below carries a comment saying why its ordering is
/// needed. On x86-64 the only orderings that cost anything are the two
/// sequentially consistent fences (one in ``pop()``, one in steal; LLVM emits
/// a locked `or` to the stack, about 3 ns here) and the compare-and-swaps
/// (`lock cmpxchg`); acquire and release loads and stores are plain moves.
///
/// ## Storage and growth
///
/// The ring is an `UnsafeMutablePointer<Atomic<Int32>>`, one atomic per slot.
/// Slots must be atomic because a thief reads the slot at `top` *before* its
/// compare-and-swap tells it whether the task is really its own; when it
/// loses, the owner may be overwriting that very slot. A relaxed atomic load
/// makes that race defined (it yields some value, which the losing thief
/// throws away); a plain load would be a data race. Relaxed atomic loads and
/// stores of `Int32` compile to plain moves.
///
/// The ring is described by a small immutable header (``Ring``: slot pointer
/// and mask) that the deque publishes through one atomic pointer. A
/// `ManagedBuffer` would work too, but every thief that picked it up would
/// retain and release it: two atomic read-modify-writes on a line that all
/// workers share, as costly as the steal itself. A raw pointer costs nothing,
/// and the owner alone decides lifetimes.
///
/// When a push finds the ring full, the owner allocates one twice as large,
/// copies `top..<bottom` into it and publishes it. The old ring is
/// **retired, not freed**, until the deque is deinitialised: a thief that
/// loaded the old header just before the switch may still read a slot from
/// it (and then win or lose its compare-and-swap as usual). Nothing ever
/// writes a retired ring again, and the tasks in it are the same as in the new
/// one, so such a thief reads a correct value. Retired rings together are
/// smaller than the current one (1 + 2 + ... + n/2 < n), so retiring at most
/// doubles the memory. The ring never shrinks.
///
/// `top`, `bottom` and the ring pointer sit in one 256-byte block of their
/// own, `top` in the first 128 bytes and `bottom` with the ring pointer in the
/// second, so that thieves hammering `top` do not keep invalidating the line
/// the owner writes on every push and pop (and vice versa). Swift has no
/// `alignas` for stored properties, hence the explicit allocation.
///
/// No operation allocates except a push that grows the ring.
public final class WorkStealingDeque: @unchecked Sendable {
    // @unchecked Sendable: all shared state is in atomics, accessed with the
    // orderings of Lê et al.; `retired` is touched only by the owner (in push)
    // and by deinit, which runs when no thread holds the deque any more.

    /// The outcome of one steal attempt.
    public enum StealResult: Sendable, Equatable {
        /// The thief took this task.
        case success(Int32)
        /// The deque looked empty.
        case empty
        /// The deque had a task but another thread (a thief, or the owner
        /// popping the last task) took it first. Trying again, on this deque or
        /// another, may succeed.
        case abort
    }

    /// An immutable description of one ring: where its slots are and the
    /// mask that maps an index to a slot (`capacity - 1`).
    struct Ring {
        let slots: UnsafeMutablePointer<Atomic<Int32>>
        let mask: Int

        var capacity: Int { mask + 1 }

        /// Allocates a header and `capacity` zeroed slots.
        static func allocate(capacity: Int) -> UnsafeMutablePointer<Ring> {
            let slots = UnsafeMutablePointer<Atomic<Int32>>.allocate(capacity: capacity)
            for slot in 0..<capacity {
                (slots + slot).initialize(to: Atomic(0))
            }
            let header = UnsafeMutablePointer<Ring>.allocate(capacity: 1)
            header.initialize(to: Ring(slots: slots, mask: capacity - 1))
            return header
        }

        static func free(_ header: UnsafeMutablePointer<Ring>) {
            header.pointee.slots.deinitialize(count: header.pointee.capacity)
            header.pointee.slots.deallocate()
            header.deinitialize(count: 1)
            header.deallocate()
        }

        /// Slot of `index`. The load is relaxed in all callers: ordering comes
        /// from the loads and stores of `top`, `bottom` and the ring pointer.
        @inline(__always)
        func load(_ index: Int) -> Int32 {
            slots[index & mask].load(ordering: .relaxed)
        }

        @inline(__always)
        func store(_ value: Int32, at index: Int) {
            slots[index & mask].store(value, ordering: .relaxed)
        }
    }

    /// Bytes between `top` and `bottom`: two 64-byte cache lines, because
    /// Intel's adjacent-line prefetcher moves lines in pairs.
    private static let lineGap = 128

    /// The 256-byte block holding the three shared words below.
    private let sharedBlock: UnsafeMutableRawPointer
    /// Index of the oldest task, the next one to steal. Raised by thieves'
    /// compare-and-swap, and by the owner's when it pops the last task.
    private let top: UnsafeMutablePointer<Atomic<Int>>
    /// Index one past the newest task. Written only by the owner.
    private let bottom: UnsafeMutablePointer<Atomic<Int>>
    /// The current ring. Written only by the owner, when it grows the ring.
    private let ring: UnsafeMutablePointer<Atomic<UnsafeMutablePointer<Ring>>>
    /// Rings replaced by larger ones, kept for thieves that may still read
    /// them; freed in deinit. Owner only.
    private var retired: [UnsafeMutablePointer<Ring>] = []

    /// Makes an empty deque whose ring holds `capacity` tasks before it first
    /// grows, rounded up to a power of two (at least 2).
    ///
    /// - Complexity: O(capacity).
    public init(capacity: Int = 1024) {
        precondition(capacity >= 1 && capacity <= 1 << 40, "deque capacity \(capacity) is not in 1...2^40")
        let rounded = max(2, 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount))
        sharedBlock = UnsafeMutableRawPointer.allocate(byteCount: 2 * Self.lineGap, alignment: Self.lineGap)
        top = sharedBlock.bindMemory(to: Atomic<Int>.self, capacity: 1)
        top.initialize(to: Atomic(0))
        bottom = (sharedBlock + Self.lineGap).bindMemory(to: Atomic<Int>.self, capacity: 1)
        bottom.initialize(to: Atomic(0))
        ring = (sharedBlock + Self.lineGap + MemoryLayout<Atomic<Int>>.stride)
            .bindMemory(to: Atomic<UnsafeMutablePointer<Ring>>.self, capacity: 1)
        ring.initialize(to: Atomic(Ring.allocate(capacity: rounded)))
    }

    deinit {
        // No thread uses the deque any more, so every ring can go.
        Ring.free(ring.pointee.load(ordering: .relaxed))
        for old in retired {
            Ring.free(old)
        }
        ring.deinitialize(count: 1)
        bottom.deinitialize(count: 1)
        top.deinitialize(count: 1)
        sharedBlock.deallocate()
    }

    // MARK: Owner

    /// Adds `task` at the bottom. Owner thread only.
    ///
    /// - Complexity: O(1), amortised O(1) when the ring grows (it doubles and
    ///   copies the tasks it holds).
    public func push(_ task: Int32) {
        // Relaxed: only this thread writes `bottom`, so it reads its own last store.
        let b = bottom.pointee.load(ordering: .relaxed)
        // Acquire: pairs with the release half of the compare-and-swaps that
        // moved `top` up to `t` (all of them: each read-modify-write continues
        // the release sequence of the ones before). A thief reads a task's
        // slot before its CAS; acquiring makes that read happen before the
        // store below, which reuses the slot of task `b - capacity` once the
        // ring wraps around. Without it, a thief could read the new task
        // instead of the one it took.
        let t = top.pointee.load(ordering: .acquiring)
        // Relaxed: only this thread writes the ring pointer.
        var current = ring.pointee.load(ordering: .relaxed).pointee
        if b - t > current.mask {
            current = grow(top: t, bottom: b)
        }
        // Relaxed: published by the release store of `bottom` just below.
        current.store(task, at: b)
        // Release: a thief that reads this `bottom` (acquire) sees the slot just
        // written, and the ring it was written to. Lê et al. write a release
        // fence followed by a relaxed store; with a single store to publish,
        // a release store is the same and cheaper on ARM.
        bottom.pointee.store(b + 1, ordering: .releasing)
    }

    /// Removes and returns the newest task, or nil when the deque is empty
    /// (or when a thief took the last task first). Owner thread only.
    ///
    /// - Complexity: O(1).
    public func pop() -> Int32? {
        // Relaxed: only this thread writes `bottom`.
        let b = bottom.pointee.load(ordering: .relaxed) - 1
        // Fast path for an empty deque, which is not in Lê et al.: `top` only
        // grows, so if even a stale, relaxed read of it reaches `bottom`, the
        // deque is empty now and the fence below can be skipped. A worker
        // whose deque ran dry pays this on every round of its loop.
        guard top.pointee.load(ordering: .relaxed) <= b else { return nil }
        // Relaxed: only this thread writes the ring pointer.
        let current = ring.pointee.load(ordering: .relaxed).pointee
        // Relaxed store, ordered by the fence below: reserve the task at `b`
        // by lowering `bottom`, so thieves stop short of it.
        bottom.pointee.store(b, ordering: .relaxed)
        // Sequentially consistent fence: the store to `bottom` above must be
        // visible to thieves before this thread reads `top` below. It is one
        // half of a Dekker-style handshake; steal has the other half (read
        // `top`, fence, read `bottom`). Without it the CPU may perform the
        // `top` load before the `bottom` store is visible (store-load
        // reordering, which even x86 allows), and the owner and a thief could
        // both take the same task.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        // Relaxed: the fence above orders it.
        let t = top.pointee.load(ordering: .relaxed)
        guard t <= b else {
            // Empty: a thief took the last task meanwhile. Restore `bottom`
            // (relaxed: no data to publish, thieves see top == bottom).
            bottom.pointee.store(b + 1, ordering: .relaxed)
            return nil
        }
        let task = current.load(b)
        guard t == b else {
            // More than one task was left: thieves stop at `b`, this one is ours.
            return task
        }
        // The last task: race the thieves for it by moving `top` past it.
        // Sequentially consistent on success: it must be ordered with the
        // thieves' fences and compare-and-swaps on `top` so that exactly one
        // of the racers wins. Relaxed on failure: losing only tells us a thief
        // has it, and we read nothing that it wrote.
        let won = top.pointee.compareExchange(
            expected: t, desired: t + 1,
            successOrdering: .sequentiallyConsistent, failureOrdering: .relaxed).exchanged
        // Relaxed: the deque is empty either way (top == bottom == t + 1).
        bottom.pointee.store(b + 1, ordering: .relaxed)
        return won ? task : nil
    }

    // MARK: Thieves

    /// Removes and returns the oldest task, or nil. Any thread.
    ///
    /// Nil means either that the deque was empty or that another thread took
    /// the oldest task first; this makes one attempt and does not retry. Use
    /// ``attemptSteal()`` to tell the two apart (after a lost race the deque
    /// may still hold tasks).
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public func steal() -> Int32? {
        if case .success(let task) = attemptSteal() {
            return task
        }
        return nil
    }

    /// Tries once to remove the oldest task. Any thread.
    ///
    /// - Returns: `.success(task)`, `.empty` when the deque looked empty, or
    ///   `.abort` when another thread took the oldest task first.
    /// - Complexity: O(1).
    public func attemptSteal() -> StealResult {
        // Acquire: pairs with the release half of the compare-and-swap that
        // moved `top` to `t` (by another thief, or the owner taking the last
        // task), so this thief starts from a view of the deque at least as new
        // as that taker's.
        let t = top.pointee.load(ordering: .acquiring)
        // Sequentially consistent fence: the other half of the handshake in
        // `pop` (store `bottom`, fence, load `top`). The `bottom` read below
        // must not be satisfied before the `top` read above; otherwise a thief
        // could see the owner's old `bottom` with a `top` that the owner has
        // already checked, and both would take the last task.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        // Acquire: pairs with the release store in `push`, so the slot at `t`
        // (and the ring it is in) is visible once `bottom` says it exists.
        let b = bottom.pointee.load(ordering: .acquiring)
        guard t < b else { return .empty }
        // Acquire (Lê et al. use consume, which Swift does not offer; acquire
        // is stronger and free on x86): pairs with the release store in `grow`,
        // so the slots copied into a new ring are visible through it.
        let current = ring.pointee.load(ordering: .acquiring).pointee
        // Relaxed, and before the compare-and-swap: if the CAS fails, this
        // value may be stale or overwritten, and it is thrown away.
        let task = current.load(t)
        // Sequentially consistent on success: orders this claim with the
        // owner's fence and compare-and-swap in `pop` and with other thieves,
        // so exactly one thread gets the task at `t`; its release half also
        // tells the owner (acquire load in `push`) that the slot is free.
        // Relaxed on failure: the thief only learns that it lost.
        let claimed = top.pointee.compareExchange(
            expected: t, desired: t + 1,
            successOrdering: .sequentiallyConsistent, failureOrdering: .relaxed).exchanged
        return claimed ? .success(task) : .abort
    }

    // MARK: Any thread

    /// Whether the deque looked empty at some moment during the call. Any
    /// thread; approximate while other threads use the deque.
    public var isEmpty: Bool {
        count == 0
    }

    /// How many tasks the deque held at some moment during the call (never
    /// negative). Any thread; approximate while other threads use the deque.
    public var count: Int {
        // Relaxed: an estimate needs no ordering with the tasks' contents.
        // `bottom` first: `top` only grows, so reading it second can make the
        // estimate smaller, never larger than the true count at the first read.
        let b = bottom.pointee.load(ordering: .relaxed)
        let t = top.pointee.load(ordering: .relaxed)
        return max(0, b - t)
    }

    /// How many tasks the current ring holds before it next grows (a power of
    /// two). Any thread; the owner may grow the ring at any moment.
    public var capacity: Int {
        // Relaxed: only the capacity is read, not the slots.
        ring.pointee.load(ordering: .relaxed).pointee.capacity
    }

    // MARK: Growing

    /// Replaces the full ring with one twice as large holding the same tasks
    /// `t..<b` at the same indices, and retires the old one. Owner only.
    private func grow(top t: Int, bottom b: Int) -> Ring {
        // Relaxed: only this thread writes the ring pointer.
        let oldHeader = ring.pointee.load(ordering: .relaxed)
        let old = oldHeader.pointee
        let newHeader = Ring.allocate(capacity: 2 * old.capacity)
        let new = newHeader.pointee
        // Copy every task a thief may still take. Those below `t` are gone;
        // thieves racing for `t` find it in either ring (same value).
        for index in t..<b {
            new.store(old.load(index), at: index)
        }
        // Release: a thief that loads the new ring pointer (acquire) sees the
        // slots copied into it.
        ring.pointee.store(newHeader, ordering: .releasing)
        retired.append(oldHeader)
        return new
    }
}
