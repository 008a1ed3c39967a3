import Glibc

/// Whole-file reads and atomic writes: a write goes to a temporary file in the target's
/// directory, is flushed with fsync, then renamed over the target, so a failed or
/// interrupted run never leaves a half-written output.
public enum AtomicFile {
    /// Bytes written or read between two checks of a cancellation token.
    static let chunk = 1 << 20

    /// Writes `bytes` to `path` atomically (temporary file, fsync, rename). `cancellation`
    /// is checked between chunks of 1 MiB and before the rename: a stopped write leaves
    /// the old file (or none), never part of the new one.
    public static func write(_ bytes: [UInt8], to path: String, cancellation: CancelToken? = nil) throws(OpError) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        try makeDirectories(dir)
        var template = Array("\(dir.isEmpty ? "/" : dir)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw OpError("cannot write '\(path)': \(errnoText()) (creating a temporary file in '\(dir)')") }
        let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        var written = 0
        while written < bytes.count {
            if let c = cancellation, c.isCancelled {
                close(fd)
                throw OpError("writing '\(path)' stopped: \(c.reason)")
            }
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, min($0.count - written, chunk)) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errnoText()
                close(fd)
                throw OpError("cannot write '\(path)': \(e)")
            }
            written += n
        }
        fchmod(fd, 0o644)
        if fsync(fd) != 0 || close(fd) != 0 {
            throw OpError("cannot write '\(path)': \(errnoText()) (flushing)")
        }
        if let c = cancellation, c.isCancelled { throw OpError("writing '\(path)' stopped: \(c.reason)") }
        guard rename(tmp, path) == 0 else {
            throw OpError("cannot write '\(path)': \(errnoText()) (renaming the finished temporary file)")
        }
        ok = true
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    static func makeDirectories(_ path: String) throws(OpError) {
        guard !path.isEmpty, path != "." , path != "/" else { return }
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw OpError("cannot create directory '\(path)': a file is in the way") }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw OpError("cannot create directory '\(path)': \(errnoText())")
        }
    }

    public static func read(_ path: String, cancellation: CancelToken? = nil) throws(OpError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OpError("cannot read '\(path)': \(errnoText())") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var sinceCheck = 0
        while true {
            if sinceCheck >= Self.chunk, let c = cancellation {
                sinceCheck = 0
                if c.isCancelled { throw OpError("reading '\(path)' stopped: \(c.reason)") }
            }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw OpError("cannot read '\(path)': \(errnoText())")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            sinceCheck += n
        }
    }

    public static func readText(_ path: String, cancellation: CancelToken? = nil) throws(OpError) -> String {
        let bytes = try read(path, cancellation: cancellation)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw OpError("'\(path)' is not valid UTF-8 text")
        }
        return s
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
