/// 10^0 through 10^22, every one exactly representable as a `Double`.
private let exactPowersOfTen: (
    Double, Double, Double, Double, Double, Double, Double, Double, Double, Double, Double, Double,
    Double, Double, Double, Double, Double, Double, Double, Double, Double, Double, Double
) = (
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
)

@inline(__always)
private func exactPowerOfTen(_ exponent: Int) -> Double {
    withUnsafeBytes(of: exactPowersOfTen) { $0.load(fromByteOffset: exponent * 8, as: Double.self) }
}

extension JSONScanner {
    /// Scans a number with `pos` at its first byte (`-` or a digit).
    ///
    /// Grammar (RFC 8259 section 6):
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    ///
    /// Integers that fit are returned as `.int`. Other numbers whose decimal
    /// significand has at most 19 digits and is at most 2^53, with a decimal
    /// exponent within ±22, are computed as one multiplication or division of
    /// two exactly representable doubles, which IEEE 754 rounds correctly
    /// (Clinger's fast path). Everything else goes to the standard library's
    /// correctly rounded `Double(_: String)`.
    @inline(__always)
    mutating func scanNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = pos
        var p = start
        let negative = base[p] == Byte.minus
        if negative { p += 1 }
        guard p < end, Byte.isDigit(base[p]) else { throw invalidNumberError(at: start) }

        var significand: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        @inline(__always)
        func accumulate(_ byte: UInt8) {
            let digit = UInt64(byte &- Byte.zero)
            if significantDigits < 19 {
                significand = significand &* 10 &+ digit
                if significand != 0 { significantDigits += 1 }
            } else {
                droppedDigits = true
            }
        }

        if base[p] == Byte.zero {
            p += 1  // a digit after a leading zero fails the token check below
        } else {
            repeat {
                accumulate(base[p])
                p += 1
            } while p < end && Byte.isDigit(base[p])
        }

        var isInteger = true
        var fractionDigits = 0
        if p < end && base[p] == Byte.period {
            isInteger = false
            p += 1
            guard p < end, Byte.isDigit(base[p]) else { throw invalidNumberError(at: start) }
            repeat {
                accumulate(base[p])
                fractionDigits += 1
                p += 1
            } while p < end && Byte.isDigit(base[p])
        }

        var exponent = 0
        if p < end && base[p] | 0x20 == 0x65 {  // e or E
            isInteger = false
            p += 1
            var exponentNegative = false
            if p < end && (base[p] == Byte.plus || base[p] == Byte.minus) {
                exponentNegative = base[p] == Byte.minus
                p += 1
            }
            guard p < end, Byte.isDigit(base[p]) else { throw invalidNumberError(at: start) }
            repeat {
                if exponent < 100_000 { exponent = exponent * 10 + Int(base[p] &- Byte.zero) }
                p += 1
            } while p < end && Byte.isDigit(base[p])
            if exponentNegative { exponent = -exponent }
        }

        if p < end && Byte.isTokenByte(base[p]) { throw invalidNumberError(at: start) }
        pos = p

        if !droppedDigits {
            if isInteger {
                if negative {
                    if significand <= 1 << 63 { return .int(Int(truncatingIfNeeded: 0 &- significand)) }
                } else if significand <= UInt64(Int.max) {
                    return .int(Int(significand))
                }
            }
            let decimalExponent = exponent - fractionDigits
            if significand <= 1 << 53 && decimalExponent >= -22 && decimalExponent <= 22 {
                var value = Double(significand)
                if decimalExponent < 0 {
                    value /= exactPowerOfTen(-decimalExponent)
                } else {
                    value *= exactPowerOfTen(decimalExponent)
                }
                return .double(negative ? -value : value)
            }
        }
        return .double(try convertWithStandardLibrary(from: start, to: p))
    }

    private func convertWithStandardLibrary(from start: Int, to end: Int) throws(JSONSyntaxError) -> Double {
        let text = String(
            decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error(at: start, "number '\(text)' is out of range for a 64-bit floating-point value")
        }
        return value
    }
}
