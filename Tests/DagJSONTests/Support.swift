import DagJSON
import Testing

/// Parses `text`, recording a test failure (and returning `nil`) on error.
func parseOrRecord(
    _ text: String, sourceLocation: SourceLocation = #_sourceLocation
) -> JSONNode? {
    do {
        return try JSONParser.parse(text)
    } catch {
        Issue.record("unexpected error \(error) for \(text.debugDescription)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The error `parse` throws for `bytes`, or `nil` (after recording a failure)
/// when it parses.
func syntaxError(
    _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) -> JSONSyntaxError? {
    do {
        let node = try JSONParser.parse(bytes)
        Issue.record("expected an error, parsed \(node.value.typeName)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

func syntaxError(
    _ text: String, sourceLocation: SourceLocation = #_sourceLocation
) -> JSONSyntaxError? {
    syntaxError(Array(text.utf8), sourceLocation: sourceLocation)
}

/// A JSON value without positions, for structural comparison.
indirect enum Tree: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    /// Compared by bit pattern, so that -0.0 differs from 0.0.
    case double(Double)
    case string(String)
    case array([Tree])
    case object([(String, Tree)])

    init(_ node: JSONNode) {
        switch node.value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .string(let string): self = .string(string)
        case .array(let elements): self = .array(elements.map(Tree.init))
        case .object(let members): self = .object(members.map { ($0.key, Tree($0.value)) })
        }
    }

    static func == (lhs: Tree, rhs: Tree) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a.bitPattern == b.bitPattern
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let bool): "\(bool)"
        case .int(let int): "\(int)"
        case .double(let double): "\(double)d"
        case .string(let string): string.debugDescription
        case .array(let elements): "[\(elements.map(\.description).joined(separator: ","))]"
        case .object(let members):
            "{\(members.map { "\($0.0.debugDescription):\($0.1)" }.joined(separator: ","))}"
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014), for reproducible random
/// documents.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Line and column of every byte offset of `bytes` (and of the end), computed
/// naively and independently of the parser: LF, CRLF and CR each end one line;
/// UTF-8 continuation bytes take no column; a leading byte order mark takes
/// none.
func naivePositions(_ bytes: [UInt8]) -> [(line: Int, column: Int)] {
    var result: [(line: Int, column: Int)] = []
    var line = 1
    var column = 1
    let hasByteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
    for (index, byte) in bytes.enumerated() {
        result.append((line, column))
        if hasByteOrderMark && index < 3 { continue }
        let afterCarriageReturn = index > 0 && bytes[index - 1] == 0x0D
        switch byte {
        case 0x0A:
            if !afterCarriageReturn { line += 1 }
            column = 1
        case 0x0D:
            line += 1
            column = 1
        case 0x80...0xBF:
            break
        default:
            column += 1
        }
    }
    result.append((line, column))
    return result
}
