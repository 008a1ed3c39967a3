/// `value` in upper-case hexadecimal, zero-padded to `digits`.
func hex<Value: BinaryInteger>(_ value: Value, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: Swift.max(0, digits - text.count)) + text
}

extension JSONScanner {
    /// The position of `offset`, computed from the start of the document.
    ///
    /// Used for errors only: it is O(offset), while value positions come from
    /// the running line state in O(1). Both follow the same rules: LF, CRLF
    /// and lone CR each end one line; continuation bytes take no column.
    func locate(_ offset: Int) -> SourcePosition {
        var line = 1
        var column = 1
        var index = documentStart
        while index < offset {
            let byte = base[index]
            if byte == Byte.lineFeed {
                line += 1
                column = 1
            } else if byte == Byte.carriageReturn {
                line += 1
                column = 1
                if index + 1 < offset && base[index + 1] == Byte.lineFeed { index += 1 }
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return SourcePosition(line: line, column: column, offset: offset)
    }

    func error(at offset: Int, _ message: String) -> JSONSyntaxError {
        JSONSyntaxError(position: locate(offset), message: message)
    }

    /// What the byte at `p` is, for "found ..." in messages: `'x'`, `'é'`,
    /// `control character U+0001`, `invalid UTF-8 byte 0xFF` or `end of file`.
    func describe(at p: Int) -> String {
        guard p < end else { return "end of file" }
        let byte = base[p]
        switch byte {
        case 0x21...0x7E:
            return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x00...0x20, 0x7F:
            return "control character U+\(hex(byte, digits: 4))"
        default:
            guard let length = utf8SequenceLength(at: p) else {
                return "invalid UTF-8 byte 0x\(hex(byte, digits: 2))"
            }
            let character = String(
                decoding: UnsafeBufferPointer(start: base + p, count: length), as: UTF8.self)
            return "'\(character)'"
        }
    }

    /// The token at `p`: the run of letters, digits, `+`, `-` and `.`,
    /// shortened to 40 characters.
    func token(at p: Int) -> String {
        var tokenEnd = p
        while tokenEnd < end && Byte.isTokenByte(base[tokenEnd]) { tokenEnd += 1 }
        let shown = Swift.min(tokenEnd - p, 40)
        let text = String(decoding: UnsafeBufferPointer(start: base + p, count: shown), as: UTF8.self)
        return shown < tokenEnd - p ? text + "..." : text
    }

    func endOfFileError() -> JSONSyntaxError {
        guard containers.count > 0 else {
            return error(at: end, "unexpected end of file; expected a JSON value")
        }
        let innermost = containers.top
        let kind = innermost.isObject ? "an object" : "an array"
        return error(at: end, "unexpected end of file inside \(kind) started at \(innermost.position)")
    }

    func valueExpectedError(at p: Int) -> JSONSyntaxError {
        let byte = base[p]
        if byte == Byte.plus || byte == Byte.period { return invalidNumberError(at: p) }
        if byte == 0x27 {
            return error(at: p, "single-quoted string; JSON strings use double quotes")
        }
        if Byte.isTokenByte(byte) {
            let word = token(at: p)
            switch word.lowercased() {
            case "nan", "infinity", "inf":
                return error(at: p, "invalid number '\(word)'; JSON has no NaN or infinity")
            default:
                return error(at: p, "unexpected word '\(word)'; JSON strings use double quotes")
            }
        }
        return error(at: p, "expected a value, found \(describe(at: p))")
    }

    func keyExpectedError(at p: Int) -> JSONSyntaxError {
        let found = Byte.isTokenByte(base[p]) ? "'\(token(at: p))'" : describe(at: p)
        return error(at: p, "expected a double-quoted object key, found \(found)")
    }

    func invalidNumberError(at start: Int) -> JSONSyntaxError {
        let text = token(at: start)
        if ["-nan", "-infinity", "-inf", "+nan", "+infinity", "+inf"].contains(text.lowercased()) {
            return error(at: start, "invalid number '\(text)'; JSON has no NaN or infinity")
        }
        return error(at: start, "invalid number '\(text)'")
    }

    func invalidLiteralError(at start: Int) -> JSONSyntaxError {
        let word = token(at: start)
        if word.lowercased() == "nan" {
            return error(at: start, "invalid number '\(word)'; JSON has no NaN or infinity")
        }
        return error(at: start, "invalid literal '\(word)'")
    }

    func controlCharacterError(at p: Int) -> JSONSyntaxError {
        let byte = base[p]
        let escape: String
        switch byte {
        case 0x08: escape = "\\b"
        case 0x09: escape = "\\t"
        case 0x0A: escape = "\\n"
        case 0x0C: escape = "\\f"
        case 0x0D: escape = "\\r"
        default: escape = "\\u\(hex(byte, digits: 4))"
        }
        return error(at: p, "control character U+\(hex(byte, digits: 4)) in string; use \(escape)")
    }

    func unterminatedStringError(open: Int) -> JSONSyntaxError {
        error(at: end, "unterminated string (started at \(locate(open)))")
    }

    func invalidEscapeError(at p: Int) -> JSONSyntaxError {
        let valid = #"valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#
        let next = base[p + 1]
        if next > Byte.space && next < 0x7F {
            return error(at: p, "invalid escape '\\\(Character(Unicode.Scalar(next)))' in string; \(valid)")
        }
        return error(at: p, "invalid escape: '\\' followed by \(describe(at: p + 1)) in string; \(valid)")
    }

    func loneSurrogateError(at p: Int) -> JSONSyntaxError {
        let digits = String(decoding: UnsafeBufferPointer(start: base + p + 2, count: 4), as: UTF8.self)
        return error(
            at: p,
            "lone surrogate \\u\(digits) in string; a surrogate pair is a \\uD800-\\uDBFF escape followed by a \\uDC00-\\uDFFF escape"
        )
    }
}
