import DagCore
import Glibc

/// Graphviz DOT drawings of a graph: the plan (before running) and the executed
/// schedule (from an ``ExecutionTrace``, live or read back with ``SavedRun``).
///
/// Shapes say where a task runs: box = CPU task on a worker thread, 3-D box = CPU task
/// in a worker process, ellipse = IO task. Graphs above ``Options/collapseAbove`` tasks
/// are drawn by family (see ``family(of:)``) so that a 100,000-task graph is a drawing of
/// dozens of nodes that Graphviz lays out in about a second.
public enum GraphDOT {
    /// The most edges a collapsed drawing has (plus the critical path's).
    public static let maxFamilyEdges = 120

    public struct Options: Sendable {
        /// Draw families instead of tasks above this many tasks; nil: never.
        public var collapseAbove: Int? = 500
        public init(collapseAbove: Int? = 500) { self.collapseAbove = collapseAbove }
    }

    // MARK: Plan

    /// The graph as declared: one node per task, edges from input to consumer, the static
    /// critical path in bold red.
    public static func plan(_ graph: TaskGraph, options: Options = Options()) -> String {
        if let limit = options.collapseAbove, graph.count > limit { return collapsed(graph, trace: nil) }
        let critical = edgeSet(graph.criticalPath)
        let onPath = Set(graph.criticalPath)
        var out = header(name: graph.name ?? "graph")
        for i in 0..<graph.count {
            let s = graph.shape(of: i)
            let shapeText = s == .unknown || s == .nothing ? "" : "\\n\(s)"
            let bold = onPath.contains(Int32(i)) ? ", penwidth=2" : ""
            out += "  t\(i) [label=\"\(dotEscape(graph.ids[i]))\\n\(dotEscape(graph.op(of: i)))\(shapeText)\", shape=\(nodeShape(graph, i))\(bold)];\n"
        }
        out += edges(graph, critical: critical)
        return out + "}\n"
    }

    // MARK: Executed schedule

    /// The executed schedule: nodes in clusters following the machine (package, NUMA node,
    /// core; IO apart), each labelled with op, core and OS CPU, start and duration, filled
    /// with its core's colour; the tasks of a core chained in the order they ran by dotted
    /// grey edges, labelled with the idle gap where the core waited; failed tasks red,
    /// cancelled ones dashed grey; the realised critical path with double borders and bold
    /// red edges.
    public static func schedule(_ trace: ExecutionTrace, options: Options = Options()) -> String {
        let graph = trace.graph
        if let limit = options.collapseAbove, graph.count > limit { return collapsed(graph, trace: trace) }
        let path = trace.timed ? trace.realisedCriticalPath : []
        let critical = edgeSet(path)
        let onPath = Set(path)
        var out = header(name: (graph.name ?? "graph") + " (executed)")
        out += "  label=\"\(dotEscape(legend(trace)))\"; labelloc=t;\n"

        func node(_ i: Int) -> String {
            let r = trace.records[i]
            var attrs: [String] = ["shape=\(nodeShape(graph, i))"]
            var where_ = "not run"
            switch r.worker {
            case 0...:
                let w = trace.workers[Int(r.worker)]
                where_ = "core \(w.coreLogicalIndex) (cpu \(r.cpu))"
                attrs += ["style=filled", "fillcolor=\"\(corePalette[w.coreLogicalIndex % corePalette.count])\""]
            case -1:
                where_ = "io"
                attrs += ["style=filled", "fillcolor=\"#eeeeee\""]
            default:
                attrs += ["style=dashed", "color=gray50", "fontcolor=gray50"]
            }
            var label = "\(graph.ids[i])\n\(graph.op(of: i)) · \(where_)"
            switch r.status {
            case .done:
                if trace.timed {
                    label += "\nstart \(formatDuration(nanos: r.startNanos)), took \(formatDuration(nanos: r.durationNanos))"
                }
            case .failed:
                label += trace.timed ? "\nFAILED after \(formatDuration(nanos: r.durationNanos))" : "\nFAILED"
                attrs += ["color=red", "penwidth=3"]
            case .cancelled:
                label += "\ncancelled"
            }
            if r.attempt > 1 { label += " (attempt \(r.attempt))" }
            if onPath.contains(Int32(i)) { attrs.append("peripheries=2") }
            attrs.insert("label=\"\(dotEscape(label))\"", at: 0)
            return "t\(i) [\(attrs.joined(separator: ", "))];"
        }

        // Clusters: package -> NUMA node -> core, from the workers' places.
        var tasksOfWorker = [[Int]](repeating: [], count: trace.workers.count)
        var ioTasks: [Int] = [], notRun: [Int] = []
        for r in trace.records {
            switch r.worker {
            case 0...: tasksOfWorker[Int(r.worker)].append(Int(r.task))
            case -1: ioTasks.append(Int(r.task))
            default: notRun.append(Int(r.task))
            }
        }
        for k in tasksOfWorker.indices { tasksOfWorker[k].sort { trace.records[$0].startNanos < trace.records[$1].startNanos } }
        let packages = Set(trace.workers.map(\.packageIndex)).sorted()
        for p in packages {
            out += "  subgraph cluster_package\(p) {\n    label=\"package \(p)\"; style=rounded; color=gray60;\n"
            let numas = Set(trace.workers.filter { $0.packageIndex == p }.map(\.numaIndex)).sorted()
            for m in numas {
                out += "    subgraph cluster_numa\(p)_\(m) {\n      label=\"NUMA node \(m)\"; style=dashed; color=gray70;\n"
                for w in trace.workers where w.packageIndex == p && w.numaIndex == m {
                    out += "      subgraph cluster_worker\(w.index) {\n        label=\"core \(w.coreLogicalIndex) (cpu \(w.osCPU)\(w.pinned ? "" : ", unpinned"))\"; style=solid; color=\"\(corePalette[w.coreLogicalIndex % corePalette.count])\";\n"
                    for i in tasksOfWorker[w.index] { out += "        \(node(i))\n" }
                    out += "      }\n"
                }
                out += "    }\n"
            }
            out += "  }\n"
        }
        if !ioTasks.isEmpty {
            out += "  subgraph cluster_io {\n    label=\"IO executor\"; style=rounded; color=gray60;\n"
            for i in ioTasks { out += "    \(node(i))\n" }
            out += "  }\n"
        }
        for i in notRun { out += "  \(node(i))\n" }
        // Lanes: each core's tasks in the order they ran, with the idle gaps.
        if trace.timed {
            let visibleGap = max(trace.makespanNanos / 200, 1_000)
            for tasks in tasksOfWorker where tasks.count > 1 {
                for (a, b) in zip(tasks, tasks.dropFirst()) {
                    let end = trace.records[a].endNanos, start = trace.records[b].startNanos
                    let gap = start > end ? start - end : 0
                    let label = gap >= visibleGap ? ", label=\"idle \(formatDuration(nanos: gap))\", fontcolor=gray40" : ""
                    out += "  t\(a) -> t\(b) [style=dotted, color=gray70, arrowhead=none\(label)];\n"
                }
            }
        }
        out += edges(graph, critical: critical)
        return out + "}\n"
    }

