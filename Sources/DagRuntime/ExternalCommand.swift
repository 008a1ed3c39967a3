internal import CDagSystem
import Glibc

/// An external command run as a child process with posix_spawn (never fork of this
/// multithreaded process): no shell, argv as given, PATH searched for the program,
/// stdin from /dev/null, stdout and stderr captured through unlinked temporary files
/// (so a chatty child can never block on a full pipe).
public struct ExternalCommand {
    public struct Result: Sendable {
        public var argv: [String]
        public var status: Int32
        public var signal: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]

        /// Throws unless the command exited with status 0; the message quotes the end of stderr.
        public func check() throws(OpError) {
            guard status != 0 || signal != 0 else { return }
            let how = signal != 0 ? "was killed by signal \(signal)" : "exited with status \(status)"
            var tail = String(decoding: stderr.suffix(600), as: UTF8.self)
            while tail.last?.isNewline == true { tail.removeLast() }
            throw OpError("command \(ExternalCommand.quote(argv)) \(how)" + (tail.isEmpty ? "" : "; stderr: \(tail)"))
        }
    }

    static func quote(_ argv: [String]) -> String {
        "'" + argv.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ") + "'"
    }

    /// Runs `argv` to completion. `env` entries (`KEY=VALUE`) are set or override in the
    /// inherited environment. The child leads its own process group; when `cancellation`
    /// is cancelled (a timeout) the whole group is killed with SIGKILL, so a shell's
    /// children die with it, and the run throws.
    public static func run(argv: [String], cwd: String?, env: [String] = [],
                           cancellation: CancelToken? = nil) throws(OpError) -> Result {
        precondition(!argv.isEmpty)
        if let c = cancellation, c.isCancelled { throw OpError("\(quote(argv)) not started: \(c.reason)") }
        if let cwd {
            var st = stat()
            guard stat(cwd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw OpError("cannot run \(quote(argv)): working directory '\(cwd)' does not exist")
            }
        }
        let out = try captureFile()
        defer { close(out) }
        let err = try captureFile()
        defer { close(err) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1)
        posix_spawn_file_actions_adddup2(&actions, err, 2)
        if let cwd { dagrun_spawn_addchdir(&actions, cwd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var cEnv: [UnsafeMutablePointer<CChar>?] = []
        if !env.isEmpty {
            let keys = Set(env.map { String($0.prefix { $0 != "=" }) })
            var p = environ
            while let entry = p.pointee {
                let text = String(cString: entry)
                if !keys.contains(String(text.prefix { $0 != "=" })) { cEnv.append(strdup(entry)) }
                p += 1
            }
            cEnv += env.map { strdup($0) }
            cEnv.append(nil)
        }
        defer { for p in cEnv { free(p) } }
        var pid = pid_t()
        let rc = env.isEmpty ? posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, environ)
                             : posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
        guard rc == 0 else {
            throw OpError("cannot run \(quote(argv)): \(errnoText(rc))"
                          + (rc == ENOENT ? " (is '\(argv[0])' installed and on PATH?)" : ""))
        }
        let child = pid
        cancellation?.whenCancelled { _ = kill(-child, SIGKILL) }
        // Wait for the exit without reaping (WNOWAIT): until the zombie is reaped its pid and
        // process group cannot be reused, so a late kill can never hit another process.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 {
            guard errno == EINTR else { break }
        }
        cancellation?.clearHandler()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw OpError("waiting for \(quote(argv)): \(errnoText())") }
        }
        if let c = cancellation, c.isCancelled {
            _ = kill(-child, SIGKILL)   // what the shell left behind in its group
            throw OpError("\(quote(argv)) was killed: \(c.reason)")
        }
        // POSIX wait-status layout (WIFEXITED/WEXITSTATUS/WTERMSIG are macros Swift cannot import).
        let signal = status & 0x7f
        let code = (status >> 8) & 0xff
        return Result(argv: argv, status: signal == 0 ? code : 0, signal: signal,
                      stdout: try readAll(out), stderr: try readAll(err))
    }

    /// An unlinked temporary file opened for reading and writing.
    private static func captureFile() throws(OpError) -> Int32 {
        var template = Array("/tmp/dagrun-exec-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { dagrun_mkostemp_cloexec($0.baseAddress!) }
        guard fd >= 0 else { throw OpError("cannot create a capture file in /tmp: \(errnoText())") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    private static func readAll(_ fd: Int32) throws(OpError) -> [UInt8] {
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0, lseek(fd, 0, SEEK_SET) == 0 else { throw OpError("reading captured output: \(errnoText())") }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(got)) }
            if n < 0 { if errno == EINTR { continue }; throw OpError("reading captured output: \(errnoText())") }
            if n == 0 { break }
            got += n
        }
        return Array(bytes[0..<got])
    }
}
