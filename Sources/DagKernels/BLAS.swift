/// Process-wide control of the OpenBLAS library.
///
/// ## How OpenBLAS 0.3.21 (pthreads build) uses threads
///
/// Measured on Debian 12's `libopenblas0-pthread` (DYNAMIC_ARCH,
/// NO_AFFINITY, MAX_THREADS=64) and consistent with its `blas_server.c`:
///
/// - **The pool exists before `main`.** A library constructor reads
///   `OPENBLAS_NUM_THREADS` (then `GOTO_NUM_THREADS`, then `OMP_NUM_THREADS`,
///   else the number of online CPUs; capped at the CPU count) and starts
///   that many minus one worker threads when the library is loaded, whether
///   or not BLAS is ever called. With `OPENBLAS_NUM_THREADS=1` in the
///   environment no pool thread exists.
/// - **`openblas_set_num_threads(1)` does not stop the pool.** It only sets
///   the global count that later calls read; the pool threads stay alive,
///   asleep on a condition variable. Raising the count above the pool size
///   starts more threads (up to MAX_THREADS, even beyond the CPU count), and
///   the pool never shrinks: after `set(8)`, `set(0)` ("default") means 8.
///   ``stopThreadPool()`` (OpenBLAS's `blas_thread_shutdown_`) ends it.
/// - **Idle pool threads spin first.** After finishing a job a pool thread
///   busy-waits for about 2^28 TSC ticks (~0.1 s; `OPENBLAS_THREAD_TIMEOUT`
///   sets the exponent, 4...30) before sleeping, and eats a full core
///   meanwhile. A scheduler whose own workers already fill the
///   cores must therefore keep OpenBLAS at one thread.
/// - **The setting is global, not per calling thread.** It applies to every
///   thread of the process, and changing it while another thread is inside
///   BLAS is a data race in OpenBLAS; set it once, before workers start.
/// - **Single-threaded calls from many threads are safe** and run fully in
///   parallel, each on its caller's thread, using a per-call buffer from a
///   table sized 2 x MAX_THREADS; past that OpenBLAS prints
///   "precompiled NUM_THREADS exceeded, adding auxiliary array" and goes on.
public enum BLAS {
    /// Makes every later OpenBLAS call run entirely on the thread that
    /// makes it (`openblas_set_num_threads(1)`), for all threads.
    ///
    /// Call once, before any worker thread starts calling kernels: the
    /// setting is process-wide and OpenBLAS does not synchronize changes to
    /// it with calls in flight. Idempotent. The pool threads created at load
    /// time remain, asleep (see the type documentation).
    public static func useSingleThread() {
        OpenBLASCalls.setThreadCount(1)
    }

    /// Ends the thread pool OpenBLAS started when it loaded (see the type documentation),
    /// for a process that will not call BLAS, or only single-threaded: its threads would
    /// otherwise busy-wait on the other cores for ~0.1 s first. Measured here: `dagrun
    /// validate` of a 1M-task file spent 0.15-0.19 s of system CPU with the pool spinning
    /// beside it and 0.05-0.06 s without; stopping the pool takes ~0.1 ms. Call it before
    /// any BLAS call, from one thread; a later call asking for more threads starts a new pool.
    public static func stopThreadPool() {
        OpenBLASCalls.stopThreadPool()
    }

    /// Lets later OpenBLAS calls use up to `count` threads (`openblas_set_num_threads`), for
    /// every thread of the process. Only safe while no other thread is inside BLAS: the
    /// runtime calls it for a core-group task while every other worker is paused, and sets
    /// one thread again before they resume.
    public static func setThreadCount(_ count: Int) {
        OpenBLASCalls.setThreadCount(max(1, count))
    }

    /// The number of threads a BLAS call may use (`openblas_get_num_threads`).
    public static var threadCount: Int { OpenBLASCalls.threadCount() }

    /// The number of CPUs OpenBLAS detected (`openblas_get_num_procs`).
    public static var processorCount: Int { OpenBLASCalls.processorCount() }

    /// How the loaded OpenBLAS was built to run in parallel.
    public enum Parallelism: Sendable, Equatable {
        case sequential, pthreads, openMP, unknown(Int)
    }

    /// The loaded library's threading model (`openblas_get_parallel`).
    public static var parallelism: Parallelism {
        switch OpenBLASCalls.parallelMode() {
        case 0: .sequential
        case 1: .pthreads
        case 2: .openMP
        case let other: .unknown(other)
        }
    }

    /// The build options and the kernel set chosen for this CPU, e.g.
    /// "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 (core: Zen)".
    ///
    /// `openblas_get_config` followed by `openblas_get_corename`; read once.
    public static var configuration: String {
        "\(OpenBLASCalls.buildConfiguration.trimmingSpaces) (core: \(OpenBLASCalls.coreName))"
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
