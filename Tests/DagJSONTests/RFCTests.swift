import DagJSON
import Testing

/// The examples of RFC 8259 section 13, and the grammar's whitespace set.
@Suite struct RFCTests {
    @Test func imageObject() throws {
        let text = """
            {
                    "Image": {
                        "Width":  800,
                        "Height": 600,
                        "Title":  "View from 15th Floor",
                        "Thumbnail": {
                            "Url":    "http://www.example.com/image/481989943",
                            "Height": 125,
                            "Width":  100
                        },
                        "Animated" : false,
                        "IDs": [116, 943, 234, 38793]
                      }
                  }
            """
        let root = try JSONParser.parse(text)
        let image = try #require(root["Image"])
        #expect(image.position.description == "2:18")
        #expect(image["Width"]?.value.intValue == 800)
        #expect(image["Height"]?.value.intValue == 600)
        #expect(image["Title"]?.value.stringValue == "View from 15th Floor")
        #expect(image["Thumbnail"]?["Url"]?.value.stringValue == "http://www.example.com/image/481989943")
        #expect(image["Thumbnail"]?["Height"]?.value.intValue == 125)
        #expect(image["Animated"]?.value.boolValue == false)
        let ids = try #require(image["IDs"]?.value.arrayValue)
        #expect(ids.compactMap(\.value.intValue) == [116, 943, 234, 38793])
        #expect(ids[3].position.description == "12:36")
    }

    @Test func arrayOfTwoObjects() throws {
        let text = """
            [
                    {
                       "precision": "zip",
                       "Latitude":  37.7668,
                       "Longitude": -122.3959,
                       "Address":   "",
                       "City":      "SAN FRANCISCO",
                       "State":     "CA",
                       "Zip":       "94107",
                       "Country":   "US"
                    },
                    {
                       "precision": "zip",
                       "Latitude":  37.371991,
                       "Longitude": -122.026020,
                       "Address":   "",
                       "City":      "SUNNYVALE",
                       "State":     "CA",
                       "Zip":       "94085",
                       "Country":   "US"
                    }
                  ]
            """
        let places = try #require(try JSONParser.parse(text).value.arrayValue)
        #expect(places.count == 2)
        #expect(places[0]["Latitude"]?.value.doubleValue == 37.7668)
        #expect(places[0]["Longitude"]?.value.doubleValue == -122.3959)
        #expect(places[1]["Longitude"]?.value.doubleValue == -122.026020)
        #expect(places[1]["City"]?.value.stringValue == "SUNNYVALE")
        #expect(places[1]["Address"]?.value.stringValue == "")
        #expect(places[1].position.description == "12:9")
    }

    @Test func scalarTexts() throws {
        #expect(try JSONParser.parse(#""Hello world!""#).value.stringValue == "Hello world!")
        #expect(try JSONParser.parse("42").value.intValue == 42)
        #expect(try JSONParser.parse("true").value.boolValue == true)
    }

    @Test func onlyFourWhitespaceCharacters() throws {
        #expect(Tree(try JSONParser.parse(" \t\n\r[ \t\n\r1 \t\n\r] \t\n\r")) == .array([.int(1)]))
        for other in ["\u{C}", "\u{B}", "\u{A0}", "\u{2028}", "\u{FEFF}"] {
            #expect(throws: JSONSyntaxError.self, "\(other.unicodeScalars.first!.value)") {
                try JSONParser.parse("[1,\(other)2]")
            }
        }
    }
}
