import DagJSON
import Testing

/// Nesting is limited to 512 levels and never overflows the call stack.
@Suite struct DepthTests {
    @Test func fiveHundredTwelveLevelsParse() throws {
        let text = String(repeating: "[", count: 512) + "7" + String(repeating: "]", count: 512)
        var node = try JSONParser.parse(text)
        var depth = 0
        while case .array(let elements) = node.value {
            depth += 1
            node = elements[0]
        }
        #expect(depth == 512)
        #expect(node.value.intValue == 7)
        #expect(node.position.column == 513)
    }

    @Test func fiveHundredThirteenLevelsFail() throws {
        let text = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let error = try #require(syntaxError(text))
        #expect(error.description == "1:513: nesting deeper than 512 levels")
    }

    @Test func tenThousandBracketsFailCleanly() throws {
        let error = try #require(syntaxError(String(repeating: "[", count: 10_000)))
        #expect(error.description == "1:513: nesting deeper than 512 levels")
        #expect(error.position.offset == 512)
    }

    @Test func tenThousandObjectsFailCleanly() throws {
        let error = try #require(syntaxError(String(repeating: #"{"a":"#, count: 10_000)))
        #expect(error.description == "1:2561: nesting deeper than 512 levels")
    }

    @Test func mixedNestingKeepsKeysOfOuterObjects() throws {
        // {"k0":[{"k2":[ ... 1 ... ]}],"after0":0} at every object level.
        var text = "1"
        for level in stride(from: 511, through: 0, by: -1) {
            text = level.isMultiple(of: 2) ? #"{"k\#(level)":\#(text),"after\#(level)":\#(level)}"# : "[\(text)]"
        }
        var node = try JSONParser.parse(text)
        var level = 0
        while true {
            switch node.value {
            case .object(let members):
                #expect(members.map(\.key) == ["k\(level)", "after\(level)"])
                #expect(members[1].value.value.intValue == level)
                node = members[0].value
            case .array(let elements):
                node = elements[0]
            default:
                #expect(level == 512)
                #expect(node.value.intValue == 1)
                return
            }
            level += 1
        }
    }
}
