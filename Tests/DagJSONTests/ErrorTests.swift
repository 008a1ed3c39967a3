import DagJSON
import Testing

/// Each error: its exact message and where it points.
@Suite struct ErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [UInt8]
        let position: String
        let offset: Int
        let message: String

        init(_ input: String, _ position: String, _ offset: Int, _ message: String) {
            self.init(Array(input.utf8), position, offset, message)
        }

        init(_ input: [UInt8], _ position: String, _ offset: Int, _ message: String) {
            self.input = input
            self.position = position
            self.offset = offset
            self.message = message
        }

        var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }
    }

    static let structure: [Case] = [
        Case(#"{"a": 1 "b": 2}"#, "1:9", 8, #"expected ',' or '}' after an object member, found '"'"#),
        Case("[1 2]", "1:4", 3, "expected ',' or ']' after an array element, found '2'"),
        Case(#"{"a" 1}"#, "1:6", 5, "expected ':' after an object key, found '1'"),
        Case(#"{a: 1}"#, "1:2", 1, "expected a double-quoted object key, found 'a'"),
        Case(#"{"a": 1, 2: 3}"#, "1:10", 9, "expected a double-quoted object key, found '2'"),
        Case("[1,,2]", "1:4", 3, "expected a value, found ','"),
        Case(#"{"a":}"#, "1:6", 5, "expected a value, found '}'"),
        Case("[1, 2,]", "1:6", 5, "trailing comma before ']'"),
        Case("{\"a\": 1,\n}", "1:8", 7, "trailing comma before '}'"),
        Case("[1,\r\n  ]", "1:3", 2, "trailing comma before ']'"),
        Case("{} x", "1:4", 3, "unexpected content after the top-level value"),
        Case("1 2", "1:3", 2, "unexpected content after the top-level value"),
        Case("[1]]", "1:4", 3, "unexpected content after the top-level value"),
        Case("['a']", "1:2", 1, "single-quoted string; JSON strings use double quotes"),
        Case("[hello]", "1:2", 1, "unexpected word 'hello'; JSON strings use double quotes"),
        Case("[tru]", "1:2", 1, "invalid literal 'tru'"),
        Case("[nul]", "1:2", 1, "invalid literal 'nul'"),
        Case("[falsey]", "1:2", 1, "invalid literal 'falsey'"),
        Case("True", "1:1", 0, "unexpected word 'True'; JSON strings use double quotes"),
        Case("[\u{1}]", "1:2", 1, "expected a value, found control character U+0001"),
        Case("é", "1:1", 0, "expected a value, found 'é'"),
        Case([0x5B, 0xFF, 0x5D], "1:2", 1, "expected a value, found invalid UTF-8 byte 0xFF"),
        Case(#"["é", "ü" x]"#, "1:11", 12, "expected ',' or ']' after an array element, found 'x'"),
    ]

    static let endOfFile: [Case] = [
        Case("", "1:1", 0, "unexpected end of file; expected a JSON value"),
        Case("  \n ", "2:2", 4, "unexpected end of file; expected a JSON value"),
        Case("{\n  \"tasks\": [1, 2", "2:17", 18, "unexpected end of file inside an array started at 2:12"),
        Case(#"{"a":1,"b""#, "1:11", 10, "unexpected end of file inside an object started at 1:1"),
        Case("{", "1:2", 1, "unexpected end of file inside an object started at 1:1"),
        Case(#"{"a":"#, "1:6", 5, "unexpected end of file inside an object started at 1:1"),
        Case("[\r\n1,\r\n2\r\n", "4:1", 10, "unexpected end of file inside an array started at 1:1"),
        Case("[\n  \"abc", "2:7", 8, "unterminated string (started at 2:3)"),
        Case(#"["abc\"#, "1:7", 6, "unterminated string (started at 1:2)"),
    ]

    static let numbers: [Case] = [
        Case("[01]", "1:2", 1, "invalid number '01'"),
        Case("[-01]", "1:2", 1, "invalid number '-01'"),
        Case("[00]", "1:2", 1, "invalid number '00'"),
        Case("[+1]", "1:2", 1, "invalid number '+1'"),
        Case("[.5]", "1:2", 1, "invalid number '.5'"),
        Case("[1.]", "1:2", 1, "invalid number '1.'"),
        Case("[1.e5]", "1:2", 1, "invalid number '1.e5'"),
        Case("[-]", "1:2", 1, "invalid number '-'"),
        Case("[- 1]", "1:2", 1, "invalid number '-'"),
        Case("[1e]", "1:2", 1, "invalid number '1e'"),
        Case("[1e+]", "1:2", 1, "invalid number '1e+'"),
        Case("[1.5.2]", "1:2", 1, "invalid number '1.5.2'"),
        Case("[0x1F]", "1:2", 1, "invalid number '0x1F'"),
        Case("[12abc]", "1:2", 1, "invalid number '12abc'"),
        Case("[NaN]", "1:2", 1, "invalid number 'NaN'; JSON has no NaN or infinity"),
        Case("[nan]", "1:2", 1, "invalid number 'nan'; JSON has no NaN or infinity"),
        Case("[Infinity]", "1:2", 1, "invalid number 'Infinity'; JSON has no NaN or infinity"),
        Case("[-Infinity]", "1:2", 1, "invalid number '-Infinity'; JSON has no NaN or infinity"),
        Case("[1e400]", "1:2", 1, "number '1e400' is out of range for a 64-bit floating-point value"),
        Case("[-1e400]", "1:2", 1, "number '-1e400' is out of range for a 64-bit floating-point value"),
    ]

    static let strings: [Case] = [
        Case("[\"a\nb\"]", "1:4", 3, #"control character U+000A in string; use \n"#),
        Case("\"a\tb\"", "1:3", 2, #"control character U+0009 in string; use \t"#),
        Case("\"\r\"", "1:2", 1, #"control character U+000D in string; use \r"#),
        Case("\"\u{8}\u{C}\"", "1:2", 1, #"control character U+0008 in string; use \b"#),
        Case("\"\u{1F}\"", "1:2", 1, #"control character U+001F in string; use \u001F"#),
        Case("\"\u{0}\"", "1:2", 1, #"control character U+0000 in string; use \u0000"#),
        Case(#"["é\x"]"#, "1:4", 4, #"invalid escape '\x' in string; valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#),
        Case("\"\\\u{1}\"", "1:2", 1, #"invalid escape: '\' followed by control character U+0001 in string; valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#),
        Case(#""\u12G4""#, "1:2", 1, #"invalid \u escape: expected four hexadecimal digits after \u"#),
        Case(#""\u12""#, "1:2", 1, #"invalid \u escape: expected four hexadecimal digits after \u"#),
        Case(#""\uD800""#, "1:2", 1, #"lone surrogate \uD800 in string; a surrogate pair is a \uD800-\uDBFF escape followed by a \uDC00-\uDFFF escape"#),
        Case(#""x\udc00y""#, "1:3", 2, #"lone surrogate \udc00 in string; a surrogate pair is a \uD800-\uDBFF escape followed by a \uDC00-\uDFFF escape"#),
        Case(#""\uD83D\u0041""#, "1:2", 1, #"lone surrogate \uD83D in string; a surrogate pair is a \uD800-\uDBFF escape followed by a \uDC00-\uDFFF escape"#),
        Case(#""\uD83Dx""#, "1:2", 1, #"lone surrogate \uD83D in string; a surrogate pair is a \uD800-\uDBFF escape followed by a \uDC00-\uDFFF escape"#),
    ]

    static let utf8: [Case] = [
        Case([0x22, 0x61, 0xFF, 0x62, 0x22], "1:3", 2, "invalid UTF-8 byte 0xFF in string"),
        // A stray continuation byte.
        Case([0x22, 0x80, 0x22], "1:2", 1, "invalid UTF-8 byte 0x80 in string"),
        // An overlong encoding of '/'.
        Case([0x22, 0xC0, 0xAF, 0x22], "1:2", 1, "invalid UTF-8 byte 0xC0 in string"),
        // A lead byte followed by the closing quote.
        Case([0x22, 0xC3, 0x22], "1:2", 1, "invalid UTF-8 byte 0xC3 in string"),
        // A UTF-16 surrogate encoded in UTF-8.
        Case([0x22, 0xED, 0xA0, 0x80, 0x22], "1:2", 1, "invalid UTF-8 byte 0xED in string"),
        // Beyond U+10FFFF.
        Case([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "1:2", 1, "invalid UTF-8 byte 0xF4 in string"),
        // Truncated by the end of the input.
        Case([0x22, 0xE2, 0x82], "1:2", 1, "invalid UTF-8 byte 0xE2 in string"),
        // After valid multi-byte characters on a later line: columns count characters.
        Case([0x5B, 0x0A, 0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xFE, 0x22, 0x5D], "2:4", 8, "invalid UTF-8 byte 0xFE in string"),
    ]

    @Test(arguments: structure + endOfFile + numbers + strings + utf8)
    func reportsMessageAndPosition(_ testCase: Case) throws {
        let error = try #require(syntaxError(testCase.input))
        #expect(error.message == testCase.message)
        #expect(error.position.description == testCase.position)
        #expect(error.position.offset == testCase.offset)
        let expected = naivePositions(testCase.input)[testCase.offset]
        #expect(error.position.line == expected.line && error.position.column == expected.column)
    }

    @Test func problemsAtEveryOffsetOfALongStringAreFound() throws {
        // Strings are scanned eight bytes at a time; a bad byte must be found
        // wherever it falls in a word, and the bytes before it must count.
        let prefix = Array(#"["é"#.utf8)  // the string's content starts at column 3
        for index in 0..<24 {
            var content = Array(repeating: UInt8(ascii: "a"), count: 24)
            for (bad, message) in [
                (UInt8(0x01), #"control character U+0001 in string; use \u0001"#),
                (UInt8(0x0A), #"control character U+000A in string; use \n"#),
                (UInt8(0xFF), "invalid UTF-8 byte 0xFF in string"),
                (UInt8(0x80), "invalid UTF-8 byte 0x80 in string"),
            ] {
                content[index] = bad
                let error = try #require(syntaxError(prefix + content + Array(#""]"#.utf8)))
                #expect(error.message == message)
                #expect(error.position.offset == prefix.count + index)
                #expect(error.position.column == 4 + index)
            }
            let node = try JSONParser.parse(prefix + content[..<index] + Array(#"", 1]"#.utf8))
            let elements = try #require(node.value.arrayValue)
            #expect(elements[0].value.stringValue == "é" + String(repeating: "a", count: index))
        }
    }

    @Test func descriptionIsPositionThenMessage() throws {
        let error = try #require(syntaxError("[1, 2,]"))
        #expect(error.description == "1:6: trailing comma before ']'")
    }

    @Test func errorsFromStringAndBufferEntryPointsAgree() throws {
        let text = "{\"a\": [1,\n 2,]}"
        let fromArray = try #require(syntaxError(text))
        do {
            _ = try JSONParser.parse(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == fromArray.description)
        }
        #expect(fromArray.description == "2:3: trailing comma before ']'")
    }
}
