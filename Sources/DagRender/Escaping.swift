/// Text inside a double-quoted DOT string.
func dotEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}

/// "12.3 ms", "1.25 s", "840 µs": three significant digits.
public func formatDuration(seconds: Double) -> String {
    formatDuration(nanos: UInt64(max(0, seconds * 1e9).rounded()))
}

/// "12.3 ms", "1.25 s", "840 µs": three significant digits.
public func formatDuration(nanos: UInt64) -> String {
    let ns = Double(nanos)
    if ns >= 1e9 { return format3(ns / 1e9) + " s" }
    if ns >= 1e6 { return format3(ns / 1e6) + " ms" }
    if ns >= 1e3 { return format3(ns / 1e3) + " µs" }
    return "\(nanos) ns"
}

/// Three significant digits, no exponent.
func format3(_ x: Double) -> String {
    let digits = x >= 100 ? 0 : x >= 10 ? 1 : 2
    let scale = digits == 0 ? 1.0 : digits == 1 ? 10.0 : 100.0
    var s = String(Int((x * scale).rounded()))
    if digits > 0 {
        while s.count <= digits { s = "0" + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
    }
    return s
}

/// A palette of distinct fill colours for cores (light enough for black text).
let corePalette = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
                   "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"]

/// Escapes text for XML content and attribute values.
public func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            // Control characters other than tab/newline are not allowed in XML 1.0.
            if c.value < 0x20 && c != "\t" && c != "\n" { out += " " } else { out.unicodeScalars.append(c) }
        }
    }
    return out
}
