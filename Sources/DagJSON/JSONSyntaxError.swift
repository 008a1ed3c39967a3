/// A JSON document that does not follow RFC 8259, or that this parser refuses
/// (nesting deeper than ``JSONParser/maximumDepth``, a number too large for a
/// `Double`).
///
/// `description` is `line:column: message`; prefix it with the file name to get
/// the conventional `file:line:column: message` form:
///
/// ```
/// 3:14: expected ',' or '}' after an object member, found '"'
/// ```
///
/// The message is a sentence fragment in lower case that names what was found
/// and, where there is one, the fix.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// Where the problem was detected: the offending byte, or the end of the
    /// input for a truncated document.
    public let position: SourcePosition
    /// What is wrong, for example `trailing comma before ']'`.
    public let message: String

    public init(position: SourcePosition, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String { "\(position): \(message)" }
}
