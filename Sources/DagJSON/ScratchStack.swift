/// A growable stack that hands its top elements over to a new, exactly sized
/// `Array`.
///
/// The parser pushes every finished child onto one shared stack; when a
/// container closes, its children are the top `count - start` elements. This
/// way each container's array is allocated once, at its final size, and
/// nothing is reserved on a guess.
struct ScratchStack<Element>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(initialCapacity: Int = 256) {
        capacity = Swift.max(initialCapacity, 1)
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// The element most recently pushed; the stack must not be empty.
    @inline(__always)
    var top: Element { storage[count - 1] }

    @inline(__always)
    mutating func pop() -> Element {
        count -= 1
        return (storage + count).move()
    }

    /// Moves the elements from index `start` to the top into a new array.
    ///
    /// - Complexity: O(`count - start`).
    @inline(__always)
    mutating func popArray(from start: Int) -> [Element] {
        let moved = count - start
        if moved == 0 { return [] }
        let source = storage + start
        // Reserve, then append each element moved out of the stack: no
        // retain/release pairs, and specialized for `Element` (unlike
        // `Array(unsafeUninitializedCapacity:)`, which reaches an
        // unspecialized standard-library entry point that looks up generic
        // metadata on every call).
        var result: [Element] = []
        result.reserveCapacity(moved)
        for index in 0..<moved {
            result.append((source + index).move())
        }
        count = start
        return result
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStorage.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }
}
