// Text views of a topology: `describe()` for people, `summaryJSON()` for
// tools and tests. Both are built from the plain values the topology
// copied out of hwloc; neither calls hwloc.

extension HardwareTopology {
    /// A readable tree of the machine, one object per line:
    /// Machine > Package > NUMA node > L3 > L2 > Core, with each core's PUs
    /// and L1 on its own line. Like `hwloc-ls`, in a compact format of our own:
    ///
    /// ```
    /// host: 1 package, 1 NUMA node, 2 cores, 2 PUs
    /// Machine (4.1 GiB)
    ///   Package L#0
    ///     NUMA node L#0 (P#0, 4.1 GiB)
    ///       L3 L#0 (32 MiB)
    ///         L2 L#0 (512 KiB)
    ///           Core L#0 (PU P#0, L1 32 KiB)
    ///         L2 L#1 (512 KiB)
    ///           Core L#1 (PU P#1, L1 32 KiB)
    /// ```
    ///
    /// The first line says `host` or `synthetic "<description>"`. `L#` is
    /// hwloc's logical index, `P#` the OS index. NUMA nodes are shown as
    /// parents of the cores whose CPUs they serve, although hwloc 2 keeps
    /// them as memory children beside those cores.
    ///
    /// - Complexity: O(cores × cache levels).
    public func describe() -> String {
        var lines = [headline, "Machine (\(Self.formatBytes(totalMemoryBytes)))"]
        var previous: [TreeStep] = []
        for core in cores {
            let steps = treeSteps(for: core)
            // Print only the part of the path that differs from the previous core's.
            let shared = zip(previous, steps).prefix { $0.key == $1.key }.count
            for depth in shared..<steps.count {
                lines.append(indent(depth + 1) + steps[depth].text)
            }
            lines.append(indent(steps.count + 1) + coreLine(core))
            previous = steps
        }
        return lines.joined(separator: "\n")
    }

