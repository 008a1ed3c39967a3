extension JSONScanner {
    /// Scans a string with `pos` at its opening quote and leaves `pos` after
    /// the closing quote.
    ///
    /// The common case, no escapes, makes the `String` straight from the byte
    /// slice, or from ``StringCache`` when short. UTF-8 is validated here, so
    /// that an invalid byte is reported with its position rather than
    /// silently replaced. Plain ASCII is skipped eight bytes at a time.
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> String {
        let open = pos
        let contentStart = pos + 1
        var p = contentStart
        while true {
            while p + 8 <= end {
                let special = Self.specialBytes(
                    UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self).littleEndian)
                if special != 0 {
                    p += special.trailingZeroBitCount >> 3
                    break
                }
                p += 8
            }
            guard p < end else { throw unterminatedStringError(open: open) }
            let byte = base[p]
            if byte == Byte.quote {
                pos = p + 1
                let length = p - contentStart
                if length <= StringCache.maximumLength {
                    return shortStrings.string(at: base + contentStart, length: length, limit: base + end)
                }
                return String(
                    decoding: UnsafeBufferPointer(start: base + contentStart, count: length),
                    as: UTF8.self)
            }
            if byte == Byte.backslash {
                return try scanEscapedString(open: open, contentStart: contentStart, firstEscape: p)
            }
            if byte < Byte.space { throw controlCharacterError(at: p) }
            p = byte < 0x80 ? p + 1 : try scanMultiByteCharacter(at: p)
        }
    }

    /// A mask with the high bit set in each byte of `word` (read little-endian,
    /// first byte lowest) that is `"`, `\`, a control character or not
    /// ASCII; the lowest set bit marks the first such byte.
    ///
    /// The zero-byte test `(x - 0x01…) & ~x & 0x80…` can flag a byte above a
    /// true match (the subtraction borrows), never below the first one, so the
    /// lowest flag is exact (Anderson, "Bit Twiddling Hacks", "Determine if a
    /// word has a byte less than n").
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* UInt64(Byte.quote))
        let backslashes = word ^ (ones &* UInt64(Byte.backslash))
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = (word &- ones &* UInt64(Byte.space)) & ~word
        return (isQuote | isBackslash | isControl | word) & 0x8080_8080_8080_8080
    }

    private mutating func scanEscapedString(
        open: Int, contentStart: Int, firstEscape: Int
    ) throws(JSONSyntaxError) -> String {
        unescaped.removeAll(keepingCapacity: true)
        appendRaw(from: contentStart, to: firstEscape)
        var p = firstEscape
        var runStart = p
        while p < end {
            let byte = base[p]
            if byte == Byte.quote {
                appendRaw(from: runStart, to: p)
                pos = p + 1
                return String(decoding: unescaped, as: UTF8.self)
            }
            if byte == Byte.backslash {
                appendRaw(from: runStart, to: p)
                p = try scanEscape(at: p, open: open)
                runStart = p
                continue
            }
            if byte < Byte.space { throw controlCharacterError(at: p) }
            p = byte < 0x80 ? p + 1 : try scanMultiByteCharacter(at: p)
        }
        throw unterminatedStringError(open: open)
    }

    private mutating func appendRaw(from start: Int, to end: Int) {
        if start < end {
            unescaped.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
        }
    }

    /// Decodes the escape at `p` (a backslash) into `unescaped` and returns
    /// the offset after it.
    private mutating func scanEscape(at p: Int, open: Int) throws(JSONSyntaxError) -> Int {
        guard p + 1 < end else { throw unterminatedStringError(open: open) }
        let decoded: UInt8
        switch base[p + 1] {
        case Byte.quote: decoded = Byte.quote
        case Byte.backslash: decoded = Byte.backslash
        case Byte.slash: decoded = Byte.slash
        case 0x62: decoded = 0x08  // b
        case 0x66: decoded = 0x0C  // f
        case 0x6E: decoded = Byte.lineFeed  // n
        case 0x72: decoded = Byte.carriageReturn  // r
        case 0x74: decoded = Byte.tab  // t
        case 0x75:  // u
            return try scanUnicodeEscape(at: p)
        default:
            throw invalidEscapeError(at: p)
        }
        unescaped.append(decoded)
        return p + 2
    }

    /// Decodes `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, at `p`.
    private mutating func scanUnicodeEscape(at p: Int) throws(JSONSyntaxError) -> Int {
        guard let unit = hexQuad(at: p + 2) else {
            throw error(at: p, "invalid \\u escape: expected four hexadecimal digits after \\u")
        }
        var scalarValue = UInt32(unit)
        var next = p + 6
        switch unit {
        case 0xD800...0xDBFF:
            guard next + 1 < end, base[next] == Byte.backslash, base[next + 1] == 0x75,
                let low = hexQuad(at: next + 2), (0xDC00...0xDFFF).contains(low)
            else { throw loneSurrogateError(at: p) }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw loneSurrogateError(at: p)
        default:
            break
        }
        appendUTF8(scalarValue)
        return next
    }

    private func hexQuad(at p: Int) -> UInt16? {
        guard p + 4 <= end else { return nil }
        var value: UInt16 = 0
        for index in p..<(p + 4) {
            let byte = base[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            unescaped.append(UInt8(scalar))
        case 0x80..<0x800:
            unescaped.append(UInt8(0xC0 | scalar >> 6))
            unescaped.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            unescaped.append(UInt8(0xE0 | scalar >> 12))
            unescaped.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | scalar & 0x3F))
        default:
            unescaped.append(UInt8(0xF0 | scalar >> 18))
            unescaped.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            unescaped.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates the multi-byte UTF-8 sequence whose lead byte is at `p`,
    /// counts its continuation bytes for column tracking, and returns the
    /// offset after it.
    @inline(__always)
    mutating func scanMultiByteCharacter(at p: Int) throws(JSONSyntaxError) -> Int {
        guard let length = utf8SequenceLength(at: p) else {
            throw error(at: p, "invalid UTF-8 byte 0x\(hex(base[p], digits: 2)) in string")
        }
        continuationBytesOnLine += length - 1
        return p + length
    }

    /// The length of the well-formed UTF-8 sequence starting at `p` (Unicode
    /// 15, table 3-7: no overlong forms, no surrogates, nothing past
    /// U+10FFFF), or `nil`.
    func utf8SequenceLength(at p: Int) -> Int? {
        let lead = base[p]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: return nil
        }
        guard p + length <= end else { return nil }
        let second = base[p + 1]
        guard second >= secondLow && second <= secondHigh else { return nil }
        for index in (p + 2)..<(p + length) where base[index] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }
}
