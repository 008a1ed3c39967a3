import Glibc

/// Runs IO tasks without holding a compute core, on a small pool of its own threads
/// (created on demand up to `threads`), never on the pinned CPU workers.
///
/// - Blocking calls (file reads and writes, external commands) run as jobs on the pool;
///   the thread sleeps in the kernel while the IO happens.
/// - Waits (`sleep`, async closures) run as Swift concurrency tasks whose executor
///   preference is this pool (it is a `TaskExecutor`): a sleeping task holds no thread,
///   so thousands can be pending at once, and they never depend on the global
///   cooperative pool, which an embedding program may be blocking.
final class IOExecutor: TaskExecutor, @unchecked Sendable {
    private let lock = ConditionLock()
    private let jobAvailable: ConditionLock.Condition
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var threads: [pthread_t] = []
    private var idle = 0
    /// Signals sent to idle threads that have not woken yet: a job wakes a thread only
    /// when an idle one is not already on its way (a burst of jobs costs one futex wake
    /// per sleeping thread, not one per job).
    private var wakeups = 0
    private var stopping = false
    private let maxThreads: Int
    private let name: String

    init(threads: Int, name: String = "dagrun-io") {
        maxThreads = threads
        self.name = name
        jobAvailable = lock.makeCondition()
    }

    /// Threads started so far.
    var threadCount: Int { lock.withLock { threads.count } }

    /// Where the continuations of async IO (waits, HTTP, timeouts, retry delays) run: two
    /// threads for the whole process, created on first use. Shared by runs, so a timer that
    /// fires after its run ended still finds a live executor (a task does not retain its
    /// preferred executor).
    static let waits = IOExecutor(threads: 2, name: "dagrun-wait")

    func runAsync(_ job: @escaping @Sendable () async -> Void) {
        Task(executorPreference: self) { await job() }
    }

    /// Runs a blocking `body` on this pool and resumes the caller (which holds no thread
    /// meanwhile) with its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            runBlocking {
                do { c.resume(returning: try body()) } catch { c.resume(throwing: error) }
            }
        }
    }

    /// `TaskExecutor`: partial tasks of the async IO jobs run on the pool's threads.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        runBlocking { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    func runBlocking(_ job: @escaping @Sendable () -> Void) {
        lock.withLock {
            queue.append(job)
            if idle > wakeups {
                wakeups += 1
                jobAvailable.signal()
            } else if threads.count < maxThreads {
                // Every idle thread already has a job coming: start another, up to the bound.
                threads.append(startThread(name: "\(name)\(threads.count)") { [self] in loop() })
            }
        }
    }

    private func loop() {
        lock.lock()
        while true {
            if head < queue.count {
                let job = queue[head]
                head += 1
                if head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
                lock.unlock()
                job()
                lock.lock()
                continue
            }
            if stopping { break }
            idle += 1
            jobAvailable.wait()
            idle -= 1
            if wakeups > 0 { wakeups -= 1 }
        }
        lock.unlock()
    }

    /// Stops the pool after the queued jobs ran; joins its threads.
    func shutdown() {
        let toJoin = lock.withLock {
            stopping = true
            wakeups = idle
            jobAvailable.broadcast()
            return threads
        }
        for t in toJoin { pthread_join(t, nil) }
    }
}
