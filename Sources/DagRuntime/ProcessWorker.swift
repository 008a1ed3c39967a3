internal import CDagSystem
import DagCore
import DagKernels
import DagTopology
import Glibc

/// dagrun's side of one worker process: a child started with posix_spawn (never fork) of
/// the dagrun executable in its hidden `__worker` mode, pinned to one core, answering
/// task frames of ``WorkerProtocol`` on a socketpair.
///
/// Owned and used by one pinned worker thread, which starts it on its first process task,
/// hands it each process task and blocks on the reply (the core runs the child meanwhile),
/// and stops it when the run ends. A worker that dies or is killed is not reused: the next
/// process task on that thread starts a fresh one.
final class ProcessWorker {
    let pid: pid_t
    let channel: FrameChannel
    /// The CPU the child reported after binding itself, and what went wrong binding, if anything.
    let startCPU: Int32
    let bindError: String?
    private(set) var alive = true

    /// How a task sent to the worker ended.
    enum Reply {
        case value(TaskValue, cpu: Int32)
        case failed(String, cpu: Int32)
        /// The worker died: how (from waitpid), and its last words if it sent any.
        case died(String, lastWords: String?)
        case timedOut
    }

    private init(pid: pid_t, socket: Int32, startCPU: Int32, bindError: String?) {
        self.pid = pid
        self.channel = FrameChannel(fd: socket)
        self.startCPU = startCPU
        self.bindError = bindError
    }

