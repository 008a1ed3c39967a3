internal import CDagSystem
import DagCore
import Synchronization

/// What a run's hot path reads and writes of each task, packed into 16 bytes, four tasks to a
/// cache line:
///
/// | slot | contents |
/// |---|---|
/// | 0 | join counter: inputs not yet produced (one per input slot) |
/// | 1 | where the task's consumers start in the graph's consumer list (the next record's slot 1 is where they end) |
/// | 2 | static priority: the task's bottom level as a Float's bits (larger runs first) |
/// | 3 | flags: ``poisonedFlag`` (an input failed or was cancelled), ``ioFlag``; above them the task's op index |
///
/// A finishing task decrements each consumer's counter; the consumer that reaches zero then
/// needs its consumer range, its priority and its flags. With one array per field each was a
/// separate cache miss on a large graph; packed, the decrement brings them all. On the random
/// 1M-task DAG (2 workers) the finish step was 3/4 of a worker's time, mostly three dependent
/// misses (consumer offsets, consumer list, counter); with the records and their prefetches,
/// 117 -> 92 ns per task (median of 15 interleaved pairs of the two builds).
struct JoinRecords: @unchecked Sendable {
    static let poisonedFlag: Int32 = 1, ioFlag: Int32 = 2, opShift: Int32 = 2
    let base: UnsafeMutablePointer<Atomic<Int32>>
    let count: Int

    init(graph: TaskGraph) {
        let n = graph.count
        count = n
        base = .allocate(capacity: 4 * (n + 1))
        for i in 0..<n {
            let r = base + 4 * i
            (r + 0).initialize(to: Atomic(graph.inputOffsets[i + 1] - graph.inputOffsets[i]))
            (r + 1).initialize(to: Atomic(graph.consumerOffsets[i]))
            (r + 2).initialize(to: Atomic(Int32(bitPattern: Float(graph.bottomLevel[i]).bitPattern)))
            (r + 3).initialize(to: Atomic(graph.opIndex[i] << Self.opShift | (graph.classes[i] == .io ? Self.ioFlag : 0)))
        }
        let last = base + 4 * n
        (last + 0).initialize(to: Atomic(0))
        (last + 1).initialize(to: Atomic(graph.consumerOffsets[n]))
        (last + 2).initialize(to: Atomic(0))
        (last + 3).initialize(to: Atomic(0))
    }

    func deallocate() {
        base.deinitialize(count: 4 * (count + 1))
        base.deallocate()
    }

    /// Inputs of task `i` not yet produced.
    @inline(__always) func pendingCount(_ i: Int) -> Int32 { base[4 * i].load(ordering: .relaxed) }

    /// One input of `i` was produced (or failed); true when it was the last one. Acquiring and
    /// releasing: publishes the producer's value (and poison) to whoever takes the counter to
    /// zero, and gives that thread every other input's value.
    @inline(__always) func inputArrived(_ i: Int) -> Bool {
        base[4 * i].wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0
    }

    /// Task `i`'s consumers: `consumerIndices[start..<end]`.
    @inline(__always) func consumerRange(_ i: Int) -> (Int, Int) {
        (Int(base[4 * i + 1].load(ordering: .relaxed)), Int(base[4 * i + 5].load(ordering: .relaxed)))
    }

    @inline(__always) func consumerStart(_ i: Int) -> Int { Int(base[4 * i + 1].load(ordering: .relaxed)) }

    @inline(__always) func consumerCount(_ i: Int) -> Int {
        let (start, end) = consumerRange(i)
        return end - start
    }

    @inline(__always) func priority(_ i: Int) -> Float {
        Float(bitPattern: UInt32(bitPattern: base[4 * i + 2].load(ordering: .relaxed)))
    }

    /// Slot 3: flags and op index, read at once by the worker about to run the task.
    @inline(__always) func flags(_ i: Int) -> Int32 { base[4 * i + 3].load(ordering: .relaxed) }

    @inline(__always) static func op(_ flags: Int32) -> Int { Int(flags >> opShift) }

    @inline(__always) func isIO(_ i: Int) -> Bool { base[4 * i + 3].load(ordering: .relaxed) & Self.ioFlag != 0 }

    @inline(__always) func isPoisoned(_ i: Int) -> Bool {
        base[4 * i + 3].load(ordering: .relaxed) & Self.poisonedFlag != 0
    }

    /// Marks `i` cancelled-to-be (before the decrement that publishes it; rare path).
    @inline(__always) func poison(_ i: Int) {
        base[4 * i + 3].bitwiseOr(Self.poisonedFlag, ordering: .relaxed)
    }

    @inline(__always) func prefetch(_ i: Int) { dagrun_prefetch(base + 4 * i) }

    /// Larger bottom level first, ties by task index (the order of ``CriticalPathPolicy``).
    @inline(__always) func precedes(_ a: Int32, _ b: Int32) -> Bool {
        let x = priority(Int(a)), y = priority(Int(b))
        return x > y || (x == y && a < b)
    }

    /// A key whose ascending order is ``precedes(_:_:)``'s: the priority's bits mapped to an
    /// order-preserving unsigned integer and inverted (larger first), then the task index.
    @inline(__always) func precedenceKey(_ i: Int32) -> UInt64 {
        let p = priority(Int(i))
        let bits = p == 0 ? 0x8000_0000 : p.bitPattern ^ (p.sign == .minus ? 0xFFFF_FFFF : 0x8000_0000)
        return UInt64(~bits) << 32 | UInt64(UInt32(bitPattern: i))
    }

    /// `tasks` in ``precedes(_:_:)`` order, sorted as integer keys (a quarter of a million
    /// roots took 35 ms with the comparison closure here).
    func sortedByPriority(_ tasks: [Int32]) -> [Int32] {
        var keys = tasks.map(precedenceKey)
        keys.sort()
        return keys.map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    }

    /// Insertion sort by static priority (ready batches are small; no allocation).
    @inline(__always) func sortByPriority(_ ready: UnsafeMutableBufferPointer<Int32>) {
        guard ready.count > 1 else { return }
        for k in 1..<ready.count {
            let t = ready[k]
            var m = k
            while m > 0 && precedes(t, ready[m - 1]) {
                ready[m] = ready[m - 1]
                m -= 1
            }
            ready[m] = t
        }
    }
}
