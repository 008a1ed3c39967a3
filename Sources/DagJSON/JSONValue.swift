/// A parsed JSON value together with the position of its first byte.
///
/// 32 bytes: `value` is stored first so that the 4-byte-aligned position
/// fills the padding after the enum's tag byte.
public struct JSONNode: Sendable {
    public let value: JSONValue
    /// Where the value starts: its opening quote, bracket, brace, sign, digit
    /// or literal.
    public let position: SourcePosition

    public init(position: SourcePosition, value: JSONValue) {
        self.position = position
        self.value = value
    }
}

/// A JSON value whose children keep their source positions.
///
/// Numbers written without `.`, `e` or `E` that fit in `Int` are ``int(_:)``;
/// every other number is ``double(_:)``. Objects keep their members in source
/// order, duplicates included, so that a validator can report duplicates with
/// both positions.
///
/// Not `indirect`: children live in arrays, which are already heap storage, so
/// boxing each scalar would only add one allocation per value.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])

    /// The kind of value as a user reads it in an error message: `null`,
    /// `boolean`, `integer`, `number`, `string`, `array` or `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// One `"key": value` pair of an object.
///
/// 64 bytes, with the same field ordering trick as ``JSONNode``.
public struct JSONMember: Sendable {
    public let value: JSONNode
    public let key: String
    /// The position of the key's opening quote.
    public let keyPosition: SourcePosition

    public init(key: String, keyPosition: SourcePosition, value: JSONNode) {
        self.init(value: value, key: key, keyPosition: keyPosition)
    }

    @inline(__always)
    init(value: consuming JSONNode, key: consuming String, keyPosition: SourcePosition) {
        self.key = key
        self.keyPosition = keyPosition
        self.value = value
    }
}
