/// A place in a JSON document, for error messages of the form `file:line:column`.
///
/// `line` and `column` are 1-based. A line break is LF, CRLF (one break, not
/// two) or a lone CR. `column` counts characters after the last line break,
/// where a multi-byte UTF-8 sequence counts as one: it is the number of bytes
/// on the line before this position that are not UTF-8 continuation bytes
/// (`0b10xxxxxx`), plus one. A tab is one column. A UTF-8 byte order mark at the
/// start of the file takes no column. `offset` is the 0-based byte offset from
/// the first byte of the input, byte order mark included.
///
/// ```swift
/// let node = try JSONParser.parse("[\n  \"é\", 7]")
/// // the 7 is at 2:8, offset 11
/// ```
///
/// A parsed graph holds one position per value and key, so the three numbers
/// are packed into 12 bytes with 4-byte alignment, which lets a ``JSONNode``
/// fit in 32 bytes: `offset` has 36 bits (64 GiB), `line` and `column` 30 bits
/// each (about 1.07 billion). Larger values saturate at those limits.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// Bits 0-31 of the offset.
    private var offsetLow: UInt32
    /// Bits 32-35 of the offset (bits 0-3) and the line (bits 4-31, the low
    /// 28 bits of the line).
    private var offsetHighAndLine: UInt32
    /// The column (bits 0-29) and the top two bits of the line (bits 30-31).
    private var lineHighAndColumn: UInt32

    static let maximumOffset = (1 << 36) - 1
    static let maximumLine = (1 << 30) - 1
    static let maximumColumn = (1 << 30) - 1

    @inline(__always)
    public init(line: Int, column: Int, offset: Int) {
        offsetLow = 0
        offsetHighAndLine = 0
        lineHighAndColumn = 0
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// The 1-based line number.
    public var line: Int {
        get { Int(offsetHighAndLine >> 4) | Int(lineHighAndColumn >> 30) << 28 }
        set {
            let line = UInt32(Swift.min(Swift.max(newValue, 0), Self.maximumLine))
            offsetHighAndLine = offsetHighAndLine & 0xF | line << 4
            lineHighAndColumn = lineHighAndColumn & 0x3FFF_FFFF | (line >> 28) << 30
        }
    }

    /// The 1-based column, counting a multi-byte UTF-8 character as one.
    public var column: Int {
        get { Int(lineHighAndColumn & 0x3FFF_FFFF) }
        set {
            let column = UInt32(Swift.min(Swift.max(newValue, 0), Self.maximumColumn))
            lineHighAndColumn = lineHighAndColumn & 0xC000_0000 | column
        }
    }

    /// The 0-based byte offset into the input.
    public var offset: Int {
        get { Int(offsetLow) | Int(offsetHighAndLine & 0xF) << 32 }
        set {
            let offset = UInt64(Swift.min(Swift.max(newValue, 0), Self.maximumOffset))
            offsetLow = UInt32(truncatingIfNeeded: offset)
            offsetHighAndLine = offsetHighAndLine & ~0xF | UInt32(truncatingIfNeeded: offset >> 32)
        }
    }

    /// `line:column`, for example `12:5`.
    public var description: String { "\(line):\(column)" }
}
