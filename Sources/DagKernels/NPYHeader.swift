/// The three facts a `.npy` header records, and the conversion between
/// them and the header's text: a Python dictionary literal such as
///
///     {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
///
/// Format specification: numpy's `numpy/lib/format.py` ("NPY format"),
/// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
struct NPYHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// The element types this module converts to `Double`.
    enum ElementType: String, CaseIterable {
        case float64 = "<f8", float32 = "<f4", int64 = "<i8", int32 = "<i4"

        var size: Int {
            switch self {
            case .float64, .int64: 8
            case .float32, .int32: 4
            }
        }

        static let supportedList = allCases.map(\.rawValue).joined(separator: ", ")
    }

    init(descr: String, fortranOrder: Bool, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    // MARK: Writing

    /// numpy's `ARRAY_ALIGN`: the data starts at a multiple of this offset.
    static let alignment = 64

    /// numpy's `GROWTH_AXIS_MAX_DIGITS`: spare spaces numpy leaves so the
    /// growing axis can be rewritten in place.
    static let growthAxisMaxDigits = 21

    /// The complete version 1.0 preamble, byte for byte as numpy's
    /// `_write_array_header` + `_wrap_header` produce it: magic, version,
    /// little-endian `UInt16` header length, the dictionary with keys in
    /// sorted order, spare spaces, padding spaces, and a newline, such that
    /// the data starts at a multiple of 64.
    func encoded() -> [UInt8] {
        var text = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        if let growing = fortranOrder ? shape.last : shape.first {
            text += String(repeating: " ", count: max(0, NPYHeader.growthAxisMaxDigits - String(growing).count))
        }
        let textLength = text.utf8.count + 1
        // As numpy: a preamble already at a multiple of 64 still gets 64 spaces.
        let padding = NPYHeader.alignment - (NPY.magic.count + 4 + textLength) % NPYHeader.alignment
        let headerLength = textLength + padding
        precondition(headerLength <= Int(UInt16.max), "a 1-D or 2-D header always fits in format 1.0")
        var bytes = NPY.magic + [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        bytes += Array(text.utf8)
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: padding)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Python's `repr` of the shape tuple: `()`, `(5,)`, `(3, 4)`.
    var shapeText: String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    // MARK: Reading

    /// A problem with the header text; the caller adds the path.
    struct Problem: Error {
        var kind: NPYError.Kind
        var message: String
    }

    /// Reads the dictionary literal. Accepts what Python's `literal_eval`
    /// would for numpy's keys: either quote style, any spacing, a trailing
    /// comma, and Python 2's `3L` integers. Requires exactly the keys
    /// `descr`, `fortran_order` and `shape`, as numpy does.
    init(parsing text: String) throws(Problem) {
        var parser = LiteralParser(text)
        let entries = try parser.parseHeaderDictionary()
        var descr: Literal?, fortranOrder: Literal?, shape: Literal?
        for (key, value) in entries {
            switch key {
            case "descr": descr = value
            case "fortran_order": fortranOrder = value
            case "shape": shape = value
            default:
                throw Problem(kind: .malformedHeader,
                              message: "header has an unexpected key '\(key)' (expected descr, fortran_order, shape)")
            }
        }
        guard let descr, let fortranOrder, let shape else {
            let missing = [("descr", descr), ("fortran_order", fortranOrder), ("shape", shape)]
                .filter { $0.1 == nil }.map { "'\($0.0)'" }.joined(separator: ", ")
            throw Problem(kind: .malformedHeader, message: "header lacks the required key(s) \(missing)")
        }
        switch descr {
        case .string(let value): self.descr = value
        case .list:
            throw Problem(kind: .unsupportedDType,
                          message: "structured dtypes (record arrays) are not supported (supported: \(ElementType.supportedList))")
        default:
            throw Problem(kind: .malformedHeader, message: "header 'descr' is not a string")
        }
        guard case .bool(let order) = fortranOrder else {
            throw Problem(kind: .malformedHeader, message: "header 'fortran_order' is not True or False")
        }
        self.fortranOrder = order
        guard case .tuple(let items) = shape else {
            throw Problem(kind: .malformedHeader, message: "header 'shape' is not a tuple")
        }
        var dimensions: [Int] = []
        for item in items {
            guard case .int(let value) = item, value >= 0 else {
                throw Problem(kind: .malformedHeader, message: "header 'shape' holds something other than non-negative integers")
            }
            dimensions.append(value)
        }
        self.shape = dimensions
    }
}

// MARK: - Python literal subset

/// The values a `.npy` header dictionary can hold.
enum Literal: Equatable {
    case string(String), bool(Bool), int(Int), none
    case tuple([Literal]), list([Literal])
}

/// A recursive-descent reader for the Python literal subset above.
struct LiteralParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// `{ 'key': value, ... }` followed only by whitespace.
    mutating func parseHeaderDictionary() throws(NPYHeader.Problem) -> [(String, Literal)] {
        try expect("{")
        var entries: [(String, Literal)] = []
        while true {
            skipSpace()
            if peek == "}" { break }
            guard case .string(let key) = try parseValue() else {
                throw problem("expected a quoted key")
            }
            try expect(":")
            entries.append((key, try parseValue()))
            skipSpace()
            if peek == "," { position += 1 } else if peek != "}" { throw problem("expected ',' or '}'") }
        }
        position += 1
        skipSpace()
        guard position == scalars.count else { throw problem("unexpected text after the dictionary") }
        return entries
    }

    private mutating func parseValue() throws(NPYHeader.Problem) -> Literal {
        skipSpace()
        guard let first = peek else { throw problem("the header ends inside a value") }
        switch first {
        case "'", "\"": return .string(try parseString())
        case "(": return .tuple(try parseSequence(closing: ")"))
        case "[": return .list(try parseSequence(closing: "]"))
        case "-", "0"..."9": return .int(try parseInteger())
        default:
            let word = takeWhile { $0.properties.isAlphabetic || $0 == "_" }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw problem("unexpected \(word.isEmpty ? "'\(first)'" : "'\(word)'")")
            }
        }
    }

    private mutating func parseSequence(closing: Unicode.Scalar) throws(NPYHeader.Problem) -> [Literal] {
        position += 1
        var items: [Literal] = []
        while true {
            skipSpace()
            if peek == closing { position += 1; return items }
            items.append(try parseValue())
            skipSpace()
            if peek == "," { position += 1 } else if peek != closing { throw problem("expected ',' or '\(closing)'") }
        }
    }

    private mutating func parseString() throws(NPYHeader.Problem) -> String {
        let quote = scalars[position]
        position += 1
        var value = String.UnicodeScalarView()
        while let scalar = peek {
            position += 1
            if scalar == quote { return String(value) }
            if scalar == "\\" {
                guard let escaped = peek else { break }
                position += 1
                value.append(escaped)
            } else {
                value.append(scalar)
            }
        }
        throw problem("unterminated string")
    }

    private mutating func parseInteger() throws(NPYHeader.Problem) -> Int {
        let start = position
        let negative = peek == "-"
        if negative { position += 1 }
        let digits = takeWhile { ("0"..."9").contains($0) }
        guard let magnitude = Int(digits) else {
            position = start
            throw problem(digits.isEmpty ? "expected digits" : "integer \(digits) is too large")
        }
        if peek == "L" || peek == "l" { position += 1 }
        return negative ? -magnitude : magnitude
    }

    // MARK: Scanning

    private var peek: Unicode.Scalar? {
        position < scalars.count ? scalars[position] : nil
    }

    private mutating func skipSpace() {
        while let scalar = peek, scalar.properties.isWhitespace { position += 1 }
    }

    private mutating func expect(_ scalar: Unicode.Scalar) throws(NPYHeader.Problem) {
        skipSpace()
        guard peek == scalar else { throw problem("expected '\(scalar)'") }
        position += 1
    }

    private mutating func takeWhile(_ predicate: (Unicode.Scalar) -> Bool) -> String {
        var text = String.UnicodeScalarView()
        while let scalar = peek, predicate(scalar) {
            text.append(scalar)
            position += 1
        }
        return String(text)
    }

    private func problem(_ what: String) -> NPYHeader.Problem {
        var excerpt = String(String.UnicodeScalarView(scalars))
        while excerpt.last?.isWhitespace == true { excerpt.removeLast() }
        if excerpt.count > 120 { excerpt = String(excerpt.prefix(120)) + "..." }
        return NPYHeader.Problem(
            kind: .malformedHeader,
            message: "header is not a valid numpy header dictionary: \(what) at character \(position) of \(excerpt)")
    }
}
