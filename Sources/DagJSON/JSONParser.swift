/// Parses RFC 8259 JSON into ``JSONNode`` trees that remember where every
/// value and key starts.
///
/// ```swift
/// let root = try JSONParser.parse(#"{"tasks": [{"id": "a"}]}"#)
/// if let id = root["tasks"]?.value.arrayValue?.first?["id"] {
///     print("id at \(id.position)")     // id at 1:24
/// }
/// ```
///
/// The parser is a single forward pass over the bytes with an explicit stack
/// of open containers, so nesting depth costs heap, not call stack; it stops at
/// ``maximumDepth`` with an error. Each container's children are gathered on
/// a shared stack and moved into an array of exactly the right size when the
/// container closes. Strings without escapes become `String`s straight from
/// their byte slice, short ones through a small cache; numbers become `Int` when written as
/// integers that fit, else `Double`, correctly rounded (Clinger's fast path
/// for short decimals, the standard library's `strtod` for the rest; see
/// W. D. Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990).
///
/// Accepted beyond the grammar: a UTF-8 byte order mark before the value.
/// Refused beyond the grammar: nesting deeper than ``maximumDepth`` and numbers
/// whose magnitude overflows a `Double` (RFC 8259 section 9 allows both limits).
/// Duplicate object keys are kept, in order, for the caller to judge.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted; the top-level
    /// container is level 1.
    public static let maximumDepth = 512

    /// Parses a complete JSON document held in `bytes`, which must be UTF-8.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONNode {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(
                position: SourcePosition(line: 1, column: 1, offset: 0),
                message: "unexpected end of file; expected a JSON value")
        }
        var scanner = JSONScanner(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        return try scanner.parseDocument()
    }

    /// Parses a complete JSON document held in `bytes`, which must be UTF-8.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) in try parse(raw) }
        }
        return try result.get()
    }

    /// Parses a complete JSON document held in `text`.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) in try parse(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }
}
