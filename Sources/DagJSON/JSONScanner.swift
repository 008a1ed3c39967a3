/// Byte values the scanner dispatches on.
enum Byte {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let period: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let colon: UInt8 = 0x3A
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- zero < 10 }

    /// Bytes that continue a number or literal token: letters, digits, `+`,
    /// `-` and `.`. A token followed by one of these is malformed (`01`,
    /// `1.5.2`, `truex`).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return isDigit(byte) || (lower >= 0x61 && lower <= 0x7A)
            || byte == plus || byte == minus || byte == period
    }
}

/// An array or object that has been opened and not yet closed.
struct OpenContainer {
    let isObject: Bool
    /// Whether this container is the value of an object member, whose key
    /// was saved on `savedKeys` when the container opened.
    let isMemberValue: Bool
    /// Index in the scratch stack (`nodes` or `members`) of its first child.
    let firstChild: Int
    let position: SourcePosition
}

/// The key of an object member whose value is a container being parsed.
struct SavedKey {
    let key: String
    let position: SourcePosition
}

/// The parser's state for one document.
///
/// Line tracking: `line` and `lineStart` are updated where line breaks can
/// occur, which is only in whitespace (raw control characters are errors in
/// strings). Because a multi-byte character counts as one column, the number
/// of UTF-8 continuation bytes seen since `lineStart` is kept too; those only
/// occur in strings, which never span lines. Together they give the position
/// of any value start in O(1). Error positions are rare and are recomputed
/// from the start of the document by ``locate(_:)``.
struct JSONScanner: ~Copyable {
    let base: UnsafePointer<UInt8>
    let end: Int
    /// Offset of the first byte after a byte order mark, if any.
    let documentStart: Int
    var pos: Int
    var line = 1
    var lineStart: Int
    var continuationBytesOnLine = 0

