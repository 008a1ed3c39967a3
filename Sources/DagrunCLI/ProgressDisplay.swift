import DagrunKit
import Glibc

/// Progress of a run on standard error: a bar redrawn in place on a terminal, plain lines
/// every few seconds otherwise (logs, CI), nothing with --quiet.
///
///     [##########..........]  52% 5,210/10,000 · 2 running · 1 failed · 8.1k tasks/s · ETA 0.6 s
final class ProgressDisplay: @unchecked Sendable {
    let terminal: Bool
    private var lastLine = 0
    private var drewBar = false

    init() { terminal = isatty(2) == 1 }

    /// Seconds between reports: often on a terminal, rarely in a log.
    var interval: Double { terminal ? 0.2 : 5 }

    func report(_ p: RunProgress) {
        let line = Self.line(p, width: terminal ? 20 : 0)
        if terminal {
            let pad = max(lastLine - line.count, 0)
            write("\r" + line + String(repeating: " ", count: pad))
            lastLine = line.count
            drewBar = true
        } else {
            write(line + "\n")
        }
    }

    /// Clears the bar before the summary is printed.
    func finish() {
        if terminal && drewBar { write("\r" + String(repeating: " ", count: lastLine) + "\r") }
    }

    static func line(_ p: RunProgress, width: Int) -> String {
        let share = p.total == 0 ? 1 : Double(p.finished) / Double(p.total)
        var s = ""
        if width > 0 {
            let filled = Int((share * Double(width)).rounded(.down))
            s += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        } else {
            s += "progress: "
        }
        s += "\(Int((share * 100).rounded(.down)))% \(grouped(p.finished))/\(grouped(p.total))"
        if let r = p.running { s += " · \(r) running" }
        if p.failed > 0 { s += " · \(p.failed) failed" }
        if p.cancelled > 0 { s += " · \(p.cancelled) cancelled" }
        let rate = p.elapsedSeconds > 0 ? Double(p.finished) / p.elapsedSeconds : 0
        if rate > 0 {
            s += " · \(compact(rate)) tasks/s"
            let left = Double(p.total - p.finished) / rate
            if p.finished < p.total { s += " · ETA \(formatDuration(seconds: left))" }
        }
        return s
    }

    /// 12345 -> "12,345".
    static func grouped(_ v: Int) -> String {
        let digits = String(v)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    /// 8123.4 -> "8.1k", 2.5e6 -> "2.5M".
    static func compact(_ v: Double) -> String {
        func one(_ x: Double) -> String { String((x * 10).rounded() / 10) }
        if v >= 1e6 { return one(v / 1e6) + "M" }
        if v >= 1e3 { return one(v / 1e3) + "k" }
        return String(Int(v.rounded()))
    }

    private func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = Glibc.write(2, buf.baseAddress, buf.count) }
    }
}
