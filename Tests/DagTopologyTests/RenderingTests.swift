// describe() and summaryJSON() show what the topology holds.

import Foundation
import Testing
@testable import DagTopology

@Suite("Rendering")
struct RenderingTests {
    static let descriptions = ["package:2 numa:2 core:8 pu:2", "package:2 numa:2 l3:2 core:4", "package:1 l3:2 l2:2 core:2 pu:1"]

    @Test("describe() names every core once, after a headline")
    func describeMentionsEveryCore() throws {
        for topology in try [HardwareTopology.host()] + Self.descriptions.map(HardwareTopology.synthetic) {
            let lines = topology.describe().split(separator: "\n").map(String.init)
            let coreLines = lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Core L#") }
            #expect(coreLines.count == topology.cores.count)
            for core in topology.cores {
                let pus = core.puOSIndices.map { "P#\($0)" }.joined(separator: " ")
                #expect(coreLines.contains { $0.contains("Core L#\(core.logicalIndex) (PU") && $0.contains(pus) })
            }
            if let text = topology.syntheticDescription {
                #expect(lines[0].hasPrefix("synthetic \"\(text)\": "))
            } else {
                #expect(lines[0].hasPrefix("host: "))
            }
            #expect(lines[1].hasPrefix("Machine ("))
        }
    }

    /// The whole tree for a small machine, checked against `hwloc-ls -i`
    /// (hwloc gives each synthetic NUMA node 1 GiB by default).
    @Test("describe() draws the tree with NUMA nodes above caches")
    func describeGolden() throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:1 l2:2 core:1 pu:2")
        #expect(topology.describe() == """
            synthetic "package:2 numa:1 l2:2 core:1 pu:2": 2 packages, 2 NUMA nodes, 4 cores, 8 PUs
            Machine (2 GiB)
              Package L#0
                NUMA node L#0 (P#0, 1 GiB)
                  L2 L#0 (4 MiB)
                    Core L#0 (PUs P#0 P#1)
                  L2 L#1 (4 MiB)
                    Core L#1 (PUs P#2 P#3)
              Package L#1
                NUMA node L#1 (P#1, 1 GiB)
                  L2 L#2 (4 MiB)
                    Core L#2 (PUs P#4 P#5)
                  L2 L#3 (4 MiB)
                    Core L#3 (PUs P#6 P#7)
            """)
    }

    @Test("summaryJSON() parses and agrees with the topology")
    func summaryParses() throws {
        for topology in try [HardwareTopology.host()] + Self.descriptions.map(HardwareTopology.synthetic) {
            let json = topology.summaryJSON()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["source"] as? String == (topology.isSynthetic ? "synthetic" : "host"))
            #expect(object["synthetic"] as? String == topology.syntheticDescription)
            #expect(object["packages"] as? Int == topology.packageCount)
            #expect(object["numa_nodes"] as? Int == topology.numaNodeCount)
            #expect(object["cores"] as? Int == topology.cores.count)
            #expect(object["pus"] as? Int == topology.puCount)
            let perCore = try #require(object["per_core"] as? [[String: Any]])
            #expect(perCore.count == topology.cores.count)
            for (entry, core) in zip(perCore, topology.cores) {
                #expect(entry["core"] as? Int == core.logicalIndex)
                #expect(entry["os_cpus"] as? [Int] == core.puOSIndices)
                #expect(entry["package"] as? Int == core.packageIndex)
                #expect(entry["numa"] as? Int == core.numaIndex)
            }
            let caches = try #require(object["caches"] as? [[String: Any]])
            let levels = Set(topology.cores.flatMap(\.caches).map(\.level))
            #expect(Set(caches.compactMap { $0["level"] as? Int }) == levels)
        }
    }

    @Test("summaryJSON() counts distinct caches per level")
    func cacheCounts() throws {
        let topology = try HardwareTopology.synthetic("package:1 l3:2 l2:2 core:2 pu:1")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(topology.summaryJSON().utf8)) as? [String: Any])
        let caches = try #require(object["caches"] as? [[String: Any]])
        let countByLevel = Dictionary(uniqueKeysWithValues: caches.map { ($0["level"] as! Int, $0["count"] as! Int) })
        #expect(countByLevel == [2: 4, 3: 2])
    }

    @Test("byte sizes and JSON strings are formatted exactly")
    func formatting() {
        #expect(HardwareTopology.formatBytes(512) == "512 B")
        #expect(HardwareTopology.formatBytes(32768) == "32 KiB")
        #expect(HardwareTopology.formatBytes(4_389_556_224) == "4.1 GiB")
        #expect(HardwareTopology.formatBytes(1536 * 1024) == "1.5 MiB")
        #expect(HardwareTopology.jsonString("a\"b\\c\n\u{1}") == #""a\"b\\c\n\u0001""#)
    }
}