    var containers = ScratchStack<OpenContainer>(initialCapacity: 64)
    var savedKeys = ScratchStack<SavedKey>(initialCapacity: 64)
    var nodes = ScratchStack<JSONNode>()
    var members = ScratchStack<JSONMember>()
    /// The key of the object member whose value is being parsed.
    var pendingKey = ""
    var pendingKeyPosition = SourcePosition(line: 0, column: 0, offset: 0)
    /// Strings of up to 16 bytes already made, keys and values alike.
    var shortStrings = StringCache()
    /// Reused for strings that contain escapes.
    var unescaped: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        end = count
        let hasByteOrderMark = count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF
        documentStart = hasByteOrderMark ? 3 : 0
        pos = documentStart
        lineStart = documentStart
    }

    /// The position of a byte on the current line that lies after every
    /// string scanned so far.
    @inline(__always)
    func position(at offset: Int) -> SourcePosition {
        SourcePosition(
            line: line, column: offset - lineStart - continuationBytesOnLine + 1, offset: offset)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let byte = base[pos]
            if byte > Byte.space { return }
            switch byte {
            case Byte.space, Byte.tab:
                pos += 1
            case Byte.lineFeed:
                pos += 1
                startLine()
            case Byte.carriageReturn:
                pos += 1
                if pos < end && base[pos] == Byte.lineFeed { pos += 1 }
                startLine()
            default:
                return
            }
        }
    }

    @inline(__always)
    private mutating func startLine() {
        line += 1
        lineStart = pos
        continuationBytesOnLine = 0
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        var node: JSONNode
        nextValue: while true {
            skipWhitespace()
            guard pos < end else { throw endOfFileError() }
            let start = pos
            switch base[start] {
            case Byte.quote:
                let position = position(at: start)
                node = JSONNode(position: position, value: .string(try scanString()))
            case Byte.minus, Byte.zero...0x39:
                node = JSONNode(position: position(at: start), value: try scanNumber())
            case Byte.openBrace:
                try open(isObject: true, at: start)
                skipWhitespace()
                if pos < end && base[pos] == Byte.closeBrace {
                    pos += 1
                    node = close()
                } else {
                    try scanMemberKey()
                    continue nextValue
                }
            case Byte.openBracket:
                try open(isObject: false, at: start)
                skipWhitespace()
                if pos < end && base[pos] == Byte.closeBracket {
                    pos += 1
                    node = close()
                } else {
                    continue nextValue
                }
            case 0x74:  // t
                try scanLiteral("true")
                node = JSONNode(position: position(at: start), value: .bool(true))
            case 0x66:  // f
                try scanLiteral("false")
                node = JSONNode(position: position(at: start), value: .bool(false))
            case 0x6E:  // n
                try scanLiteral("null")
                node = JSONNode(position: position(at: start), value: .null)
            default:
                throw valueExpectedError(at: start)
            }

            // `node` is complete: add it to its container, closing containers
            // for as long as a closing bracket or brace follows.
            while containers.count > 0 {
                if containers.top.isObject {
                    members.push(
                        JSONMember(value: consume node, key: takePendingKey(), keyPosition: pendingKeyPosition))
                    skipWhitespace()
                    guard pos < end else { throw endOfFileError() }
                    switch base[pos] {
                    case Byte.comma:
                        let comma = pos
                        pos += 1
                        skipWhitespace()
                        if pos < end && base[pos] == Byte.closeBrace {
                            throw error(at: comma, "trailing comma before '}'")
                        }
                        try scanMemberKey()
                        continue nextValue
                    case Byte.closeBrace:
                        pos += 1
                        node = close()
                    default:
                        throw error(
                            at: pos,
                            "expected ',' or '}' after an object member, found \(describe(at: pos))")
                    }
                } else {
                    nodes.push(consume node)
                    skipWhitespace()
                    guard pos < end else { throw endOfFileError() }
                    switch base[pos] {
                    case Byte.comma:
                        let comma = pos
                        pos += 1
                        skipWhitespace()
                        if pos < end && base[pos] == Byte.closeBracket {
                            throw error(at: comma, "trailing comma before ']'")
                        }
                        continue nextValue
                    case Byte.closeBracket:
                        pos += 1
                        node = close()
                    default:
                        throw error(
                            at: pos,
                            "expected ',' or ']' after an array element, found \(describe(at: pos))")
                    }
                }
            }
            break nextValue
        }
        skipWhitespace()
        if pos < end {
            throw error(at: pos, "unexpected content after the top-level value")
        }
        return node
    }

    private mutating func open(isObject: Bool, at start: Int) throws(JSONSyntaxError) {
        if containers.count == JSONParser.maximumDepth {
            throw error(at: start, "nesting deeper than \(JSONParser.maximumDepth) levels")
        }
        let isMemberValue = containers.count > 0 && containers.top.isObject
        if isMemberValue {
            savedKeys.push(SavedKey(key: takePendingKey(), position: pendingKeyPosition))
        }
        containers.push(
            OpenContainer(
                isObject: isObject,
                isMemberValue: isMemberValue,
                firstChild: isObject ? members.count : nodes.count,
                position: position(at: start)))
        pos = start + 1
    }

    private mutating func close() -> JSONNode {
        let container = containers.pop()
        if container.isMemberValue {
            let saved = savedKeys.pop()
            pendingKey = saved.key
            pendingKeyPosition = saved.position
        }
        let value: JSONValue =
            container.isObject
            ? .object(members.popArray(from: container.firstChild))
            : .array(nodes.popArray(from: container.firstChild))
        return JSONNode(position: container.position, value: value)
    }

    /// Moves `pendingKey` out, leaving an empty string, so that handing the key
    /// to a member costs no retain and release.
    @inline(__always)
    private mutating func takePendingKey() -> String {
        var key = ""
        swap(&key, &pendingKey)
        return key
    }

    /// Scans `"key"` and the `:` after it, with `pos` at the key (whitespace
    /// already skipped).
    private mutating func scanMemberKey() throws(JSONSyntaxError) {
        guard pos < end else { throw endOfFileError() }
        guard base[pos] == Byte.quote else { throw keyExpectedError(at: pos) }
        pendingKeyPosition = position(at: pos)
        pendingKey = try scanString()
        skipWhitespace()
        guard pos < end else { throw endOfFileError() }
        guard base[pos] == Byte.colon else {
            throw error(at: pos, "expected ':' after an object key, found \(describe(at: pos))")
        }
        pos += 1
    }

    /// Scans `true`, `false` or `null`, with `pos` at its first letter.
    @inline(__always)
    private mutating func scanLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        let start = pos
        var matches = start + count <= end
        if matches {
            for index in 1..<count where base[start + index] != expected[index] {
                matches = false
                break
            }
        }
        if !matches || (start + count < end && Byte.isTokenByte(base[start + count])) {
            throw invalidLiteralError(at: start)
        }
        pos = start + count
    }
}
