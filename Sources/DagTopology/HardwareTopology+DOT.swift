extension HardwareTopology {
    /// The machine as a Graphviz DOT tree: Machine → packages → NUMA nodes → caches (L3, L2)
    /// → cores, each core labelled with its PUs and L1. With `load` (busy share 0...1 by
    /// core logical index, from a run), each core is shaded by its share and labelled with
    /// the percentage; cores without a share stay white.
    public func dot(load: [Int: Double] = [:], title: String? = nil) -> String {
        var out = "digraph topology {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=white];\n  edge [arrowhead=none, color=gray50];\n"
        out += "  label=\"\(Self.dotEscape(title ?? headlineText))\"; labelloc=t;\n"
        out += "  machine [label=\"Machine\\n\(Self.formatBytes(totalMemoryBytes))\", fillcolor=\"#dddddd\"];\n"
        var declared: Set<String> = ["machine"]
        for core in cores {
            var parent = "machine"
            for step in treeStepsForDOT(core) {
                if declared.insert(step.id).inserted {
                    out += "  \(step.id) [label=\"\(Self.dotEscape(step.label))\", fillcolor=\"\(step.fill)\"];\n"
                    out += "  \(parent) -> \(step.id);\n"
                }
                parent = step.id
            }
            let pus = core.puOSIndices.map { "P#\($0)" }.joined(separator: " ")
            var label = "Core L#\(core.logicalIndex)\nPU \(pus)"
            if let l1 = core.cache(level: 1) { label += "\nL1 \(Self.formatBytes(UInt64(l1.sizeBytes)))" }
            var fill = "white"
            if let share = load[core.logicalIndex] {
                let s = min(max(share, 0), 1)
                label += "\nbusy \(Int((s * 100).rounded())) %"
                fill = Self.heat(s)
            }
            out += "  core\(core.logicalIndex) [label=\"\(Self.dotEscape(label))\", fillcolor=\"\(fill)\", style=filled];\n"
            out += "  \(parent) -> core\(core.logicalIndex);\n"
        }
        return out + "}\n"
    }

    private var headlineText: String {
        let source = syntheticDescription.map { "synthetic \"\($0)\"" } ?? "host"
        return "\(source): \(Self.plural(packageCount, "package")), \(Self.plural(numaNodeCount, "NUMA node")), "
            + "\(Self.plural(cores.count, "core")), \(Self.plural(puCount, "PU"))"
    }

    private struct DOTStep { var id: String, label: String, fill: String }

    private func treeStepsForDOT(_ core: Core) -> [DOTStep] {
        var steps: [DOTStep] = []
        if packageCount > 0 {
            steps.append(DOTStep(id: "package\(core.packageIndex)", label: "Package L#\(core.packageIndex)", fill: "#e8e8e8"))
        }
        if let node = numaNodes.first(where: { $0.logicalIndex == core.numaIndex }) {
            steps.append(DOTStep(id: "numa\(node.logicalIndex)",
                                 label: "NUMA node L#\(node.logicalIndex) (P#\(node.osIndex))\n\(Self.formatBytes(node.memoryBytes))",
                                 fill: "#eef3fb"))
        }
        for cache in core.caches.filter({ $0.level >= 2 }).sorted(by: { $0.level > $1.level }) {
            steps.append(DOTStep(id: "l\(cache.level)_\(cache.logicalIndex)",
                                 label: "L\(cache.level) L#\(cache.logicalIndex)\n\(Self.formatBytes(UInt64(cache.sizeBytes)))",
                                 fill: "#f6f6f6"))
        }
        return steps
    }

    /// White (idle) to deep orange (fully busy).
    static func heat(_ share: Double) -> String {
        let r = 255, g = Int(255 - share * 150), b = Int(255 - share * 220)
        func hex(_ v: Int) -> String { let s = String(max(0, min(255, v)), radix: 16); return s.count == 1 ? "0" + s : s }
        return "#\(hex(r))\(hex(g))\(hex(b))"
    }

    static func dotEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
