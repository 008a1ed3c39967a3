internal import CDagSystem
import Glibc

/// Waits for sockets and timers without holding a thread per wait: one epoll thread for
/// the process resumes the task waiting on each descriptor when it becomes readable or
/// writable, and each sleeping task when its deadline passes (a binary heap of deadlines;
/// epoll_wait's timeout is the earliest). A waiting task is cancellable (its timeout):
/// the wait ends with `CancellationError` and the descriptor is taken out of epoll.
///
/// Timers here rather than `Task.sleep`: on Linux, each `Task.sleep` arms a libdispatch
/// timer (a timerfd reprogrammed and an eventfd written per sleep, and a hop through a
/// dispatch thread when it fires); a profile of 10,000 concurrent sleeps spent about 30 %
/// of the process's CPU time in dispatch's threads. A heap insert under a lock costs less
/// than a microsecond, and wakes this thread only when the new deadline is the earliest.
final class Reactor: @unchecked Sendable {
    static let shared = Reactor()

    private let epoll: Int32
    private let lock = ConditionLock()
    private var waiters: [Int32: CheckedContinuation<Void, any Error>] = [:]
    /// Descriptors added to epoll (later waits modify them; ``forget(_:)`` removes them).
    private var registered: Set<Int32> = []
    /// Sleeping tasks: a min-heap of (deadline, id), and each id's continuation (removed on
    /// cancellation; its heap entry is then skipped when it comes up).
    private var deadlines: [(at: UInt64, id: UInt64)] = []
    private var sleepers: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextSleeper: UInt64 = 0
    /// The deadline epoll_wait was last asked to wake at (UInt64.max: none).
    private var wakingAt = UInt64.max
    private let wakeup: Int32

    private init() {
        epoll = dagrun_epoll_create()
        precondition(epoll >= 0, "epoll_create1: \(errnoText())")
        wakeup = dagrun_epoll_add_wakeup(epoll)
        precondition(wakeup >= 0, "eventfd: \(errnoText())")
        _ = startThread(name: "dagrun-epoll") { [self] in loop() }
    }

    enum Interest { case read, write }

    /// Suspends until `fd` is ready for `interest` (or has an error or hang-up).
    func wait(_ fd: Int32, for interest: Interest) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let failure: (any Error)? = lock.withLock {
                    if Task.isCancelled { return CancellationError() }
                    let add: Int32 = registered.contains(fd) ? 0 : 1
                    if dagrun_epoll_arm(epoll, fd, interest == .write ? 1 : 0, add) != 0 {
                        return OpError("epoll_ctl: \(errnoText())")
                    }
                    registered.insert(fd)
                    waiters[fd] = c
                    return nil
                }
                if let failure { c.resume(throwing: failure) }
            }
        } onCancel: {
            let c = lock.withLock { () -> CheckedContinuation<Void, any Error>? in
                guard let c = waiters.removeValue(forKey: fd) else { return nil }
                _ = dagrun_epoll_disarm(epoll, fd)   // removed by forget
                return c
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Suspends for `seconds` (monotonic clock, about a millisecond of resolution) without
    /// holding a thread; throws `CancellationError` at once if the task is cancelled.
    func sleep(seconds: Double) async throws {
        let deadline = monotonicNanos() &+ UInt64(max(0, min(seconds, 1e9)) * 1e9)
        let id = lock.withLock { () -> UInt64 in
            nextSleeper &+= 1
            return nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let (cancelled, wake) = lock.withLock { () -> (Bool, Bool) in
                    if Task.isCancelled { return (true, false) }
                    sleepers[id] = c
                    pushDeadline((deadline, id))
                    return (false, deadline < wakingAt)
                }
                if cancelled { c.resume(throwing: CancellationError()) }
                if wake {
                    var one: UInt64 = 1
                    _ = Glibc.write(wakeup, &one, 8)
                }
            }
        } onCancel: {
            let c = lock.withLock { sleepers.removeValue(forKey: id) }
            c?.resume(throwing: CancellationError())
        }
    }

    private func pushDeadline(_ e: (at: UInt64, id: UInt64)) {
        deadlines.append(e)
        var k = deadlines.count - 1
        while k > 0 {
            let parent = (k - 1) / 2
            if deadlines[parent].at <= deadlines[k].at { break }
            deadlines.swapAt(parent, k)
            k = parent
        }
    }

    private func popDeadline() -> (at: UInt64, id: UInt64) {
        let top = deadlines[0]
        let last = deadlines.removeLast()
        if !deadlines.isEmpty {
            deadlines[0] = last
            var k = 0
            while true {
                let l = 2 * k + 1, r = l + 1
                var m = k
                if l < deadlines.count && deadlines[l].at < deadlines[m].at { m = l }
                if r < deadlines.count && deadlines[r].at < deadlines[m].at { m = r }
                if m == k { break }
                deadlines.swapAt(k, m)
                k = m
            }
        }
        return top
    }

    /// Removes `fd` from epoll; call before closing it (descriptor numbers are reused).
    func forget(_ fd: Int32) {
        lock.withLock {
            if registered.remove(fd) != nil { _ = dagrun_epoll_remove(epoll, fd) }
            if let c = waiters.removeValue(forKey: fd) { c.resume(throwing: CancellationError()) }
        }
    }

    private func loop() {
        let capacity = 64
        let ready = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        var due: [CheckedContinuation<Void, any Error>] = []
        while true {
            // Resume the sleepers whose deadline passed; sleep until the next one.
            let now = monotonicNanos()
            let timeout: Int32 = lock.withLock {
                while let first = deadlines.first, first.at <= now {
                    if let c = sleepers.removeValue(forKey: popDeadline().id) { due.append(c) }
                }
                guard let next = deadlines.first else {
                    wakingAt = .max
                    return -1
                }
                wakingAt = next.at
                return Int32(min((next.at - now + 999_999) / 1_000_000, 60_000))   // rounded up: never early
            }
            for c in due { c.resume() }
            due.removeAll(keepingCapacity: true)
            let n = dagrun_epoll_wait(epoll, ready, Int32(capacity), timeout)
            if n < 0 { continue }   // EINTR
            for k in 0..<Int(n) {
                let fd = ready[k]
                if fd == wakeup {
                    var count: UInt64 = 0
                    _ = Glibc.read(wakeup, &count, 8)
                    continue
                }
                let c = lock.withLock { waiters.removeValue(forKey: fd) }
                c?.resume()
            }
        }
    }
}