    /// A small JSON object with the counts dagrun plans with and where each
    /// core sits, for tools and tests:
    ///
    /// ```json
    /// {
    ///   "source": "host",
    ///   "synthetic": null,
    ///   "packages": 1,
    ///   "numa_nodes": 1,
    ///   "cores": 2,
    ///   "pus": 2,
    ///   "memory_bytes": 4389556224,
    ///   "caches": [{"level": 1, "count": 2, "size_bytes": 32768}, ...],
    ///   "per_core": [
    ///     {"core": 0, "os_cpus": [0], "package": 0, "numa": 0},
    ///     ...
    ///   ]
    /// }
    /// ```
    ///
    /// `caches` has one entry per level and size (machines with mixed core
    /// types have two L2 sizes), counting distinct caches.
    public func summaryJSON() -> String {
        let cacheEntries = cacheCensus().map { entry in
            "{\"level\": \(entry.level), \"count\": \(entry.count), \"size_bytes\": \(entry.sizeBytes)}"
        }
        let coreEntries = cores.map { core in
            "{\"core\": \(core.logicalIndex), \"os_cpus\": [\(core.puOSIndices.map(String.init).joined(separator: ", "))], "
                + "\"package\": \(core.packageIndex), \"numa\": \(core.numaIndex)}"
        }
        let fields = [
            "\"source\": \(isSynthetic ? "\"synthetic\"" : "\"host\"")",
            "\"synthetic\": \(syntheticDescription.map(Self.jsonString) ?? "null")",
            "\"packages\": \(packageCount)",
            "\"numa_nodes\": \(numaNodeCount)",
            "\"cores\": \(cores.count)",
            "\"pus\": \(puCount)",
            "\"memory_bytes\": \(totalMemoryBytes)",
            "\"caches\": [" + cacheEntries.joined(separator: ", ") + "]",
            "\"per_core\": [\n" + coreEntries.map { "    " + $0 }.joined(separator: ",\n") + "\n  ]",
        ]
        return "{\n" + fields.map { "  " + $0 }.joined(separator: ",\n") + "\n}"
    }

    // MARK: Pieces

    /// One line of `describe()` above a core, and what identifies it.
    private struct TreeStep {
        struct Key: Equatable {
            var kind: String
            var index: Int
        }
        var key: Key
        var text: String
    }

    private var headline: String {
        let source = syntheticDescription.map { "synthetic \"\($0)\"" } ?? "host"
        return "\(source): \(Self.plural(packageCount, "package")), \(Self.plural(numaNodeCount, "NUMA node")), "
            + "\(Self.plural(cores.count, "core")), \(Self.plural(puCount, "PU"))"
    }

    /// The objects above `core`, outermost first: package, NUMA node, then
    /// caches from the highest level down to L2 (L1 goes on the core line).
    private func treeSteps(for core: Core) -> [TreeStep] {
        var steps: [TreeStep] = []
        if packageCount > 0 {
            steps.append(TreeStep(key: .init(kind: "package", index: core.packageIndex),
                                  text: "Package L#\(core.packageIndex)"))
        }
        if let node = numaNodes.first(where: { $0.logicalIndex == core.numaIndex }) {
            steps.append(TreeStep(key: .init(kind: "numa", index: node.logicalIndex),
                                  text: "NUMA node L#\(node.logicalIndex) (P#\(node.osIndex), \(Self.formatBytes(node.memoryBytes)))"))
        }
        for cache in core.caches.filter({ $0.level >= 2 }).sorted(by: { $0.level > $1.level }) {
            steps.append(TreeStep(key: .init(kind: "L\(cache.level)", index: cache.logicalIndex),
                                  text: "L\(cache.level) L#\(cache.logicalIndex) (\(Self.formatBytes(UInt64(cache.sizeBytes))))"))
        }
        return steps
    }

    private func coreLine(_ core: Core) -> String {
        let pus = core.puOSIndices.map { "P#\($0)" }.joined(separator: " ")
        var details = (core.puOSIndices.count == 1 ? "PU " : "PUs ") + pus
        if let l1 = core.cache(level: 1) {
            details += ", L1 \(Self.formatBytes(UInt64(l1.sizeBytes)))"
        }
        return "Core L#\(core.logicalIndex) (\(details))"
    }

    private func indent(_ depth: Int) -> String {
        String(repeating: "  ", count: depth)
    }

    /// Distinct caches per (level, size), sorted by level then size.
    private func cacheCensus() -> [(level: Int, sizeBytes: Int, count: Int)] {
        var seen = Set<[Int]>()   // [level, logicalIndex]
        var counts: [[Int]: Int] = [:]   // [level, size] -> count
        for cache in cores.lazy.flatMap(\.caches) where seen.insert([cache.level, cache.logicalIndex]).inserted {
            counts[[cache.level, cache.sizeBytes], default: 0] += 1
        }
        return counts
            .map { (level: $0.key[0], sizeBytes: $0.key[1], count: $0.value) }
            .sorted { ($0.level, $0.sizeBytes) < ($1.level, $1.sizeBytes) }
    }

    // MARK: Formatting helpers

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Bytes in the largest binary unit that fits, one decimal at most:
    /// `32768` → `"32 KiB"`, `4389556224` → `"4.1 GiB"`, `512` → `"512 B"`.
    public static func formatBytes(_ bytes: UInt64) -> String {
        let units: [(name: String, size: UInt64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for unit in units where bytes >= unit.size {
            let tenths = (bytes / unit.size) * 10 + ((bytes % unit.size) * 10 + unit.size / 2) / unit.size
            let whole = tenths / 10, fraction = tenths % 10
            return fraction == 0 ? "\(whole) \(unit.name)" : "\(whole).\(fraction) \(unit.name)"
        }
        return "\(bytes) B"
    }

    /// `text` as a JSON string literal, quotes included.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
