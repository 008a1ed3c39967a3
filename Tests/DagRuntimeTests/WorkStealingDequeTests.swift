// WorkStealingDeque: single-threaded semantics against a reference model,
// then concurrent stress with one owner and 1, 3 and 7 thieves, checking that
// every pushed value is taken exactly once.

import Glibc
import Synchronization
import Testing
@testable import DagRuntime

@Suite("Work-stealing deque, one thread")
struct WorkStealingDequeSingleThreadTests {
    @Test("pop returns the newest task first (LIFO)")
    func popIsLIFO() {
        let deque = WorkStealingDeque()
        for task in Int32(1)...5 { deque.push(task) }
        #expect(deque.count == 5)
        #expect((0..<5).map { _ in deque.pop() } == [5, 4, 3, 2, 1])
        #expect(deque.pop() == nil)
    }

    @Test("steal returns the oldest task first (FIFO)")
    func stealIsFIFO() {
        let deque = WorkStealingDeque()
        for task in Int32(1)...5 { deque.push(task) }
        #expect((0..<5).map { _ in deque.steal() } == [1, 2, 3, 4, 5])
        #expect(deque.steal() == nil)
    }

    @Test("an empty deque answers nil, .empty and count 0; a drained one too")
    func emptyDeque() {
        let deque = WorkStealingDeque(capacity: 4)
        #expect(deque.isEmpty && deque.count == 0)
        #expect(deque.pop() == nil)
        #expect(deque.steal() == nil)
        #expect(deque.attemptSteal() == .empty)

        deque.push(9)
        #expect(!deque.isEmpty && deque.count == 1)
        #expect(deque.attemptSteal() == .success(9))
        #expect(deque.pop() == nil)     // the thief took the last task
        deque.push(10)
        #expect(deque.pop() == 10)
        #expect(deque.attemptSteal() == .empty)
        #expect(deque.pop() == nil)
        #expect(deque.isEmpty && deque.count == 0)
    }

    @Test("capacity is rounded up to a power of two, at least 2", arguments: [
        (1, 2), (2, 2), (3, 4), (1000, 1024), (1024, 1024), (1025, 2048),
    ])
    func capacityRounding(requested: Int, expected: Int) {
        #expect(WorkStealingDeque(capacity: requested).capacity == expected)
    }

    @Test("every Int32 round-trips, negative ones included")
    func valuesAreOpaque() {
        let deque = WorkStealingDeque(capacity: 2)
        let values: [Int32] = [0, -1, .min, .max, 42]
        for value in values { deque.push(value) }
        #expect(deque.steal() == 0)
        #expect(deque.steal() == -1)
        #expect(deque.pop() == 42)
        #expect(deque.pop() == .max)
        #expect(deque.pop() == .min)
    }

    @Test("growing from capacity 2 keeps every task exactly once, in order")
    func growthKeepsEveryTask() {
        let deque = WorkStealingDeque(capacity: 2)
        let n: Int32 = 10_000
        for task in 0..<n { deque.push(task) }
        #expect(deque.capacity == 16_384)
        #expect(deque.count == Int(n))
        // Take from both ends in turn: steals ascend from 0, pops descend from n - 1.
        var stolen: [Int32] = [], popped: [Int32] = []
        while !deque.isEmpty {
            if let task = deque.steal() { stolen.append(task) }
            if let task = deque.pop() { popped.append(task) }
        }
        #expect(stolen == Array(0..<n / 2))
        #expect(popped == Array((n / 2..<n).reversed()))
    }

    @Test("growth after the indices wrapped around the ring keeps FIFO and LIFO order")
    func growthAfterWrapAround() {
        let deque = WorkStealingDeque(capacity: 4)
        for task in Int32(0)..<3 { deque.push(task) }
        #expect(deque.steal() == 0)
        #expect(deque.steal() == 1)
        // top = 2: tasks 2...5 occupy slots 2, 3, 0, 1; task 6 makes it grow.
        for task in Int32(3)...6 { deque.push(task) }
        #expect(deque.capacity == 8)
        #expect(deque.steal() == 2)
        #expect(deque.pop() == 6)
        #expect((0..<4).compactMap { _ in deque.steal() } == [3, 4, 5])
    }

