import Synchronization

/// Stops one attempt of a blocking IO op from another thread (its timeout).
///
/// A blocking op cannot be interrupted from outside, so it cooperates: file ops call
/// ``OpInput/checkCancelled()`` between chunks, and an op that waits on something it can
/// stop (a child process) registers a handler with ``whenCancelled(_:)`` that stops it
/// (kills the process group); the handler runs at most once, on the cancelling thread, or
/// at once if the token was already cancelled.
public final class CancelToken: Sendable {
    private struct State {
        var cancelled = false
        var reason = ""
        var handler: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
    public var reason: String { state.withLock { $0.reason } }

    /// Marks the attempt stopped and runs the registered handler, if any.
    public func cancel(reason: String) {
        let handler: (@Sendable () -> Void)? = state.withLock { s in
            guard !s.cancelled else { return nil }
            s.cancelled = true
            s.reason = reason
            flag.store(true, ordering: .releasing)
            defer { s.handler = nil }
            return s.handler
        }
        handler?()
    }

    /// Registers how to stop the blocking wait in progress; runs it now if already cancelled.
    public func whenCancelled(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.cancelled { return true }
            s.handler = handler
            return false
        }
        if runNow { handler() }
    }

    /// Drops the handler (the wait is over; what it would stop may no longer exist).
    /// Serialised with ``cancel(reason:)``: once this returns, the handler will not run.
    public func clearHandler() {
        state.withLock { $0.handler = nil }
    }
}

/// Admission of IO tasks: at most `limit` in flight (running an attempt, or waiting
/// between attempts); the others wait here in the order they became ready. Holding no
/// thread while they wait, a pending task costs one `Int32`.
final class IOGate: @unchecked Sendable {
    let limit: Int
    private let lock = ConditionLock()
    private var inFlight = 0
    private var waiting: [Int32] = []
    private var head = 0
    /// The most tasks ever in flight at once (for tests and the summary).
    private(set) var peak = 0

    init(limit: Int) { self.limit = max(1, limit) }

    /// True when `t` may start now; otherwise it is queued and returned by a later ``release()``.
    func admit(_ t: Int32) -> Bool {
        lock.withLock {
            if inFlight < limit {
                inFlight += 1
                if inFlight > peak { peak = inFlight }
                return true
            }
            waiting.append(t)
            return false
        }
    }

    /// A task in flight finished: returns the next waiting task, which takes its slot.
    func release() -> Int32? {
        lock.withLock {
            if head < waiting.count {
                let t = waiting[head]
                head += 1
                if head == waiting.count { waiting.removeAll(keepingCapacity: true); head = 0 }
                return t
            }
            inFlight -= 1
            return nil
        }
    }

    var peakInFlight: Int { lock.withLock { peak } }
}

/// Delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed:
/// 0.1 s × 2^(attempt − 1), capped at 10 s, times a uniform jitter in [0.5, 1]
/// ("equal jitter": retries of tasks that failed together spread out, and the delay
/// never falls below half the exponential step).
func retryDelay(afterAttempt attempt: Int, jitter: Double = Double.random(in: 0.5...1.0)) -> Double {
    let step = 0.1 * Double(1 << min(attempt - 1, 20))
    return min(step, 10) * jitter
}
