internal import CDagSystem
import Glibc

/// Waits for sockets without holding a thread per socket: one epoll thread for the
/// process resumes the task waiting on each descriptor when it becomes readable or
/// writable. A waiting task is cancellable (its timeout): the wait ends with
/// `CancellationError` and the descriptor is taken out of epoll.
final class Reactor: @unchecked Sendable {
    static let shared = Reactor()

    private let epoll: Int32
    private let lock = ConditionLock()
    private var waiters: [Int32: CheckedContinuation<Void, any Error>] = [:]
    /// Descriptors added to epoll (later waits modify them; ``forget(_:)`` removes them).
    private var registered: Set<Int32> = []

    private init() {
        epoll = dagrun_epoll_create()
        precondition(epoll >= 0, "epoll_create1: \(errnoText())")
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
        while true {
            let n = dagrun_epoll_wait(epoll, ready, Int32(capacity))
            if n < 0 { continue }   // EINTR
            for k in 0..<Int(n) {
                let fd = ready[k]
                let c = lock.withLock { waiters.removeValue(forKey: fd) }
                c?.resume()
            }
        }
    }
}
