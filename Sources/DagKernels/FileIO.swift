#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every system call the module makes, in one place: whole-file reads and
/// atomic whole-file replacement. `EINTR` is retried; every other failure
/// becomes an ``NPYError`` of kind `.io` naming the path, the step, and the
/// system's explanation.
enum FileIO {
    /// A step of ``writeAtomically(_:to:failingAfter:)`` after which tests
    /// can inject a failure, to check that nothing is left behind.
    enum WriteStep: Sendable {
        case createdTemporary, wroteData, syncedData
    }

    /// The whole content of the file at `path`.
    static func readAll(path: String) throws(NPYError) -> [UInt8] {
        let fd = try retryingEINTR(path, "cannot open it for reading") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(fd) }
        var status = stat()
        _ = try retryingEINTR(path, "cannot inspect it") { fstat(fd, &status) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = try retryingEINTR(path, "cannot read it") {
                chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            }
            if got == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<got])
        }
    }

    /// Replaces the file at `path` with `bytes`, all or nothing.
    ///
    /// The bytes go to a new temporary file in the same directory (so the
    /// final `rename` stays within one file system and is atomic), which is
    /// fsynced, closed and renamed over `path`; the directory is then
    /// fsynced, best effort, so the rename itself survives a crash. If any
    /// step before the rename fails, the temporary file is removed and
    /// whatever was at `path` is untouched. Readers see the old file or the
    /// new one, never a mixture.
    ///
    /// - Parameter failingAfter: test seam; throws as if the system call
    ///   after that step had failed with `EIO`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, failingAfter injected: WriteStep? = nil) throws(NPYError) {
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw NPYError(.io, path: path, message: "is not a file name (it names a directory)", errno: EISDIR)
        }
        let (temporary, fd) = try createTemporary(directory: directory, name: name, for: path)
        var descriptorOpen = true
        do throws(NPYError) {
            try inject(injected, at: .createdTemporary, path)
            try writeAll(bytes, to: fd, path: path)
            try inject(injected, at: .wroteData, path)
            _ = try retryingEINTR(path, "cannot flush the new data to disk") { fsync(fd) }
            try inject(injected, at: .syncedData, path)
            descriptorOpen = false
            if close(fd) != 0 {
                throw failure(path, "cannot close the temporary file \(temporary)")
            }
            _ = try retryingEINTR(path, "cannot replace it with the new file") { rename(temporary, path) }
        } catch {
            if descriptorOpen { _ = close(fd) }
            _ = unlink(temporary)
            throw error
        }
        syncDirectory(directory)
    }

    // MARK: Steps

    /// Creates `directory/.name.tmp-<pid>-<random>` exclusively.
    private static func createTemporary(directory: String, name: String, for path: String) throws(NPYError) -> (String, Int32) {
        var attempts = 0
        while true {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(suffix)"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { return (temporary, fd) }
            let code = errno
            attempts += 1
            if code == EINTR || (code == EEXIST && attempts < 100) { continue }
            throw failure(path, "cannot create a temporary file in '\(directory)'", code: code)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(NPYError) {
        var offset = 0
        while offset < bytes.count {
            offset += try retryingEINTR(path, "cannot write the data") {
                bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
        }
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    private static func inject(_ injected: WriteStep?, at step: WriteStep, _ path: String) throws(NPYError) {
        if injected == step {
            throw failure(path, "injected failure after step \(step)", code: EIO)
        }
    }

    // MARK: Helpers

    /// ("dir", "name") for "dir/name", (".", "name") for "name", ("/", "name") for "/name".
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Runs `call` until it returns something other than -1 with `EINTR`.
    private static func retryingEINTR<Result: BinaryInteger>(
        _ path: String, _ what: String, _ call: () -> Result
    ) throws(NPYError) -> Result {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code != EINTR { throw failure(path, what, code: code) }
        }
    }

    private static func failure(_ path: String, _ what: String, code: Int32 = errno) -> NPYError {
        let reason = String(cString: strerror(code))
        return NPYError(.io, path: path, message: "\(what): \(reason) (errno \(code))", errno: code)
    }
}
