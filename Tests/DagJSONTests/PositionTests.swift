import DagJSON
import Testing

/// Line, column and offset of values and keys. Columns count characters:
/// a multi-byte UTF-8 sequence is one column. CRLF is one line break, and so
/// is a lone CR.
@Suite struct PositionTests {
    //   line 1  {␍␊
    //   line 2    "name": "héllo wörld", "x": 1,␍␊
    //   line 3    "list": [1, {"k": null}],␊
    //   line 4  ⇥"emoji": "😀", "n": -1.5e3␊
    //   line 5  }
    static let document =
        "{\r\n"
        + "  \"name\": \"héllo wörld\", \"x\": 1,\r\n"
        + "  \"list\": [1, {\"k\": null}],\n"
        + "\t\"emoji\": \"😀\", \"n\": -1.5e3\n"
        + "}"

    @Test func nestedValuesAndKeys() throws {
        let root = try JSONParser.parse(Self.document)
        #expect(root.position == SourcePosition(line: 1, column: 1, offset: 0))
        let members = try #require(root.value.objectValue)
        #expect(members.map(\.key) == ["name", "x", "list", "emoji", "n"])
        #expect(members.map(\.keyPosition.description) == ["2:3", "2:26", "3:3", "4:2", "4:16"])
        #expect(members.map(\.value.position.description) == ["2:11", "2:31", "3:11", "4:11", "4:21"])

        let list = try #require(root["list"]?.value.arrayValue)
        #expect(list.map(\.position.description) == ["3:12", "3:15"])
        let inner = try #require(list[1].value.objectValue)
        #expect(inner[0].keyPosition.description == "3:16")
        #expect(inner[0].value.position.description == "3:21")
    }

    @Test func offsetsAreByteOffsets() throws {
        let root = try JSONParser.parse(Self.document)
        let bytes = Array(Self.document.utf8)
        // "x" follows two 2-byte characters on line 2: column 26, but the
        // byte offset is 3 (line 1) + 25 + 2 extra bytes = 30.
        let x = try #require(root.value.objectValue?[1])
        #expect(x.keyPosition.offset == 30)
        #expect(bytes[x.keyPosition.offset] == UInt8(ascii: "\""))
        // After the 4-byte emoji: "n" is at column 16 of line 4.
        let n = try #require(root.value.objectValue?[4])
        #expect(bytes[n.value.position.offset] == UInt8(ascii: "-"))
        #expect(Array(bytes[n.keyPosition.offset..<n.keyPosition.offset + 3]) == Array(#""n""#.utf8))
    }

    @Test func everyPositionMatchesANaiveCount() throws {
        let bytes = Array(Self.document.utf8)
        let expected = naivePositions(bytes)
        var checked = 0
        func check(_ position: SourcePosition) {
            #expect(position.line == expected[position.offset].line, "offset \(position.offset)")
            #expect(position.column == expected[position.offset].column, "offset \(position.offset)")
            checked += 1
        }
        func walk(_ node: JSONNode) {
            check(node.position)
            switch node.value {
            case .array(let elements): elements.forEach(walk)
            case .object(let members):
                for member in members {
                    check(member.keyPosition)
                    walk(member.value)
                }
            default: break
            }
        }
        walk(try JSONParser.parse(bytes))
        #expect(checked == 15)
    }

    @Test func carriageReturnConventions() throws {
        // LF, CRLF and a lone CR each start one new line.
        let root = try JSONParser.parse("[1,\n2,\r\n3,\r4,\r\r\n5]")
        let positions = try #require(root.value.arrayValue).map(\.position.description)
        #expect(positions == ["1:2", "2:1", "3:1", "4:1", "6:1"])
    }

    @Test func byteOrderMarkTakesNoColumn() throws {
        let root = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[7, 8]".utf8))
        let elements = try #require(root.value.arrayValue)
        #expect(elements[0].position == SourcePosition(line: 1, column: 2, offset: 4))
        #expect(elements[1].position == SourcePosition(line: 1, column: 5, offset: 7))
    }

    @Test func escapesCountAsTheirSourceCharacters() throws {
        // \u00e9 is six source columns even though it decodes to one character.
        let root = try JSONParser.parse(#"["\u00e9", "é", 1]"#)
        let positions = try #require(root.value.arrayValue).map(\.position.description)
        #expect(positions == ["1:2", "1:12", "1:17"])
    }

    @Test func descriptionIsLineColon() {
        #expect(SourcePosition(line: 12, column: 5, offset: 300).description == "12:5")
    }

    @Test func packedFieldsRoundTripAndSaturate() {
        var position = SourcePosition(line: 1_000_000_000, column: 123_456_789, offset: 60_000_000_000)
        #expect(position.line == 1_000_000_000)
        #expect(position.column == 123_456_789)
        #expect(position.offset == 60_000_000_000)
        position.line = 5
        #expect(position.line == 5 && position.column == 123_456_789 && position.offset == 60_000_000_000)
        position.column = 7
        position.offset = 9
        #expect(position == SourcePosition(line: 5, column: 7, offset: 9))
        let huge = SourcePosition(line: Int.max, column: Int.max, offset: Int.max)
        #expect(huge.line == (1 << 30) - 1)
        #expect(huge.column == (1 << 30) - 1)
        #expect(huge.offset == (1 << 36) - 1)
    }
}
