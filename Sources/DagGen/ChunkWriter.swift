/// An append-only byte buffer that hands each full chunk to a sink and reuses its memory.
///
/// Generated graphs can be gigabytes; this keeps one chunk (``chunkSize`` bytes) in
/// memory whatever the graph's size. Appends go straight into raw memory, with no
/// `String` or `Array` growth on the way.
struct ChunkWriter: ~Copyable {
    /// Bytes collected before the sink is called.
    static let chunkSize = 1 << 20
    /// The most bytes a single `append` call writes (a decimal `Int` is at most 20).
    private static let slack = 64

    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private let sink: (UnsafeRawBufferPointer) -> Void

    init(sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.sink = sink
        buffer = .allocate(byteCount: Self.chunkSize + Self.slack, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Hands what is buffered to the sink, if anything.
    mutating func flush() {
        guard count > 0 else { return }
        sink(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        count = 0
    }

    /// Flushes when the chunk is full; called before every append of up to `slack` bytes.
    @inline(__always)
    private mutating func reserve() {
        if count >= Self.chunkSize { flush() }
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve()
        buffer[count] = byte
        count += 1
    }

    /// Appends a literal (its UTF-8 bytes, unescaped: callers pass JSON-safe text).
    @inline(__always)
    mutating func append(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        if n <= Self.slack {
            // The common case, a few bytes: a plain loop beats a call to memmove.
            reserve()
            let source = text.utf8Start
            let target = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + count
            for i in 0..<n { target[i] = source[i] }
            count += n
        } else {
            append(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: n))
        }
    }

    /// Appends a string of any length (its UTF-8 bytes, unescaped: callers pass JSON-safe text).
    mutating func append(string text: String) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func append(bytes: UnsafeRawBufferPointer) {
        var start = 0
        while start < bytes.count {
            reserve()
            let n = min(bytes.count - start, Self.slack)
            (buffer.baseAddress! + count).copyMemory(from: bytes.baseAddress! + start, byteCount: n)
            count += n
            start += n
        }
    }

    /// Appends `value` in decimal.
    @inline(__always)
    mutating func append(decimal value: Int) {
        reserve()
        var v = value.magnitude
        if value < 0 {
            buffer[count] = UInt8(ascii: "-")
            count += 1
        }
        var digits = 1
        var probe = v
        while probe >= 10 { probe /= 10; digits += 1 }
        var i = count + digits
        count = i
        repeat {
            i -= 1
            buffer[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        } while v > 0
    }
}
