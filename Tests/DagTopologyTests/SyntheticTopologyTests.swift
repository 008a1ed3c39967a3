// Synthetic topologies: hwloc's made-up machines, built from a string.

import Foundation
import Testing
@testable import DagTopology

@Suite("Synthetic topology")
struct SyntheticTopologyTests {
    /// package:2 numa:2 core:8 pu:2 is read by hwloc as
    ///
    ///     Machine
    ///       Package L#0
    ///         Group L#0 + NUMA L#0 : Core L#0..7   (PU P#0..15)
    ///         Group L#1 + NUMA L#1 : Core L#8..15  (PU P#16..31)
    ///       Package L#1
    ///         Group L#2 + NUMA L#2 : Core L#16..23 (PU P#32..47)
    ///         Group L#3 + NUMA L#3 : Core L#24..31 (PU P#48..63)
    ///
    /// Counts multiply down the levels: 2 NUMA nodes per package (4 in
    /// all), 8 cores per NUMA node (32 in all).
    @Test("package:2 numa:2 core:8 pu:2 gives 2 packages, 4 NUMA nodes, 32 cores of 2 PUs")
    func packagesNumaCores() throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:2 core:8 pu:2")
        #expect(topology.isSynthetic)
        #expect(topology.syntheticDescription == "package:2 numa:2 core:8 pu:2")
        #expect(topology.packageCount == 2)
        #expect(topology.numaNodeCount == 4)
        #expect(topology.numaNodes.map(\.osIndex) == [0, 1, 2, 3])
        #expect(topology.cores.count == 32)
        #expect(topology.puCount == 64)
        #expect(topology.cores.allSatisfy { $0.puOSIndices.count == 2 })
        #expect(topology.numaNodes.reduce(0) { $0 + $1.memoryBytes } == topology.totalMemoryBytes)

        let first = try #require(topology.cores.first)
        #expect(first.logicalIndex == 0)
        #expect(first.puOSIndices == [0, 1])
        #expect(first.packageIndex == 0)
        #expect(first.numaIndex == 0)

        let last = try #require(topology.cores.last)
        #expect(last.logicalIndex == 31)
        #expect(last.puOSIndices == [62, 63])
        #expect(last.packageIndex == 1)
        #expect(last.numaIndex == 3)

        // The NUMA boundaries fall every 8 cores, the package boundary at 16.
        #expect(topology.cores.map(\.numaIndex) == (0..<32).map { $0 / 8 })
        #expect(topology.cores.map(\.packageIndex) == (0..<32).map { $0 / 16 })
    }

    /// package:2 numa:2 l3:2 core:4 — hwloc wants PUs last, so the string
    /// is completed with pu:1. Each L3 covers 4 consecutive cores:
    ///
    ///     NUMA L#0: L3 L#0 [core 0 1 2 3]  L3 L#1 [core 4 5 6 7]
    ///     NUMA L#1: L3 L#2 [core 8 ... 11] L3 L#3 [core 12 ... 15] ...
    @Test("package:2 numa:2 l3:2 core:4 gives L3 caches shared by 4 cores")
    func l3Sharing() throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:2 l3:2 core:4")
        #expect(topology.syntheticDescription == "package:2 numa:2 l3:2 core:4 pu:1")
        #expect(topology.cores.count == 32)
        #expect(topology.puCount == 32)
        let cores = topology.cores
        #expect(cores.allSatisfy { $0.caches.map(\.level) == [3] && $0.caches[0].sizeBytes > 0 })
        #expect(cores.map { $0.caches[0].logicalIndex } == (0..<32).map { $0 / 4 })

        #expect(cores[0].sharesCache(level: 3, with: cores[3]))
        #expect(cores[4].sharesCache(level: 3, with: cores[7]))
        #expect(!cores[3].sharesCache(level: 3, with: cores[4]))
        #expect(!cores[0].sharesCache(level: 3, with: cores[31]))
        // No L2 in this machine, so nothing is shared at level 2.
        #expect(!cores[0].sharesCache(level: 2, with: cores[0]))
    }

    /// package:1 l3:2 l2:2 core:2 pu:1
    ///
    ///     L3 L#0 ┬ L2 L#0 [core 0 1]
    ///            └ L2 L#1 [core 2 3]
    ///     L3 L#1 ┬ L2 L#2 [core 4 5]
    ///            └ L2 L#3 [core 6 7]
    @Test("nested L3 and L2: sharing is per level")
    func nestedCaches() throws {
        let cores = try HardwareTopology.synthetic("package:1 l3:2 l2:2 core:2 pu:1").cores
        #expect(cores.count == 8)
        #expect(cores.allSatisfy { $0.caches.map(\.level) == [2, 3] })
        #expect(cores[0].sharesCache(level: 2, with: cores[1]))
        #expect(cores[0].sharesCache(level: 3, with: cores[1]))
        #expect(!cores[1].sharesCache(level: 2, with: cores[2]))
        #expect(cores[1].sharesCache(level: 3, with: cores[2]))
        #expect(!cores[3].sharesCache(level: 2, with: cores[4]))
        #expect(!cores[3].sharesCache(level: 3, with: cores[4]))
    }

    @Test("a bad synthetic string throws an error naming it, errno text and an example")
    func badString() throws {
        let error = try #require(throws: TopologyError.self) {
            try HardwareTopology.synthetic("package:banana")
        }
        #expect(error.reason == .invalidSyntheticDescription)
        #expect(error.description.contains("\"package:banana\""))
        #expect(error.description.contains("Invalid argument"))
        #expect(error.description.contains("package:2 numa:2 core:8 pu:2"))
        #expect(error.cFunction == "hwloc_topology_set_synthetic")
        #expect(error.errno == EINVAL)
    }

    @Test("completing the PU level does not hide other mistakes",
          arguments: ["", "package:2 core:banana", "package:2 pu:2 core:2", "package:-1 pu:1"])
    func otherBadStrings(_ text: String) throws {
        let error = try #require(throws: TopologyError.self) {
            try HardwareTopology.synthetic(text)
        }
        #expect(error.reason == .invalidSyntheticDescription)
        #expect(error.description.contains("\"\(text)\""))
    }

    @Test("PU completion only applies when the last level is not pu")
    func completion() {
        #expect(HardwareTopology.completingPULevel("package:2 core:4") == "package:2 core:4 pu:1")
        #expect(HardwareTopology.completingPULevel("package:2 core:4 pu:2") == nil)
        #expect(HardwareTopology.completingPULevel("package:2 core:4 PU:2") == nil)
        #expect(HardwareTopology.completingPULevel("   ") == nil)
    }
}
