import DagCore

/// Graphviz DOT drawings of a graph: the plan (before running) and the executed
/// schedule (from an ``ExecutionTrace``).
public enum GraphDOT {
    /// The graph as declared: one node per task (box = cpu, ellipse = io), edges from
    /// input to consumer, the static critical path in bold red.
    public static func plan(_ graph: TaskGraph) -> String {
        let critical = edgeSet(graph.criticalPath)
        var out = header(name: graph.name ?? "graph")
        for i in 0..<graph.count {
            let shape = graph.classes[i] == .cpu ? "box" : "ellipse"
            let shapeText = graph.shape(of: i) == .unknown || graph.shape(of: i) == .nothing ? "" : "\\n\(graph.shape(of: i))"
            let bold = graph.criticalPath.contains(Int32(i)) ? ", penwidth=2" : ""
            out += "  t\(i) [label=\"\(dotEscape(graph.ids[i]))\\n\(dotEscape(graph.op(of: i)))\(shapeText)\", shape=\(shape)\(bold)];\n"
        }
        out += edges(graph, critical: critical)
        return out + "}\n"
    }

    /// The executed schedule: each node labelled with op, where it ran (core or IO) and
    /// when (start and duration); boxes filled by core colour; IO tasks as grey ellipses, failed
    /// tasks red, cancelled ones grey and dashed; the realised critical path's tasks with a
    /// double border and its edges in bold red.
    public static func schedule(_ trace: ExecutionTrace) -> String {
        let graph = trace.graph
        let path = trace.realisedCriticalPath
        let critical = edgeSet(path)
        let onPath = Set(path)
        var out = header(name: (graph.name ?? "graph") + " (executed)")
        out += "  label=\"\(dotEscape(legend(trace)))\"; labelloc=t;\n"
        for i in 0..<graph.count {
            let r = trace.records[i]
            var attrs: [String] = []
            var where_ = "not run"
            switch r.worker {
            case 0...:
                let w = trace.workers[Int(r.worker)]
                where_ = "core \(w.coreLogicalIndex) (cpu \(r.cpu))"
                attrs.append("shape=box")
                attrs.append("style=filled")
                attrs.append("fillcolor=\"\(corePalette[w.coreLogicalIndex % corePalette.count])\"")
            case -1:
                where_ = "io"
                attrs.append("shape=ellipse")
                attrs.append("style=filled")
                attrs.append("fillcolor=\"#eeeeee\"")
            default:
                attrs.append(graph.classes[i] == .cpu ? "shape=box" : "shape=ellipse")
                attrs.append("style=dashed")
                attrs.append("color=gray50")
                attrs.append("fontcolor=gray50")
            }
            var label = "\(graph.ids[i])\n\(graph.op(of: i)) · \(where_)"
            switch r.status {
            case .done:
                label += "\nstart \(formatDuration(nanos: r.startNanos)), took \(formatDuration(nanos: r.durationNanos))"
            case .failed:
                label += "\nFAILED after \(formatDuration(nanos: r.durationNanos))"
                attrs.append("color=red")
                attrs.append("penwidth=3")
            case .cancelled:
                label += "\ncancelled"
            }
            if onPath.contains(Int32(i)) { attrs.append("peripheries=2") }
            attrs.insert("label=\"\(dotEscape(label))\"", at: 0)
            out += "  t\(i) [\(attrs.joined(separator: ", "))];\n"
        }
        out += edges(graph, critical: critical)
        return out + "}\n"
    }

    static func legend(_ trace: ExecutionTrace) -> String {
        let cores = trace.workers.map { "w\($0.index)=core \($0.coreLogicalIndex)" }.joined(separator: ", ")
        return "makespan \(formatDuration(nanos: trace.makespanNanos)); workers: \(cores); double border and bold red edges = critical path as run"
    }

    static func header(name: String) -> String {
        "digraph \"\(dotEscape(name))\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [color=gray40];\n"
    }

    static func edgeSet(_ path: [Int32]) -> Set<Int64> {
        var s: Set<Int64> = []
        for k in path.indices.dropFirst() { s.insert(Int64(path[k - 1]) << 32 | Int64(path[k])) }
        return s
    }

    static func edges(_ graph: TaskGraph, critical: Set<Int64>) -> String {
        var out = ""
        for i in 0..<graph.count {
            var seen: Set<Int32> = []
            for j in graph.inputs(of: i) where seen.insert(j).inserted {
                let hot = critical.contains(Int64(j) << 32 | Int64(i))
                out += "  t\(j) -> t\(i)\(hot ? " [color=red, penwidth=3]" : "");\n"
            }
        }
        return out
    }
}
