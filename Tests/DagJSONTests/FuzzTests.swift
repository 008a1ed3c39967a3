import DagJSON
import Testing

/// Random documents from a seeded generator, written with random whitespace
/// and random (but valid) escapes, must parse back to the same tree, with
/// every position pointing at the value's first byte.
@Suite struct FuzzTests {
    /// Builds random trees and serializes them.
    struct Writer {
        var random: SeededGenerator

        static let scalars: [Unicode.Scalar] = [
            "a", "b", "z", "A", "Z", "0", "9", " ", "_", "-", "\"", "\\", "/", "\u{0}", "\u{8}", "\u{9}",
            "\u{A}", "\u{C}", "\u{D}", "\u{1F}", "\u{7F}", "é", "ß", "Ω", "日", "本", "\u{FEFF}", "\u{FFFD}",
            "\u{FFFF}", "😀", "𝄞", "\u{10FFFF}",
        ]
        static let whitespace = ["", "", "", " ", "  ", "\t", "\n", "\r\n", "\r", " \n\t"]

        mutating func tree(depth: Int) -> Tree {
            let kinds = depth >= 5 ? 6 : 8
            switch Int.random(in: 0..<kinds, using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2:
                let small = Int.random(in: -1000...1000, using: &random)
                return .int(Bool.random(using: &random) ? small : Int(bitPattern: UInt(random.next())))
            case 3:
                let value = Double(bitPattern: random.next())
                return .double(value.isFinite ? value : Double(Int.random(in: -99...99, using: &random)) / 8)
            case 4, 5: return .string(string())
            case 6:
                return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in tree(depth: depth + 1) })
            default:
                return .object(
                    (0..<Int.random(in: 0...5, using: &random)).map { _ in (string(), tree(depth: depth + 1)) })
            }
        }

        mutating func string() -> String {
            var result = String.UnicodeScalarView()
            let length = Int.random(in: 0...20, using: &random)
            for _ in 0..<length { result.append(Self.scalars.randomElement(using: &random)!) }
            return String(result)
        }

        mutating func space() -> String { Self.whitespace.randomElement(using: &random)! }

        mutating func write(_ tree: Tree) -> String {
            switch tree {
            case .null: return "null"
            case .bool(let bool): return bool ? "true" : "false"
            case .int(let int): return String(int)
            case .double(let double): return double.description
            case .string(let string): return write(string)
            case .array(let elements):
                return "[" + space() + elements.map { write($0) + space() }.joined(separator: "," + space()) + "]"
            case .object(let members):
                let written = members.map { key, value in
                    write(key) + space() + ":" + space() + write(value) + space()
                }
                return "{" + space() + written.joined(separator: "," + space()) + "}"
            }
        }

        mutating func write(_ string: String) -> String {
            var out = "\""
            for scalar in string.unicodeScalars {
                let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
                if !mustEscape && Int.random(in: 0..<4, using: &random) != 0 {
                    out.unicodeScalars.append(scalar)
                    continue
                }
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "/" where Bool.random(using: &random): out += "\\/"
                case "\u{8}": out += "\\b"
                case "\u{C}": out += "\\f"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    for unit in String(scalar).utf16 {
                        let digits = String(unit, radix: 16, uppercase: Bool.random(using: &random))
                        out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                    }
                }
            }
            return out + "\""
        }
    }

    @Test(arguments: 0..<40)
    func randomDocumentsRoundTrip(seed: Int) throws {
        var writer = Writer(random: SeededGenerator(seed: UInt64(seed)))
        for _ in 0..<10 {
            let tree = writer.tree(depth: 0)
            let text = writer.space() + writer.write(tree) + writer.space()
            let bytes = Array(text.utf8)
            let node = try JSONParser.parse(bytes)
            #expect(Tree(node) == tree, "\(text.debugDescription)")
            checkPositions(node, in: bytes)
        }
    }

    /// Each node's offset holds the first byte of its kind of value, and its
    /// line and column agree with a naive count.
    func checkPositions(_ root: JSONNode, in bytes: [UInt8]) {
        let expected = naivePositions(bytes)
        func check(_ position: SourcePosition, firstBytes: String) {
            let byte = bytes[position.offset]
            #expect(firstBytes.utf8.contains(byte), "offset \(position.offset)")
            #expect(position.line == expected[position.offset].line, "offset \(position.offset)")
            #expect(position.column == expected[position.offset].column, "offset \(position.offset)")
        }
        func walk(_ node: JSONNode) {
            switch node.value {
            case .null: check(node.position, firstBytes: "n")
            case .bool(let bool): check(node.position, firstBytes: bool ? "t" : "f")
            case .int, .double: check(node.position, firstBytes: "-0123456789")
            case .string: check(node.position, firstBytes: "\"")
            case .array(let elements):
                check(node.position, firstBytes: "[")
                elements.forEach(walk)
            case .object(let members):
                check(node.position, firstBytes: "{")
                for member in members {
                    check(member.keyPosition, firstBytes: "\"")
                    walk(member.value)
                }
            }
        }
        walk(root)
    }

    /// Truncating a valid document anywhere gives an error, never a crash,
    /// and the error points inside the input.
    @Test func everyTruncationFailsInsideTheInput() throws {
        var writer = Writer(random: SeededGenerator(seed: 99))
        var tree = writer.tree(depth: 0)
        while case .null = tree { tree = writer.tree(depth: 0) }
        let bytes = Array(("[" + writer.write(tree) + "]").utf8)
        for length in 0..<bytes.count {
            let prefix = Array(bytes[0..<length])
            do {
                _ = try JSONParser.parse(prefix)
                Issue.record("prefix of length \(length) parsed")
            } catch {
                #expect(error.position.offset <= length)
                let expected = naivePositions(prefix)[error.position.offset]
                #expect(error.position.line == expected.line && error.position.column == expected.column)
            }
        }
    }
}
