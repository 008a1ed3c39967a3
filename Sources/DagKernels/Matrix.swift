/// A dense, row-major matrix of `Double` that owns its storage.
///
/// Element `(r, c)` lives at `baseAddress[r * cols + c]`. The storage is
/// allocated 64-byte aligned (one cache line, and the widest AVX-512 load),
/// zero-filled, and freed in `deinit`, unless a ``MatrixStorageProvider`` is
/// active on the creating thread (``Matrix/allocating(with:_:)``) or the matrix
/// adopts storage it did not allocate (``init(rows:cols:isVector:adopting:owner:)``,
/// for example a shared-memory mapping): then ``storageOwner`` holds the object
/// that frees the storage when the matrix is gone.
///
/// ```swift
/// let m = Matrix(rows: 2, cols: 3, elements: [1, 2, 3,
///                                             4, 5, 6])
/// m[1, 2]        // 6
/// m.toArray()    // [1, 2, 3, 4, 5, 6]
/// ```
///
/// A one-dimensional array of length `n` (for example a `.npy` file of
/// shape `(n,)`) is held as an `n x 1` column vector with `isVector` set, so
/// that it can be written back with its original 1-D shape.
///
/// ## Sharing contract
///
/// `Matrix` is a class, so copies share storage, and it is `Sendable`
/// without compiler checking. The contract that makes this safe:
///
/// 1. Only the task that creates a matrix writes to it (through the
///    subscript or `baseAddress`), and only before it publishes the matrix,
///    that is before handing it to the scheduler as a task result.
/// 2. After publication the matrix is immutable; any number of tasks on any
///    threads may read it concurrently.
/// 3. Except when its last reader holds the only reference: the runtime hands a result
///    over to a task that is its only consumer, and ``Kernels/gemm(_:_:updating:alpha:beta:transA:transB:)``
///    and ``Kernels/trsm(_:_:side:lower:transA:unit:alpha:)`` then write into it
///    (checked with `isKnownUniquelyReferenced`; anything shared is copied first).
///
/// Every other function in ``Kernels``, ``ReferenceKernels`` and ``NPY`` only
/// reads its inputs and returns a fresh matrix.
public final class Matrix: @unchecked Sendable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let cols: Int
    /// True when the matrix stands for a 1-D array (stored as `rows x 1`).
    public let isVector: Bool

    /// Alignment, in bytes, of `baseAddress`.
    public static let alignment = 64

    private let storage: UnsafeMutablePointer<Double>

    /// The object that frees the storage when released, when the matrix did not allocate
    /// it itself (nil: allocated by the matrix, freed in `deinit`).
    public let storageOwner: AnyObject?

    /// A `rows x cols` matrix of zeros.
    ///
    /// - Precondition: `rows >= 0` and `cols >= 0`.
    /// - Complexity: O(`rows * cols`).
    public convenience init(rows: Int, cols: Int) {
        self.init(rows: rows, cols: cols, isVector: false)
    }

    /// A `rows x cols` matrix with the given elements in row-major order.
    ///
    /// - Precondition: `elements.count == rows * cols`.
    public convenience init(rows: Int, cols: Int, elements: [Double]) {
        precondition(
            elements.count == rows * cols,
            "Matrix(rows: \(rows), cols: \(cols), elements:) needs \(rows * cols) elements, got \(elements.count)")
        self.init(rows: rows, cols: cols, isVector: false)
        elements.withUnsafeBufferPointer { source in
            if let from = source.baseAddress {
                storage.update(from: from, count: source.count)
            }
        }
    }

    /// A 1-D vector: an `n x 1` matrix with `isVector` set.
    public convenience init(vector elements: [Double]) {
        self.init(rows: elements.count, cols: 1, isVector: true)
        elements.withUnsafeBufferPointer { source in
            if let from = source.baseAddress {
                storage.update(from: from, count: source.count)
            }
        }
    }

    /// A zero-filled matrix; the designated initializer.
    ///
    /// - Precondition: `isVector` implies `cols == 1`.
    public convenience init(rows: Int, cols: Int, isVector: Bool) {
        self.init(rows: rows, cols: cols, isVector: isVector, zeroed: true)
    }

    /// A matrix whose elements the caller writes, every one, before anyone reads them
    /// (`zeroed: false` skips filling them with zeros: a generator or a kernel that
    /// overwrites its whole output, such as `random`, `spd`, a copy, or gemm with beta 0,
    /// which BLAS defines not to read C). Zeroing a 512 × 512 tile that is then
    /// overwritten was a quarter of `random`'s time on reused memory here. Storage from a
    /// ``MatrixStorageProvider`` is zero either way.
    init(rows: Int, cols: Int, isVector: Bool = false, zeroed: Bool) {
        precondition(rows >= 0 && cols >= 0, "a matrix cannot have negative dimensions (\(rows)x\(cols))")
        precondition(!isVector || cols == 1, "a vector is stored as n x 1, not \(rows)x\(cols)")
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        precondition(!overflow && count <= Int.max / MemoryLayout<Double>.stride,
                     "a \(rows)x\(cols) matrix does not fit in memory")
        self.rows = rows
        self.cols = cols
        self.isVector = isVector
        // Allocate at least one cache line so a 0-element matrix still has a
        // valid, aligned, non-null pointer to hand to BLAS.
        let bytes = max(count * MemoryLayout<Double>.stride, Matrix.alignment)
        if let provider = MatrixStorageProvider.current {
            let (raw, owner) = provider.zeroedStorage(byteCount: bytes)
            storageOwner = owner
            storage = raw.bindMemory(to: Double.self, capacity: bytes / MemoryLayout<Double>.stride)
            return
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Matrix.alignment)
        if zeroed { raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        storage = raw.bindMemory(to: Double.self, capacity: bytes / MemoryLayout<Double>.stride)
        storageOwner = nil
    }

    /// A matrix over storage it does not own: `storage` holds at least `rows * cols`
    /// elements, 64-byte aligned, and stays valid while `owner` is alive; the matrix keeps
    /// `owner` and releases it when it goes (a shared-memory mapping unmaps itself then).
    public init(rows: Int, cols: Int, isVector: Bool, adopting storage: UnsafeMutableRawPointer, owner: AnyObject) {
        precondition(rows >= 0 && cols >= 0, "a matrix cannot have negative dimensions (\(rows)x\(cols))")
        precondition(!isVector || cols == 1, "a vector is stored as n x 1, not \(rows)x\(cols)")
        precondition(Int(bitPattern: storage) % Matrix.alignment == 0, "adopted matrix storage must be 64-byte aligned")
        self.rows = rows
        self.cols = cols
        self.isVector = isVector
        self.storage = storage.assumingMemoryBound(to: Double.self)
        self.storageOwner = owner
    }

    deinit {
        if storageOwner == nil { UnsafeMutableRawPointer(storage).deallocate() }
    }

    /// The number of elements, `rows * cols`.
    public var count: Int { rows * cols }

    /// The size of the elements in bytes, `count * 8`.
    public var byteCount: Int { count * MemoryLayout<Double>.stride }

    /// "RxC", the spelling used in every error message.
    public var shapeDescription: String { "\(rows)x\(cols)" }

    /// The first element; valid for `count` elements while the matrix is alive.
    ///
    /// Keep the matrix alive while using the pointer
    /// (`withExtendedLifetime(m) { ... }`), and write through it only under
    /// the sharing contract above.
    public var baseAddress: UnsafeMutablePointer<Double> { storage }

    /// The element at row `r`, column `c`.
    ///
    /// - Precondition: `0 <= r < rows` and `0 <= c < cols`.
    public subscript(r: Int, c: Int) -> Double {
        get {
            precondition(r >= 0 && r < rows && c >= 0 && c < cols,
                         "index (\(r), \(c)) is outside a \(shapeDescription) matrix")
            return storage[r * cols + c]
        }
        set {
            precondition(r >= 0 && r < rows && c >= 0 && c < cols,
                         "index (\(r), \(c)) is outside a \(shapeDescription) matrix")
            storage[r * cols + c] = newValue
        }
    }

    /// The elements in row-major order.
    public func toArray() -> [Double] {
        Array(UnsafeBufferPointer(start: storage, count: count))
    }

    /// A new matrix with the same shape, `isVector` flag and elements.
    public func copy() -> Matrix {
        let result = Matrix(rows: rows, cols: cols, isVector: isVector, zeroed: false)
        result.storage.update(from: storage, count: count)
        return result
    }
}