    /// Starts a worker: `executable __worker --socket 3 --core K --parent PID [--no-pin]`,
    /// and waits for its hello frame (at most `startTimeout` seconds).
    static func start(executable: String, core: Int, pin: Bool, startTimeout: Double = 20) throws(WorkerError) -> ProcessWorker {
        var pair: [Int32] = [-1, -1]
        guard dagrun_socketpair_cloexec(&pair) == 0 else { throw .system("socketpair", errno) }
        var childEnd = pair[1]
        let parentEnd = pair[0]
        if childEnd == 3 {
            // dup2(3, 3) would keep close-on-exec set: move it first.
            childEnd = fcntl(3, F_DUPFD_CLOEXEC, 4)
            close(3)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childEnd, 3)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var args = [executable, "__worker", "--socket", "3", "--core", String(core), "--parent", String(getpid())]
        if !pin { args.append("--no-pin") }
        var env: [String] = []
        var e = environ
        while let p = e.pointee {
            let s = String(cString: p)
            if !s.hasPrefix("OPENBLAS_NUM_THREADS=") && !s.hasPrefix("SWIFT_BACKTRACE=") { env.append(s) }
            e += 1
        }
        // One BLAS thread (the worker is one core), and no Swift backtracer on a crash: the
        // worker's death is reported by dagrun, and the backtracer would take seconds.
        env += ["OPENBLAS_NUM_THREADS=1", "SWIFT_BACKTRACE=enable=no"]
        let cArgs = args.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, cArgs, cEnv)
        close(childEnd)
        guard rc == 0 else {
            close(parentEnd)
            throw .system("posix_spawn of worker executable '\(executable)'", rc)
        }
        let channel = FrameChannel(fd: parentEnd)
        do throws(WorkerError) {
            let hello = try channel.receive(deadline: monotonicNanos() + UInt64(startTimeout * 1e9))
            hello.closeDescriptors()
            guard hello.kind == .hello else { throw .protocolViolation("expected a hello frame, got \(hello.kind)") }
            var r = FrameReader(hello.payload)
            _ = try r.u32()
            let cpu = try r.i32()
            let bindError = try r.str()
            return ProcessWorker(pid: pid, socket: parentEnd, startCPU: cpu, bindError: bindError.isEmpty ? nil : bindError)
        } catch {
            close(parentEnd)
            if error != .closed { kill(pid, SIGKILL) }
            let how = reap(pid)
            throw .protocolViolation("'\(executable)' did not start as a dagrun worker (\(how)"
                + (error == .closed ? "" : "; \(error)") + "); the worker executable must be the dagrun binary "
                + "(RunOptions.workerExecutable)")
        }
    }

    /// Sends one task and waits for its reply, at most `timeout` seconds.
    func run(_ request: FrameWriter, timeout: Double?) -> Reply {
        precondition(alive, "a dead worker process was reused")
        do {
            try channel.send(.task, request)
        } catch {
            return .died(terminate(kill: error != .closed), lastWords: nil)
        }
        let deadline = timeout.map { monotonicNanos() &+ UInt64(($0 * 1e9).rounded()) }
        do throws(WorkerError) {
            let f = try channel.receive(deadline: deadline)
            var r = FrameReader(f.payload)
            switch f.kind {
            case .result:
                defer { f.closeDescriptors() }
                let cpu = try r.i32()
                return .value(try Self.decodeValue(&r, fds: f.fds), cpu: cpu)
            case .error:
                f.closeDescriptors()
                let cpu = try r.i32()
                return .failed(try r.str(), cpu: cpu)
            case .lastWords:
                f.closeDescriptors()
                let words = try r.str()
                return .died(terminate(kill: false), lastWords: words)
            case .hello, .task:
                f.closeDescriptors()
                throw .protocolViolation("unexpected \(f.kind) frame from the worker")
            }
        } catch .timedOut {
            _ = terminate(kill: true)
            return .timedOut
        } catch .closed {
            return .died(terminate(kill: false), lastWords: nil)
        } catch {
            return .died(terminate(kill: true) + " after \(error)", lastWords: nil)
        }
    }

    /// Ends the worker: closing the socket makes a healthy one exit; `kill` sends SIGKILL
    /// first. Reaps it and says how it ended.
    @discardableResult
    func terminate(kill hard: Bool) -> String {
        guard alive else { return "already stopped" }
        alive = false
        if hard { kill(pid, SIGKILL) }
        close(channel.fd)
        return Self.reap(pid)
    }

    /// Waits for `pid` (SIGKILL after 2 s if it lingers); "exited with status N" or
    /// "killed by signal N (SIGX)".
    static func reap(_ pid: pid_t) -> String {
        var status: Int32 = 0
        let give = monotonicNanos() + 2_000_000_000
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return describeTermination(status) }
            if r < 0 && errno != EINTR { return "could not be reaped: \(String(cString: strerror(errno)))" }
            if monotonicNanos() > give {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return describeTermination(status) + " (did not exit within 2 s of its socket closing)"
            }
            usleep(200)
        }
    }

    // MARK: Values

    /// Encodes a value: matrices as a memfd descriptor. A matrix not already in shared
    /// memory is copied into a fresh segment, returned in `keepAlive` until the reply.
    static func encodeValue(_ v: TaskValue, into w: inout FrameWriter, keepAlive: inout [SharedMemory]) throws(WorkerError) {
        switch v {
        case .nothing: w.u8(0)
        case .scalar(let d): w.u8(1); w.f64(d)
        case .text(let s): w.u8(2); w.str(s)
        case .matrix(let m):
            let segment: SharedMemory
            if let shared = m.storageOwner as? SharedMemory {
                segment = shared
            } else {
                segment = try SharedMemory.create(byteCount: max(m.byteCount, Matrix.alignment))
                segment.base.copyMemory(from: m.baseAddress, byteCount: m.byteCount)
                keepAlive.append(segment)
            }
            w.u8(3)
            w.u64(UInt64(m.rows))
            w.u64(UInt64(m.cols))
            w.u8(m.isVector ? 1 : 0)
            w.u32(w.attach(segment.fd))
        case .bytes(let b):
            // Raw bytes (an IO result, usually small) go inline in the frame.
            w.u8(5)
            w.u32(UInt32(b.count))
            for byte in b { w.u8(byte) }
        case .luFactors(let f):
            // LU factors: the packed factor matrix (shared memory, as any matrix), then the pivots.
            w.u8(4)
            try encodeValue(.matrix(f.packed), into: &w, keepAlive: &keepAlive)
            w.u32(UInt32(f.pivots.count))
            for p in f.pivots { w.i32(p) }
        case .custom(let c):
            throw .protocolViolation("a \(type(of: c.value)) from a Swift closure cannot cross to a worker process")
        }
    }

    /// Decodes a value; a matrix maps its descriptor (adopting it: closed with the mapping).
    static func decodeValue(_ r: inout FrameReader, fds: [Int32]) throws(WorkerError) -> TaskValue {
        switch try r.u8() {
        case 0: return .nothing
        case 1: return .scalar(try r.f64())
        case 2: return .text(try r.str())
        case 3:
            let rows = Int(try r.u64()), cols = Int(try r.u64())
            let isVector = try r.u8() != 0
            let index = Int(try r.u32())
            guard index < fds.count, rows >= 0, cols >= 0, rows < 1 << 40, cols < 1 << 40 else {
                throw .protocolViolation("matrix \(rows)x\(cols) names descriptor \(index) of \(fds.count)")
            }
            let bytes = max(rows * cols * MemoryLayout<Double>.stride, Matrix.alignment)
            let fd = dup(fds[index])   // each matrix owns its descriptor; the frame's copies are closed by the caller
            guard fd >= 0 else { throw .system("dup of a matrix descriptor", errno) }
            let segment = try SharedMemory.map(fd: fd, byteCount: bytes)
            return .matrix(Matrix(rows: rows, cols: cols, isVector: isVector && cols == 1, adopting: segment.base, owner: segment))
        case 5:
            let count = Int(try r.u32())
            return .bytes(Array(try r.take(count)))
        case 4:
            guard case .matrix(let packed) = try decodeValue(&r, fds: fds) else {
                throw .protocolViolation("LU factors without their matrix")
            }
            let count = Int(try r.u32())
            guard count == packed.rows, packed.rows == packed.cols else {
                throw .protocolViolation("LU factors of a \(packed.rows)x\(packed.cols) matrix with \(count) pivots")
            }
            var pivots: [Int32] = []
            pivots.reserveCapacity(count)
            for _ in 0..<count { pivots.append(try r.i32()) }
            return .luFactors(LUFactors(packed: packed, pivots: pivots))
        case let t:
            throw .protocolViolation("unknown value tag \(t)")
        }
    }
}
