import DagCore
import DagKernels

/// IO tasks: admission, attempts, timeouts and retries.
///
/// ## The executor, and why not SwiftNIO
/// IO tasks run on Swift concurrency with two executors of dagrun's own
/// (``IOExecutor``), never on the pinned CPU workers or the global cooperative pool:
/// - **waits** (`sleep`, `http_get`, async closures, timeouts, retry delays) are tasks
///   whose executor preference is ``IOExecutor/waits``, two threads for the process. A
///   waiting task is a suspended continuation (a few hundred bytes), not a thread. Sockets
///   and timers wait in one epoll ``Reactor`` thread. Figure (`Benchmarks/run-io-bench`,
///   this 2-core machine, load average about 2): 10,000 concurrent `sleep 0.1` tasks take
///   0.23 s of process wall time, start to exit (0.16 s from the workers being up to the
///   last wake-up), with 7 threads in the process at most (main, 2 CPU workers, 2 wait
///   threads, the reactor, OpenBLAS's one spare); Python 3.11's asyncio gathering the same
///   sleeps: 0.43 s on its one thread. (Under a load average of 6.6: 0.27–0.32 s.)
/// - **blocking calls** (file reads and writes, external commands, name lookups) run on the
///   run's blocking pool (``RunOptions/ioThreads``, 8 by default), which a waiting task
///   hops onto and back from.
///
/// SwiftNIO (with AsyncHTTPClient 1.37) would give the same shape, an event loop per core
/// with blocking work offloaded to a thread pool, and TLS; but it adds swift-nio,
/// swift-nio-ssl (BoringSSL, hundreds of C files), swift-nio-http2, swift-nio-extras,
/// swift-log, swift-atomics, swift-collections and swift-algorithms to every clean build
/// (minutes on this 2-core machine; dagrun's whole release build of dagrun alone takes
/// about 2.5 minutes today) for what dagrun needs: plain-HTTP GETs and timers. The waits
/// here cost no more threads than NIO's event loops would (2 wait threads + 1 reactor,
/// against one loop thread per core plus NIO's blocking pool), so dagrun keeps to the
/// standard library and Glibc; the price is no TLS: `http_get` takes http:// URLs only.
///
/// ## Bounded concurrency
/// At most ``RunOptions/ioConcurrency`` IO tasks are in flight; the rest wait in an
/// ``IOGate`` queue (an `Int32` each, no thread, no task object).
///
/// ## Timeouts and retries
/// A task's `timeout` bounds each attempt: async ops are cancelled (a sleep ends, a socket
/// wait is abandoned and the socket closed), blocking ops get their ``CancelToken``
/// cancelled (file ops stop at the next chunk of 1 MiB, an external command's process
/// group is killed with SIGKILL). The attempt fails with "timed out after T s" once it has
/// actually stopped. After a failed attempt, `retries` more are made, the k-th after a
/// delay of 0.1 s × 2^(k−1), capped at 10 s, times a uniform jitter in [0.5, 1]
/// (``retryDelay(afterAttempt:jitter:)``); the delay holds no thread. The record keeps
/// the attempt it ended on (``ExecutionRecord/attempt``), and the failure of the last
/// attempt says how many were made.
extension Run {
    func startIO(_ t: Int32) {
        let body = closures[t] ?? bodies[JoinRecords.op(join.flags(Int(t)))]
        let policy = graph.hasRunPolicies ? graph.runPolicy(of: Int(t)) : .default
        if policy.timeout == nil && policy.retries == 0, case .sync(let f) = body {
            // One attempt that nothing stops: straight onto the blocking pool.
            let input = OpInput(run: self, task: t)
            // A result a process task reads is made in shared memory right away.
            let shared = taskFlags.map { $0[Int(t)] & Run.sharedResult != 0 } ?? false
            io.runBlocking { [self] in
                let begin = now()
                let outcome: Outcome
                do {
                    outcome = .done(shared ? try Matrix.allocating(with: sharedMatrices) { () throws -> TaskValue in try f(input) }
                                           : try f(input))
                } catch {
                    outcome = .failed(error)
                }
                finishIO(t, outcome, begin: begin)
            }
            return
        }
        IOExecutor.waits.runAsync { [self] in
            let begin = now()
            let outcome = await attemptIO(t, body, policy)
            finishIO(t, outcome, begin: begin)
        }
    }

    /// Runs attempts until one succeeds or `retries + 1` have failed.
    func attemptIO(_ t: Int32, _ body: OpBody, _ policy: TaskRunPolicy) async -> Outcome {
        let tries = policy.retries + 1
        var attempt = 1
        while true {
            let result = await oneAttempt(t, body, timeout: policy.timeout)
            switch result {
            case .success(let value):
                ioAttempts[Int(t)] = UInt8(min(attempt, 255))
                return .done(value)
            case .failure(let error):
                if attempt >= tries {
                    ioAttempts[Int(t)] = UInt8(min(attempt, 255))
                    return .failed(tries > 1 ? OpError("\(error) (gave up after \(attempt) attempts)") : error)
                }
                try? await Reactor.shared.sleep(seconds: retryDelay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }

    private enum Race: Sendable {
        case finished(Result<TaskValue, any Error>)
        case timer
    }

    /// One attempt, stopped after `timeout` seconds if it has not finished.
    func oneAttempt(_ t: Int32, _ body: OpBody, timeout: Double?) async -> Result<TaskValue, any Error> {
        guard let timeout else { return await perform(body, OpInput(run: self, task: t)) }
        let token = CancelToken()
        let input = OpInput(run: self, task: t, cancellation: token)
        return await withTaskGroup(of: Race.self) { group in
            group.addTask { await .finished(self.perform(body, input)) }
            group.addTask {
                try? await Reactor.shared.sleep(seconds: timeout)
                return .timer
            }
            let first = await group.next()!
            if case .finished(let result) = first {
                group.cancelAll()
                return result
            }
            let why = "timed out after \(timeout) s"
            token.cancel(reason: why)
            group.cancelAll()
            _ = await group.next()   // the attempt has stopped: nothing of it outlives the task
            return .failure(OpError(why))
        }
    }

    func perform(_ body: OpBody, _ input: OpInput) async -> Result<TaskValue, any Error> {
        switch body {
        case .async(let f):
            do { return .success(try await f(input)) } catch { return .failure(error) }
        case .sync(let f):
            let token = input.cancellation
            let shared = taskFlags.map { $0[Int(input.task)] & Run.sharedResult != 0 } ?? false
            do {
                return .success(try await withTaskCancellationHandler {
                    try await io.run {
                        shared ? try Matrix.allocating(with: self.sharedMatrices) { () throws -> TaskValue in try f(input) }
                               : try f(input)
                    }
                } onCancel: {
                    token?.cancel(reason: "the attempt was cancelled")
                })
            } catch {
                return .failure(error)
            }
        }
    }
}
