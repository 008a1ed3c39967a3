import DagJSON
import Testing

/// Numbers: the `Double` fast path must round exactly like the standard
/// library's `strtod`-based conversion.
@Suite struct NumberTests {
    static func double(_ text: String) throws -> Double? {
        if case .double(let value) = try JSONParser.parse(text).value { return value }
        return nil
    }

    @Test(arguments: [
        "0.1", "0.2", "0.3", "1e-22", "1e22", "1e23", "9007199254740993.0", "9007199254740992.5",
        "123456789012345678.5", "2.2250738585072011e-308", "2.2250738585072014e-308",
        "4.9e-324", "5e-324", "2e-324", "1e-400", "1.7976931348623157e308", "0.000000000000000000000000001",
        "3.141592653589793238462643383279", "1.00000000000000011102230246251565404236316680908203125",
        "7.2057594037927933e16", "-0.0", "0e0", "0E-0", "-0e+5", "1E400000000000000000000",
    ])
    func edgeCasesMatchTheStandardLibrary(_ text: String) throws {
        // 1E400000000000000000000 overflows: it is an error, checked below.
        if text == "1E400000000000000000000" {
            #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
            return
        }
        let parsed = try #require(try Self.double(text))
        let expected = try #require(Double(text))
        #expect(parsed.bitPattern == expected.bitPattern, "\(text): \(parsed) vs \(expected)")
    }

    @Test func randomDecimalsMatchTheStandardLibrary() throws {
        var random = SeededGenerator(seed: 8259)
        for _ in 0..<20_000 {
            var text = Bool.random(using: &random) ? "-" : ""
            let integerDigits = Int.random(in: 1...12, using: &random)
            text += String(Int.random(in: 1...9, using: &random))
            for _ in 1..<integerDigits { text += String(Int.random(in: 0...9, using: &random)) }
            if Bool.random(using: &random) { text = text.hasPrefix("-") ? "-0" : "0" }
            text += "."
            for _ in 0..<Int.random(in: 1...10, using: &random) { text += String(Int.random(in: 0...9, using: &random)) }
            if Int.random(in: 0..<3, using: &random) == 0 {
                text += ["e", "E"].randomElement(using: &random)! + ["", "+", "-"].randomElement(using: &random)!
                text += String(Int.random(in: 0...40, using: &random))
            }
            let parsed = try #require(try Self.double(text))
            let expected = try #require(Double(text))
            #expect(parsed.bitPattern == expected.bitPattern, "\(text)")
            if parsed.bitPattern != expected.bitPattern { return }
        }
    }

    @Test func shortestRepresentationsRoundTrip() throws {
        var random = SeededGenerator(seed: 1990)
        var checked = 0
        while checked < 20_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            let parsed = try #require(try Self.double(value.description), "\(value)")
            #expect(parsed.bitPattern == value.bitPattern, "\(value)")
            if parsed.bitPattern != value.bitPattern { return }
            checked += 1
        }
    }

    @Test func integersBecomeIntWhenTheyFit() throws {
        var random = SeededGenerator(seed: 64)
        for _ in 0..<5_000 {
            let value = Int(bitPattern: UInt(random.next()))
            #expect(try JSONParser.parse(String(value)).value.intValue == value)
        }
        #expect(try JSONParser.parse("18446744073709551616").value.doubleValue == 18446744073709551616.0)
        #expect(try JSONParser.parse("-9223372036854775808").value.intValue == Int.min)
    }
}
