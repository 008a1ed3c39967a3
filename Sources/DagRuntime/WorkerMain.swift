internal import CDagSystem
import DagCore
import DagKernels
import DagTopology
import Glibc

/// The worker process's side of ``WorkerProtocol``: what `dagrun __worker` runs.
///
/// It makes sure it dies with the dagrun thread that started it (PR_SET_PDEATHSIG, and a
/// check that the parent is still the one that spawned it), binds itself to its core with
/// hwloc, says hello, and then runs task frames one at a time with the standard op
/// library until its socket reaches end of stream. Every matrix it creates lives in a memfd
/// (``SharedMatrixProvider``), so a result goes back as a descriptor, never as bytes.
///
/// `max_memory` is enforced with RLIMIT_AS around the task: the soft limit is set to the
/// address space in use when the task starts (runtime, libraries, mapped inputs) plus the
/// task's allowance, and restored afterwards. RLIMIT_AS rather than RLIMIT_DATA because
/// matrices live in shared mappings, which RLIMIT_DATA (private writable memory) does not
/// count; the address space counts everything: Swift's allocator (glibc malloc, from the
/// heap or mmap), OpenBLAS buffers and the memfd matrices. An allocation past the limit
/// fails with ENOMEM: a matrix allocation then reports the limit and exits, and a Swift
/// allocation traps, which the fatal-signal handler turns into last words naming the limit.
public enum WorkerProcess {
    /// Runs the worker loop on descriptor `socket`; never returns.
    public static func main(socket: Int32, core: Int, pin: Bool, parent: Int32) -> Never {
        _ = dagrun_set_parent_death_signal(SIGKILL)
        if getppid() != parent { exit(0) }   // the parent died before the line above
        _ = dagrun_last_words_install()
        BLAS.useSingleThread()
        let channel = FrameChannel(fd: socket)
        var bindError = ""
        if pin {
            do {
                let topology = try HardwareTopology.host()
                if topology.cores.indices.contains(core) {
                    try topology.bindCurrentThread(to: topology.cores[core])
                } else {
                    bindError = "worker process \(getpid()) cannot bind itself to core \(core): the machine has \(topology.cores.count) cores"
                }
            } catch {
                bindError = "worker process \(getpid()) could not bind itself to core \(core): \(error)"
            }
        }
        var hello = FrameWriter()
        hello.u32(UInt32(getpid()))
        hello.i32(Int32(CPU.current()))
        hello.str(bindError)
        do { try channel.send(.hello, hello) } catch { exit(0) }
        var rlimitAS = rlimit()
        getrlimit(Int32(RLIMIT_AS.rawValue), &rlimitAS)
        let original = rlimitAS
        while true {
            let frame: Frame
            do { frame = try channel.receive() } catch { exit(0) }  // end of stream: dagrun is done with us
            guard frame.kind == .task else {
                frame.closeDescriptors()
                FileDescriptorOutput.standardError("dagrun worker: unexpected \(frame.kind) frame; exiting\n")
                exit(70)
            }
            var reply = FrameWriter()
            var kind = WorkerProtocol.Kind.result
            do {
                var value: TaskValue? = try runTask(frame, channel: channel, original: original)
                reply.i32(Int32(CPU.current()))
                var keep: [SharedMemory] = []
                try ProcessWorker.encodeValue(value!, into: &reply, keepAlive: &keep)
                // Release the result here, in the task's time, not while dagrun already sends
                // the next task: unmapping a written 64 MiB matrix takes milliseconds. The
                // descriptors sent are duplicates, closed once the reply is out.
                reply.fds = reply.fds.map { dup($0) }
                value = nil
                keep = []
                defer { for fd in reply.fds { close(fd) } }
                try channel.send(.result, reply)
                continue
            } catch let failure as TaskFailureText {
                kind = .error
                reply = FrameWriter()
                reply.i32(Int32(CPU.current()))
                reply.str(failure.text)
            } catch {
                kind = .error
                reply = FrameWriter()
                reply.i32(Int32(CPU.current()))
                reply.str(String(describing: error))
            }
            do { try channel.send(kind, reply) } catch { exit(0) }
        }
    }

    struct TaskFailureText: Error { var text: String }

    /// Decodes and runs one task; its result, or a thrown failure.
    static func runTask(_ frame: Frame, channel: FrameChannel, original: rlimit) throws -> TaskValue {
        var r = FrameReader(frame.payload)
        // Each matrix maps a duplicate of its descriptor; the frame's own are closed here.
        defer { frame.closeDescriptors() }
        let taskID = try r.str()
        let op = try r.str()
        let attempt = Int(try r.u32())
        let maxMemory = Int(try r.u64())
        let baseDirectory = try r.str()
        var args: [String: ArgValue] = [:]
        for _ in 0..<Int(try r.u32()) {
            let name = try r.str()
            args[name] = try r.arg()
        }
        var inputs: [TaskValue] = []
        var ids: [String] = []
        for _ in 0..<Int(try r.u32()) {
            ids.append(try r.str())
            inputs.append(try ProcessWorker.decodeValue(&r, fds: frame.fds))
        }
        guard case .sync(let body)? = OpLibrary.standard[op] else {
            throw TaskFailureText(text: "op '\(op)' cannot run in a worker process (only the standard library's synchronous ops can)")
        }
        let task = DetachedTask(taskID: taskID, args: Args(args), inputs: inputs, inputIDs: ids,
                                baseDirectory: baseDirectory, attempt: attempt)
        let limitText = maxMemory > 0 ? "max_memory of \(formatBytes(maxMemory))" : ""
        let provider = SharedMatrixProvider { bytes, error in
            var words = FrameWriter()
            var outOfMemory = false
            if case .system(_, ENOMEM) = error { outOfMemory = maxMemory > 0 }
            words.str(outOfMemory
                      ? "the task exceeded its \(limitText): a \(formatBytes(bytes)) matrix could not be mapped"
                      : "cannot allocate a \(formatBytes(bytes)) matrix in shared memory: \(error)")
            try? channel.send(.lastWords, words)
            exit(71)
        }
        if maxMemory > 0 {
            var words = FrameWriter()
            words.str("the task exceeded its \(limitText) (address space beyond the worker's \(formatBytes(addressSpaceInUse())) at its start): an allocation failed")
            let frameBytes = words.header(.lastWords) + words.bytes
            frameBytes.withUnsafeBytes { dagrun_last_words_arm(channel.fd, $0.baseAddress, $0.count) }
            var limit = original
            let wanted = addressSpaceInUse() + maxMemory
            limit.rlim_cur = min(rlim_t(wanted), original.rlim_max)   // RLIM_INFINITY is the largest value
            setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        }
        defer {
            if maxMemory > 0 {
                var restore = original
                setrlimit(Int32(RLIMIT_AS.rawValue), &restore)
                dagrun_last_words_disarm()
            }
        }
        do {
            return try Matrix.allocating(with: provider) { try body(OpInput(task)) }
        } catch {
            throw TaskFailureText(text: String(describing: error))
        }
    }

    /// Bytes of address space mapped now (the first field of /proc/self/statm, in pages).
    static func addressSpaceInUse() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        let pages = buf[0..<n].prefix { $0 >= 48 && $0 <= 57 }.reduce(0) { $0 * 10 + Int($1 - 48) }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// "64 MiB", "1.5 GiB", "512 B" (negative counts as 0).
func formatBytes(_ n: Int) -> String { HardwareTopology.formatBytes(UInt64(max(n, 0))) }

enum FileDescriptorOutput {
    static func standardError(_ s: String) {
        var s = s
        s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