    // MARK: Families

    /// A task's family: its id with every run of digits replaced by `#`
    /// (`gemm[2][3]` and `gemm[0][1]` are both `gemm[#][#]`; `t17` is `t#`).
    public static func family(of id: String) -> String {
        var out = ""
        var inDigits = false
        for c in id.unicodeScalars {
            if ("0"..."9").contains(c) {
                if !inDigits { out += "#" }
                inDigits = true
            } else {
                inDigits = false
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// How tasks were grouped into families.
    public enum FamilyKind: String, Sendable { case idPattern = "id pattern, digits as #", op, depth = "depth bands" }

    /// The families of a graph: by id pattern; by op when the ids make too many families to
    /// read (more than 60) or just one; by bands of depth (longest path from a source) when
    /// ops do not tell tasks apart either (a random DAG of `noop` tasks `t0`, `t1`, ...).
    public static func families(_ graph: TaskGraph) -> (names: [String], familyOf: [Int32], kind: FamilyKind) {
        func group(_ key: (Int) -> String) -> ([String], [Int32]) {
            var index: [String: Int32] = [:]
            var names: [String] = []
            var of = [Int32](repeating: 0, count: graph.count)
            for i in 0..<graph.count {
                let k = key(i)
                if let f = index[k] { of[i] = f } else {
                    of[i] = Int32(names.count)
                    index[k] = of[i]
                    names.append(k)
                }
            }
            return (names, of)
        }
        let byID = group { family(of: graph.ids[$0]) }
        if (2...60).contains(byID.0.count) { return (byID.0, byID.1, .idPattern) }
        let byOp = group { graph.op(of: $0) }
        if (2...60).contains(byOp.0.count) { return (byOp.0, byOp.1, .op) }
        var depth = [Int](repeating: 0, count: graph.count)
        for t in graph.topologicalOrder {
            let i = Int(t)
            for j in graph.inputs(of: i) { depth[i] = max(depth[i], depth[Int(j)] + 1) }
        }
        let levels = (depth.max() ?? 0) + 1
        let band = (levels + 39) / 40
        let byDepth = group { i in
            let lo = depth[i] / band * band
            return band == 1 ? "depth \(lo)" : "depth \(lo)–\(min(lo + band, levels) - 1)"
        }
        return (byDepth.0, byDepth.1, .depth)
    }

    /// One node per family (count, op, and with a trace the total and mean time and the
    /// cores used), one edge per pair of families weighted by how many task edges join them.
    static func collapsed(_ graph: TaskGraph, trace: ExecutionTrace?) -> String {
        let (names, familyOf, kind) = families(graph)
        let f = names.count
        var count = [Int](repeating: 0, count: f)
        var total = [UInt64](repeating: 0, count: f)
        var failed = [Int](repeating: 0, count: f), cancelled = [Int](repeating: 0, count: f)
        var ops = [Set<String>](repeating: [], count: f)
        var cores = [Set<Int>](repeating: [], count: f)
        var io = [Bool](repeating: false, count: f)
        for i in 0..<graph.count {
            let k = Int(familyOf[i])
            count[k] += 1
            if ops[k].count < 4 { ops[k].insert(graph.op(of: i)) }
            if graph.classes[i] == .io { io[k] = true }
            if let r = trace?.records[i] {
                total[k] += r.durationNanos
                if r.status == .failed { failed[k] += 1 }
                if r.status == .cancelled { cancelled[k] += 1 }
                if r.worker >= 0, let w = trace?.workers[Int(r.worker)] { cores[k].insert(w.coreLogicalIndex) }
            }
        }
        var edgeCount: [Int64: Int] = [:]
        for i in 0..<graph.count {
            for j in graph.inputs(of: i) {
                edgeCount[Int64(familyOf[Int(j)]) << 32 | Int64(familyOf[i]), default: 0] += 1
            }
        }
        let path = trace.map { $0.timed ? $0.realisedCriticalPath : [] } ?? graph.criticalPath
        let pathFamilies = Set(path.map { familyOf[Int($0)] })
        var pathEdges: Set<Int64> = []
        for (a, b) in zip(path, path.dropFirst()) { pathEdges.insert(Int64(familyOf[Int(a)]) << 32 | Int64(familyOf[Int(b)])) }

        var out = header(name: (graph.name ?? "graph") + (trace == nil ? "" : " (executed)"))
        var legend = "\(graph.count) tasks drawn as \(f) families (by \(kind.rawValue)); edge labels count task edges"
        if let trace { legend = "makespan \(formatDuration(nanos: trace.makespanNanos)); " + legend }
        legend += "; bold red = critical path" + (trace == nil ? " (estimated)" : " as run")
        out += "  label=\"\(dotEscape(legend))\"; labelloc=t;\n"
        for k in 0..<f {
            var label = "\(names[k])\n×\(count[k])"
            if kind != .op { label += " · " + ops[k].sorted().joined(separator: ", ") }
            if let trace, trace.timed {
                label += "\ntotal \(formatDuration(nanos: total[k])), mean \(formatDuration(nanos: total[k] / UInt64(max(count[k], 1))))"
            }
            if !cores[k].isEmpty { label += "\ncores " + cores[k].sorted().map(String.init).joined(separator: ",") }
            if failed[k] > 0 { label += "\n\(failed[k]) failed" }
            if cancelled[k] > 0 { label += "\n\(cancelled[k]) cancelled" }
            var attrs = ["label=\"\(dotEscape(label))\"", "shape=\(io[k] ? "ellipse" : "box")", "style=filled",
                         "fillcolor=\"\(failed[k] > 0 ? "#f4b6b6" : corePalette[k % corePalette.count])\""]
            if pathFamilies.contains(Int32(k)) { attrs += ["penwidth=3", "color=red"] }
            out += "  f\(k) [\(attrs.joined(separator: ", "))];\n"
        }
        // The heaviest edges, at most `maxFamilyEdges`, and every critical one: families of a
        // random DAG by depth band connect nearly every pair of bands, and Graphviz took two
        // minutes to lay out 600 such edges here where 120 take under a second.
        let heaviest = edgeCount.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var kept = Dictionary(uniqueKeysWithValues: heaviest.prefix(maxFamilyEdges).map { ($0.key, $0.value) })
        for key in pathEdges { kept[key] = edgeCount[key] }
        let dropped = edgeCount.count - kept.count
        if dropped > 0 {
            let droppedTasks = edgeCount.filter { kept[$0.key] == nil }.reduce(0) { $0 + $1.value }
            out += "  dropped [shape=plaintext, label=\"\(dropped) lighter family edges (\(droppedTasks) task edges) not drawn\"];\n"
        }
        for (key, n) in kept.sorted(by: { $0.key < $1.key }) {
            let a = key >> 32, b = key & 0xffff_ffff
            let width = 1 + min(4, Glibc.log10(Double(n)))
            let hot = pathEdges.contains(key)
            out += "  f\(a) -> f\(b) [label=\"×\(n)\", penwidth=\(format1(width))\(hot ? ", color=red" : "")];\n"
        }
        return out + "}\n"
    }

    // MARK: Helpers

    static func nodeShape(_ graph: TaskGraph, _ i: Int) -> String {
        if graph.classes[i] == .io { return "ellipse" }
        return graph.runPolicy(of: i).executor == .process ? "box3d" : "box"
    }

    static func legend(_ trace: ExecutionTrace) -> String {
        let cores = trace.workers.map { "w\($0.index)=core \($0.coreLogicalIndex)" }.joined(separator: ", ")
        let timing = trace.timed ? "" : "; not timed (--no-timing)"
        return "makespan \(formatDuration(nanos: trace.makespanNanos)); workers: \(cores)\(timing); "
            + "box = thread, 3-D box = process, ellipse = io; dotted = order on a core; double border and bold red edges = critical path as run"
    }

    static func header(name: String) -> String {
        "digraph \"\(dotEscape(name))\" {\n  rankdir=TB;\n  newrank=true;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [color=gray40, fontname=\"Helvetica\", fontsize=9];\n"
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

    static func format1(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return String(r)
    }
}
