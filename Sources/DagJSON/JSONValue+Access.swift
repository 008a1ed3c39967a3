extension JSONNode {
    /// The value of the first member named `key`, or `nil` when this node is
    /// not an object or has no such member.
    ///
    /// - Complexity: O(*n*) in the number of members.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        for member in members where member.key == key {
            return member.value
        }
        return nil
    }
}

extension JSONValue {
    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let string) = self { string } else { nil }
    }

    /// The integer, when this is an integer.
    public var intValue: Int? {
        if case .int(let int) = self { int } else { nil }
    }

    /// The number as a `Double`, when this is an integer or a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let int): Double(int)
        case .double(let double): double
        default: nil
        }
    }

    /// The Boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { bool } else { nil }
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONNode]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The members in source order, when this is an object.
    public var objectValue: [JSONMember]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }
}
