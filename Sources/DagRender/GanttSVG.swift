import DagCore

/// A Gantt chart of a run as one self-contained SVG file (no Graphviz, no scripts, no
/// fonts to fetch): one lane per core, then the IO executor's lanes; tasks coloured by op
/// (legend at the bottom), failed tasks outlined red, the realised critical path outlined
/// black; a time axis above and below; each task's id, op, core, start and duration as a
/// tooltip.
///
/// Large runs stay small: above ``detailLimit`` tasks each lane is drawn per pixel column
/// (the op that used most of that column's time), so the file grows with the chart's width,
/// not with the task count; the critical path is still drawn task by task.
public enum GanttSVG {
    public static let detailLimit = 20_000

    public struct Options: Sendable {
        public var width = 1200
        public var laneHeight = 22
        public init() {}
    }

    public static func svg(_ trace: ExecutionTrace, options: Options = Options()) -> String {
        let graph = trace.graph
        let labelWidth = 170, right = 20, top = 58, axisHeight = 24
        let plotWidth = max(options.width - labelWidth - right, 100)
        let laneOf = ChromeTrace.ioLanes(trace)
        let ioLaneCount = (laneOf.values.max() ?? -1) + 1
        let lanes = trace.workers.count + ioLaneCount
        let laneHeight = options.laneHeight
        let plotHeight = max(lanes, 1) * laneHeight
        let ops = opsByTime(trace)
        let legendRows = (ops.count + 3) / 4
        let height = top + plotHeight + axisHeight + 30 + legendRows * 18 + 16
        let span = Double(max(trace.makespanNanos, trace.records.map(\.endNanos).max() ?? 0, 1))
        func x(_ nanos: UInt64) -> Double { Double(labelWidth) + Double(nanos) / span * Double(plotWidth) }
        func lane(_ r: ExecutionRecord) -> Int? {
            if r.worker >= 0 { return Int(r.worker) }
            if r.worker == -1, let l = laneOf[r.task] { return trace.workers.count + l }
            return nil
        }
        let colourOf = Dictionary(uniqueKeysWithValues: ops.enumerated().map { ($1, palette[$0 % palette.count]) })

        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(options.width)" height="\(height)" viewBox="0 0 \(options.width) \(height)" font-family="Helvetica, Arial, sans-serif" font-size="11">

        """
        out += ##"<rect x="0" y="0" width="\##(options.width)" height="\##(height)" fill="white"/>"## + "\n"
        let done = trace.records.filter { $0.status == .done }.count
        let failed = trace.records.filter { $0.status == .failed }.count
        let title = "\(graph.name ?? "graph"): \(graph.count) tasks (\(done) done, \(failed) failed) on \(trace.workers.count) worker\(trace.workers.count == 1 ? "" : "s"), makespan \(formatDuration(nanos: trace.makespanNanos))"
        out += ##"<text x="10" y="20" font-size="14" font-weight="bold">\##(xmlEscape(title))</text>"## + "\n"
        if !trace.timed {
            out += ##"<text x="10" y="40" fill="#a00">run with timing off (--no-timing): no task times were recorded</text>"## + "\n"
        }
        // Lanes and their labels.
        for k in 0..<lanes {
            let y = top + k * laneHeight
            let label: String
            if k < trace.workers.count {
                let w = trace.workers[k]
                label = "core \(w.coreLogicalIndex) (cpu \(w.osCPU))" + (w.pinned ? "" : " unpinned")
            } else {
                label = "io lane \(k - trace.workers.count)"
            }
            out += ##"<rect x="\##(labelWidth)" y="\##(y)" width="\##(plotWidth)" height="\##(laneHeight)" fill="\##(k % 2 == 0 ? "#f7f7f7" : "#efefef")"/>"## + "\n"
            out += ##"<text x="\##(labelWidth - 8)" y="\##(y + laneHeight / 2 + 4)" text-anchor="end">\##(xmlEscape(label))</text>"## + "\n"
        }
        // Axis ticks above and below.
        let tick = niceStep(span / 8)
        var t = 0.0
        while t <= span + 1 {
            let px = x(UInt64(t))
            out += ##"<line x1="\##(fmt(px))" y1="\##(top - 4)" x2="\##(fmt(px))" y2="\##(top + plotHeight + 4)" stroke="#ccc" stroke-width="0.5"/>"## + "\n"
            let text = formatDuration(nanos: UInt64(t))
            out += ##"<text x="\##(fmt(px))" y="\##(top - 8)" text-anchor="middle" fill="#555">\##(text)</text>"## + "\n"
            out += ##"<text x="\##(fmt(px))" y="\##(top + plotHeight + 16)" text-anchor="middle" fill="#555">\##(text)</text>"## + "\n"
            t += tick
        }
        let path = Set(trace.timed ? trace.realisedCriticalPath : [])
        func taskRect(_ r: ExecutionRecord, outline: String?) -> String {
            guard let l = lane(r) else { return "" }
            let i = Int(r.task)
            let x0 = x(r.startNanos), w = max(x(r.endNanos) - x0, 0.5)
            let y = top + l * laneHeight + 2
            let op = graph.op(of: i)
            let whereText = r.worker >= 0 ? "core \(trace.workers[Int(r.worker)].coreLogicalIndex)" : "io"
            var tip = "\(graph.ids[i]) · \(op) · \(whereText) · start \(formatDuration(nanos: r.startNanos)), took \(formatDuration(nanos: r.durationNanos))"
            if r.attempt > 1 { tip += " · attempt \(r.attempt)" }
            if let m = r.message { tip += " · \(m)" }
            let stroke = outline.map { ##" stroke="\##($0)" stroke-width="1.5""## } ?? ""
            return ##"<rect x="\##(fmt(x0))" y="\##(y)" width="\##(fmt(w))" height="\##(laneHeight - 4)" fill="\##(colourOf[op] ?? "#999")"\##(stroke)><title>\##(xmlEscape(tip))</title></rect>"## + "\n"
        }
        let ran = trace.records.filter { $0.ran && lane($0) != nil }
        if trace.timed {
            if ran.count <= detailLimit {
                for r in ran {
                    out += taskRect(r, outline: r.status == .failed ? "#d00" : path.contains(r.task) ? "black" : nil)
                }
            } else {
                out += binned(trace, ran: ran, lanes: lanes, lane: lane, x: x, plotWidth: plotWidth, labelWidth: labelWidth,
                              top: top, laneHeight: laneHeight, colourOf: colourOf)
                for r in ran where path.contains(r.task) || r.status == .failed {
                    out += taskRect(r, outline: r.status == .failed ? "#d00" : "black")
                }
            }
        }
        // Legend: ops by total time, with their colours.
        let legendTop = top + plotHeight + axisHeight + 16
        out += ##"<text x="10" y="\##(legendTop)" fill="#333">ops (by time used; black outline = critical path as run, red = failed):</text>"## + "\n"
        for (k, op) in ops.enumerated() {
            let col = k % 4, row = k / 4
            let lx = 10 + col * 290, ly = legendTop + 8 + row * 18
            out += ##"<rect x="\##(lx)" y="\##(ly)" width="12" height="12" fill="\##(colourOf[op] ?? "#999")"/>"##
            out += ##"<text x="\##(lx + 17)" y="\##(ly + 10)">\##(xmlEscape(op))</text>"## + "\n"
        }
        return out + "</svg>\n"
    }

    /// Per lane, per pixel column: the op with the most time in it; runs of one op merge.
    static func binned(_ trace: ExecutionTrace, ran: [ExecutionRecord], lanes: Int, lane: (ExecutionRecord) -> Int?,
                       x: (UInt64) -> Double, plotWidth: Int, labelWidth: Int, top: Int, laneHeight: Int,
                       colourOf: [String: String]) -> String {
        let graph = trace.graph
        var opIndex: [String: Int32] = [:]
        var opNames: [String] = []
        // time[lane][pixel] by op: a small dictionary per cell would be heavy; keep the best op and its time,
        // accumulating per (lane, pixel, op) in a flat map.
        var cell: [Int: [Int32: Double]] = [:]
        for r in ran {
            guard let l = lane(r) else { continue }
            let op = graph.op(of: Int(r.task))
            let o: Int32
            if let k = opIndex[op] { o = k } else { o = Int32(opNames.count); opIndex[op] = o; opNames.append(op) }
            let a = x(r.startNanos) - Double(labelWidth), b = max(x(r.endNanos) - Double(labelWidth), a + 1e-9)
            var p = max(Int(a), 0)
            while Double(p) < b && p < plotWidth {
                let covered = min(b, Double(p + 1)) - max(a, Double(p))
                if covered > 0 { cell[l * plotWidth + p, default: [:]][o, default: 0] += covered }
                p += 1
            }
        }
        var out = ""
        for l in 0..<lanes {
            var p = 0
            while p < plotWidth {
                guard let best = cell[l * plotWidth + p]?.max(by: { $0.value < $1.value })?.key else { p += 1; continue }
                var q = p + 1
                while q < plotWidth, cell[l * plotWidth + q]?.max(by: { $0.value < $1.value })?.key == best { q += 1 }
                let op = opNames[Int(best)]
                out += ##"<rect x="\##(labelWidth + p)" y="\##(top + l * laneHeight + 2)" width="\##(q - p)" height="\##(laneHeight - 4)" fill="\##(colourOf[op] ?? "#999")"><title>\##(xmlEscape(op))</title></rect>"## + "\n"
                p = q
            }
        }
        return out
    }

    /// Ops ordered by the total time their tasks ran, most first.
    static func opsByTime(_ trace: ExecutionTrace) -> [String] {
        var total: [String: UInt64] = [:]
        for r in trace.records where r.ran { total[trace.graph.op(of: Int(r.task)), default: 0] += r.durationNanos }
        return total.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= raw { p *= 10 }
        while p > raw { p /= 10 }
        for m in [1.0, 2, 5, 10] where p * m >= raw { return p * m }
        return p * 10
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// Twelve distinguishable colours (the Tableau 10 palette and two more).
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#d37295", "#76b7b2", "#edc948",
                          "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b"]
}
