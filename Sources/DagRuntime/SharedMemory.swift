internal import CDagSystem
import DagKernels
import Glibc

/// A memfd-backed shared-memory segment mapped into this process: anonymous (nothing on
/// disk, gone when the last descriptor and mapping are), passed to a worker process as a
/// descriptor over its socket (SCM_RIGHTS) and mapped there too, so a matrix crosses
/// between processes without a copy.
///
/// Owns the descriptor and the mapping; `deinit` unmaps and closes. A ``Matrix`` over a
/// segment keeps it as its ``Matrix/storageOwner``.
public final class SharedMemory: @unchecked Sendable {
    /// The memfd (close-on-exec).
    public let fd: Int32
    public let base: UnsafeMutableRawPointer
    /// Mapped bytes (at least one page).
    public let byteCount: Int

    /// A new zero-filled segment of `byteCount` bytes (memfd_create, ftruncate, mmap).
    public static func create(byteCount: Int) throws(WorkerError) -> SharedMemory {
        let fd = dagrun_memfd_create("dagrun-matrix")
        guard fd >= 0 else { throw .system("memfd_create", errno) }
        let size = max(byteCount, 1)
        guard ftruncate(fd, off_t(size)) == 0 else {
            let e = errno
            close(fd)
            throw .system("ftruncate of a \(size)-byte memfd", e)
        }
        return try map(fd: fd, byteCount: size)
    }

    /// Maps `byteCount` bytes of a received segment; takes ownership of `fd` (closed on failure).
    public static func map(fd: Int32, byteCount: Int) throws(WorkerError) -> SharedMemory {
        let size = max(byteCount, 1)
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else {
            let e = errno
            close(fd)
            throw .system("mmap of \(size) bytes of shared memory", e)
        }
        return SharedMemory(fd: fd, base: p, byteCount: size)
    }

    private init(fd: Int32, base: UnsafeMutableRawPointer, byteCount: Int) {
        self.fd = fd
        self.base = base
        self.byteCount = byteCount
    }

    deinit {
        munmap(base, byteCount)
        close(fd)
    }
}

/// Gives new matrices memfd storage (see ``Matrix/allocating(with:_:)``): used around a
/// thread task whose result a process task will read, and for every matrix in a worker
/// process. mmap returns page-aligned memory, so the 64-byte alignment holds.
final class SharedMatrixProvider: MatrixStorageProvider, @unchecked Sendable {
    /// Called when a segment cannot be created (in a worker process: report the task's
    /// failure to the parent, then exit); the default ends the process with the cause.
    let onFailure: @Sendable (Int, WorkerError) -> Never

    init(onFailure: @escaping @Sendable (Int, WorkerError) -> Never = { bytes, error in
        fatalError("cannot allocate a \(bytes)-byte matrix in shared memory: \(error)")
    }) {
        self.onFailure = onFailure
    }

    override func zeroedStorage(byteCount: Int) -> (UnsafeMutableRawPointer, AnyObject) {
        do {
            let segment = try SharedMemory.create(byteCount: byteCount)
            return (segment.base, segment)
        } catch {
            onFailure(byteCount, error)
        }
    }
}