    /// Random push, pop and steal against an array, starting from capacity 2
    /// so the ring grows while its contents wrap.
    @Test("interleaved push, pop and steal match a reference model")
    func interleavedMatchesModel() {
        let deque = WorkStealingDeque(capacity: 2)
        var model: [Int32] = [], head = 0   // model[head...] is the deque, oldest first
        var random = SplitMix(seed: 0xDECAF)
        var next: Int32 = 0
        for _ in 0..<200_000 {
            switch random.next() % 7 {
            case 0, 1, 2, 3:
                deque.push(next)
                model.append(next)
                next += 1
            case 4, 5:
                let expected = model.count > head ? model.removeLast() : nil
                #expect(deque.pop() == expected)
            default:
                let expected: Int32? = model.count > head ? model[head] : nil
                if expected != nil { head += 1 }
                #expect(deque.steal() == expected)
            }
            if model.count == head { model.removeAll(keepingCapacity: true); head = 0 }
        }
        #expect(deque.count == model.count - head)
        #expect(deque.capacity >= 64)
    }
}

@Suite("Work-stealing deque, one owner and concurrent thieves", .serialized)
struct WorkStealingDequeStressTests {
    /// Values the owner pushes (about a second per case in debug on two cores).
    static let valueCount = 1_000_000

    /// The owner pushes bursts of 1 to 2048 values and pops a random number
    /// of them (often more than it pushed, so it hits the empty deque and races
    /// thieves for the last task), starting from capacity 2 so the ring grows
    /// while thieves read it.
    @Test("every value is taken exactly once", arguments: [1, 3, 7])
    func everyValueExactlyOnce(thieves: Int) throws {
        let n = Self.valueCount
        let deque = WorkStealingDeque(capacity: 2)
        let outcome = try runOwnerAndThieves(deque: deque, thieves: thieves) {
            var random = SplitMix(seed: UInt64(thieves))
            var taken: [Int32] = []
            taken.reserveCapacity(n)
            var next = 0
            while next < n {
                let roll = random.next() % 100
                let burst = 1 + Int(random.next() % (roll < 70 ? 8 : roll < 97 ? 64 : 2048))
                for _ in 0..<min(burst, n - next) {
                    deque.push(Int32(next))
                    next += 1
                }
                for _ in 0..<Int(random.next() % UInt64(burst + 3)) {
                    guard let task = deque.pop() else { break }
                    taken.append(task)
                }
            }
            while let task = deque.pop() { taken.append(task) }
            return taken
        }

        var timesTaken = [UInt8](repeating: 0, count: n)
        var outOfRange = 0
        for task in outcome.owner + outcome.thieves.joined() {
            guard task >= 0, Int(task) < n else { outOfRange += 1; continue }
            timesTaken[Int(task)] &+= 1
        }
        let lost = timesTaken.indices.filter { timesTaken[$0] == 0 }
        let duplicated = timesTaken.indices.filter { timesTaken[$0] > 1 }
        #expect(outOfRange == 0)
        #expect(lost.isEmpty, "\(lost.count) values never taken, first \(lost.prefix(5))")
        #expect(duplicated.isEmpty, "\(duplicated.count) values taken twice, first \(duplicated.prefix(5))")
        #expect(outcome.thieves.contains { !$0.isEmpty }, "no thief stole anything: the test raced nothing")
        #expect(deque.capacity >= 2048)
        #expect(deque.isEmpty)
    }

