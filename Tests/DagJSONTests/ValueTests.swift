import DagJSON
import Testing

/// Every kind of value, and how numbers split between `.int` and `.double`.
@Suite struct ValueTests {
    @Test func scalarsAtTopLevel() throws {
        #expect(Tree(try JSONParser.parse("null")) == .null)
        #expect(Tree(try JSONParser.parse("true")) == .bool(true))
        #expect(Tree(try JSONParser.parse("false")) == .bool(false))
        #expect(Tree(try JSONParser.parse("42")) == .int(42))
        #expect(Tree(try JSONParser.parse("-7")) == .int(-7))
        #expect(Tree(try JSONParser.parse("2.5")) == .double(2.5))
        #expect(Tree(try JSONParser.parse(#""hi""#)) == .string("hi"))
        #expect(Tree(try JSONParser.parse(" \t\r\n 1 \n")) == .int(1))
    }

    @Test func containers() throws {
        let node = try JSONParser.parse(#"{"a": [1, "two", null, true, {"b": []}], "c": {}}"#)
        #expect(
            Tree(node)
                == .object([
                    ("a", .array([.int(1), .string("two"), .null, .bool(true), .object([("b", .array([]))])])),
                    ("c", .object([])),
                ]))
    }

    @Test func integersVersusDoubles() throws {
        let cases: [(String, Tree)] = [
            ("0", .int(0)),
            ("-0", .int(0)),
            ("9223372036854775807", .int(Int.max)),
            ("-9223372036854775808", .int(Int.min)),
            ("9223372036854775808", .double(9223372036854775808.0)),
            ("-9223372036854775809", .double(-9223372036854775809.0)),
            ("123456789012345678901234567890", .double(1.2345678901234568e29)),
            ("1.0", .double(1.0)),
            ("1e2", .double(100.0)),
            ("1E2", .double(100.0)),
            ("1e+2", .double(100.0)),
            ("1e-2", .double(0.01)),
            ("-0.0", .double(-0.0)),
            ("0.1", .double(0.1)),
            ("-123.456e-7", .double(-123.456e-7)),
            ("0.000001", .double(0.000001)),
        ]
        for (text, expected) in cases {
            #expect(Tree(try JSONParser.parse(text)) == expected, "\(text)")
        }
    }

    @Test func stringEscapes() throws {
        let text = #""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20AC \uD83D\uDE00 \u0000""#
        let expected = "\" \\ / \u{8} \u{C} \n \r \t A é € 😀 \u{0}"
        #expect(Tree(try JSONParser.parse(text)) == .string(expected))
    }

    @Test func rawUnicodeAndEscapesMixed() throws {
        let text = #"["naïve \"café\" 日本 😀", "tab\there", "", "\u00e9x"]"#
        #expect(
            Tree(try JSONParser.parse(text))
                == .array([.string("naïve \"café\" 日本 😀"), .string("tab\there"), .string(""), .string("éx")]))
    }

    @Test func longStringsAndRepeatedKeysAreIntactThroughTheKeyCache() throws {
        let long = String(repeating: "abcdefghij", count: 5)
        let text = #"[{"k":"\#(long)","k16_____________":1,"k17______________":2},{"k":"x","k16_____________":3}]"#
        let node = try JSONParser.parse(text)
        #expect(
            Tree(node)
                == .array([
                    .object([("k", .string(long)), ("k16_____________", .int(1)), ("k17______________", .int(2))]),
                    .object([("k", .string("x")), ("k16_____________", .int(3))]),
                ]))
    }

    @Test func shortStringsThatDifferInOneByteStayDistinct() throws {
        // Near misses for the short-string cache: same length, one byte apart,
        // at every length up to and past its 16-byte limit.
        var strings: [String] = []
        for length in 1...18 {
            let stem = String(repeating: "k", count: length - 1)
            strings += [stem + "a", stem + "b", "a" + stem, "b" + stem, stem + "a"]
        }
        let text = "[" + strings.map { #"{"\#($0)":"\#($0)"}"# }.joined(separator: ",") + "]"
        let expected = Tree.array(strings.map { .object([($0, .string($0))]) })
        #expect(Tree(try JSONParser.parse(text)) == expected)
    }

    @Test func shortStringsAtTheVeryEndOfTheBufferAreRead() throws {
        // The cache loads 16 bytes at a time only when 16 bytes remain.
        #expect(Tree(try JSONParser.parse(#"{"ab":"c"}"#)) == .object([("ab", .string("c"))]))
        #expect(Tree(try JSONParser.parse(#""xyz""#)) == .string("xyz"))
    }

    @Test func duplicateKeysAreKeptInOrder() throws {
        let node = try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        let keys = node.value.objectValue?.map(\.key)
        #expect(keys == ["a", "b", "a"])
        #expect(node["a"]?.value.intValue == 1)
        #expect(node["b"]?.value.intValue == 2)
        #expect(node["missing"] == nil)
        #expect(try JSONParser.parse("[1]")["a"] == nil)
    }

    @Test func typeNames() throws {
        let node = try JSONParser.parse(#"[null, true, 1, 1.5, "s", [], {}]"#)
        let names = node.value.arrayValue?.map(\.value.typeName)
        #expect(names == ["null", "boolean", "integer", "number", "string", "array", "object"])
    }

    @Test func accessors() throws {
        let node = try JSONParser.parse(#"{"s": "x", "i": 3, "d": 0.5, "b": false, "n": null, "a": [1]}"#)
        #expect(node["s"]?.value.stringValue == "x")
        #expect(node["i"]?.value.intValue == 3)
        #expect(node["i"]?.value.doubleValue == 3.0)
        #expect(node["d"]?.value.doubleValue == 0.5)
        #expect(node["d"]?.value.intValue == nil)
        #expect(node["b"]?.value.boolValue == false)
        #expect(node["n"]?.value.isNull == true)
        #expect(node["s"]?.value.isNull == false)
        #expect(node["a"]?.value.arrayValue?.count == 1)
        #expect(node.value.objectValue?.count == 6)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let node = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8))
        #expect(Tree(node) == .object([("a", .int(1))]))
        #expect(node.position == SourcePosition(line: 1, column: 1, offset: 3))
    }

    @Test func deleteCharacterIsAllowedInStrings() throws {
        #expect(Tree(try JSONParser.parse("\"a\u{7F}b\"")) == .string("a\u{7F}b"))
    }

    @Test func threeEntryPointsAgree() throws {
        let text = #"{"x": [1, 2.5, "é"]}"#
        let fromString = Tree(try JSONParser.parse(text))
        let fromArray = Tree(try JSONParser.parse(Array(text.utf8)))
        let fromBuffer = try Array(text.utf8).withUnsafeBytes { buffer in
            Tree(try JSONParser.parse(buffer))
        }
        #expect(fromString == fromArray)
        #expect(fromString == fromBuffer)
    }

    @Test func parsedTreesCrossConcurrencyDomains() async throws {
        let node = try JSONParser.parse(#"{"a": [1]}"#)
        let count = await Task.detached { node["a"]?.value.arrayValue?.count }.value
        #expect(count == 1)
    }

    @Test func layoutStaysCompact() {
        #expect(MemoryLayout<SourcePosition>.size == 12)
        #expect(MemoryLayout<JSONNode>.stride == 32)
        #expect(MemoryLayout<JSONMember>.stride == 64)
    }
}
