import DagrunKit
import Glibc

/// Writes a DOT drawing: as DOT text, or rendered by Graphviz's `dot` when the path ends
/// in .svg, .png or .pdf (written atomically: a temporary file renamed into place).
enum Drawing {
    static let renderedFormats = ["svg", "png", "pdf"]

    static func write(dot: String, to path: String, what: String) throws {
        let ext = path.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        guard renderedFormats.contains(ext), path.contains(".") else {
            try writeOutput(dot, to: path, what: what)
            return
        }
        let source = path + ".dagrun-\(getpid()).dot", rendered = path + ".dagrun-\(getpid()).\(ext)"
        defer { unlink(source); unlink(rendered) }
        try writeOutput(dot, to: source, what: what)
        let status = spawnAndWait(["dot", "-T\(ext)", "-o", rendered, source])
        switch status {
        case .notFound:
            printError("error: cannot draw \(what) as .\(ext): Graphviz's `dot` is not installed "
                       + "(Debian: apt-get install graphviz); give a .dot path to write the DOT text instead")
            throw ExitWith(code: 2)
        case .failed(let why):
            printError("error: Graphviz's `dot` could not draw the \(what): \(why)")
            throw ExitWith(code: 2)
        case .ok:
            if rename(rendered, path) != 0 {
                printError("error: cannot write the \(what) to '\(path)': \(String(cString: strerror(errno)))")
                throw ExitWith(code: 2)
            }
        }
    }

    enum SpawnResult { case ok, notFound, failed(String) }

    /// Runs `argv` (found on PATH) with standard output discarded; its standard error passes through.
    static func spawnAndWait(_ argv: [String]) -> SpawnResult {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, environ)
        if rc == ENOENT { return .notFound }
        if rc != 0 { return .failed(String(cString: strerror(rc))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        if exited && code == 0 { return .ok }
        return .failed(exited ? "exit status \(code)" : "killed by signal \(status & 0x7f)")
    }
}