    /// Many short lives: each round starts a fresh deque at capacity 2 and
    /// pushes 2048 values without popping, so the owner grows the ring ten
    /// times (retiring the old one each time) while thieves steal from it.
    /// After the first 16 pushes the owner waits until a thief has taken
    /// something, so the thieves are known to be running during the growths
    /// that follow, even on a busy machine.
    @Test("thieves stealing during growth take every value exactly once")
    func stealingDuringGrowth() throws {
        let rounds = 150, perRound = 2048, firstBatch = 16
        var timesTaken = [UInt8](repeating: 0, count: rounds * perRound)
        var stolen = 0, outOfRange = 0
        for round in 0..<rounds {
            let deque = WorkStealingDeque(capacity: 2)
            let base = round * perRound
            let outcome = try runOwnerAndThieves(deque: deque, thieves: 2) {
                for value in base..<base + firstBatch { deque.push(Int32(value)) }
                // Bounded wait: a round whose thieves never show up is still checked.
                for _ in 0..<100_000 where deque.count == firstBatch { sched_yield() }
                for value in base + firstBatch..<base + perRound { deque.push(Int32(value)) }
                var taken: [Int32] = []
                while let task = deque.pop() { taken.append(task) }
                return taken
            }
            stolen += outcome.thieves.reduce(0) { $0 + $1.count }
            for task in outcome.owner + outcome.thieves.joined() {
                guard timesTaken.indices.contains(Int(task)) else { outOfRange += 1; continue }
                timesTaken[Int(task)] &+= 1
            }
        }
        #expect(outOfRange == 0, "values never pushed came out (a freed ring read?)")
        #expect(timesTaken.allSatisfy { $0 == 1 }, "\(timesTaken.filter { $0 != 1 }.count) values not taken exactly once")
        #expect(stolen > 0, "no thief stole anything: the test raced nothing")
    }
}

// MARK: Support

/// Runs `owner` on the calling thread while `thieves` threads steal from
/// `deque` until the owner has finished and the deque is empty. The owner
/// starts once every thief is running. Returns what each side took.
private func runOwnerAndThieves(
    deque: WorkStealingDeque, thieves: Int, owner: () -> [Int32]
) throws -> (owner: [Int32], thieves: [[Int32]]) {
    let flags = StressFlags()
    let results = (0..<thieves).map { _ in ThreadResult() }
    let threads = try results.map { result in
        try startThread {
            var taken: [Int32] = []
            var idle = 0
            // Relaxed: a head count only, no data is published through it.
            flags.startedThieves.add(1, ordering: .relaxed)
            steal: while true {
                switch deque.attemptSteal() {
                case .success(let task):
                    taken.append(task)
                    idle = 0
                case .abort:
                    idle = 0
                case .empty:
                    // Acquire: pairs with the owner's release store, after its
                    // last pop found the deque empty for good.
                    if flags.ownerDone.load(ordering: .acquiring) { break steal }
                    idle += 1
                    // Leave the CPU to the owner now and then: two cores, up to eight threads.
                    if idle % 32 == 0 { sched_yield() }
                }
            }
            result.taken = taken
        }
    }
    while flags.startedThieves.load(ordering: .relaxed) < thieves { sched_yield() }
    let ownerTaken = owner()
    flags.ownerDone.store(true, ordering: .releasing)
    for thread in threads { pthread_join(thread, nil) }
    return (ownerTaken, results.map(\.taken))
}

private final class StressFlags: Sendable {
    /// Thieves that have entered their loop.
    let startedThieves = Atomic<Int>(0)
    /// Set by the owner once it has pushed everything and its last pop found the deque empty.
    let ownerDone = Atomic<Bool>(false)
}

/// What one thief took; written by the thief, read after `pthread_join`.
private final class ThreadResult: @unchecked Sendable {
    var taken: [Int32] = []
}

private struct ThreadStartFailure: Error {
    let code: Int32
}

/// Starts a joinable pthread running `body`.
private func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let code = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    guard code == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw ThreadStartFailure(code: code)
    }
    return thread
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
