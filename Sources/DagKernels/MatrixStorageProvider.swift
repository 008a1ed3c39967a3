import Glibc

/// Where new matrices get their storage on one thread, instead of the heap: a runtime
/// installs one around a task whose result must live somewhere else (for example in
/// shared memory that a worker process maps) with ``Matrix/allocating(with:_:)``.
///
/// Subclass it and override ``zeroedStorage(byteCount:)``. The provider is per thread
/// (a pthread key), so other threads keep allocating on the heap.
open class MatrixStorageProvider: @unchecked Sendable {
    public init() {}

    /// Zero-filled storage of at least `byteCount` bytes, 64-byte aligned, and the object
    /// that frees it when released. It cannot fail: a provider that cannot allocate ends
    /// the process with a message (a Swift allocation failure does the same).
    open func zeroedStorage(byteCount: Int) -> (UnsafeMutableRawPointer, AnyObject) {
        fatalError("MatrixStorageProvider.zeroedStorage(byteCount:) must be overridden")
    }

    /// The provider active on the calling thread, if any.
    public static var current: MatrixStorageProvider? {
        guard let p = pthread_getspecific(key) else { return nil }
        return Unmanaged<MatrixStorageProvider>.fromOpaque(p).takeUnretainedValue()
    }

    static let key: pthread_key_t = {
        var k = pthread_key_t()
        precondition(pthread_key_create(&k, nil) == 0, "pthread_key_create failed")
        return k
    }()
}

extension Matrix {
    /// Runs `body` with `provider` giving the storage of every matrix created on this
    /// thread meanwhile (nested calls restore the outer provider).
    public static func allocating<R, E: Error>(with provider: MatrixStorageProvider,
                                               _ body: () throws(E) -> R) throws(E) -> R {
        let key = MatrixStorageProvider.key
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(provider).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return try withExtendedLifetime(provider) { () throws(E) -> R in try body() }
    }
}
