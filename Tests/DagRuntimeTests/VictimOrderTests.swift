// VictimOrder on hwloc's synthetic machines: concrete victim lists for a few
// workers, and for every worker the invariants (a permutation of the other
// workers, tiers non-decreasing, index distance non-decreasing within a tier).

import DagTopology
import Testing
@testable import DagRuntime

@Suite("Victim order")
struct VictimOrderTests {
    /// package:2 numa:2 l3:2 core:4 (pu:1 appended by DagTopology). hwloc
    /// multiplies counts per parent: 2 packages × 2 NUMA nodes × 2 L3 × 4 cores.
    ///
    ///     Package 0  NUMA 0  L3 0 [ 0  1  2  3]  L3 1 [ 4  5  6  7]
    ///                NUMA 1  L3 2 [ 8  9 10 11]  L3 3 [12 13 14 15]
    ///     Package 1  NUMA 2  L3 4 [16 .. 19]     L3 5 [20 .. 23]
    ///                NUMA 3  L3 6 [24 .. 27]     L3 7 [28 .. 31]
    ///
    /// No L2 in this machine, so no worker has tier-0 victims.
    @Test("L3 machine: own L3, then own NUMA node, then own package, then the other package")
    func l3Machine() throws {
        let cores = try HardwareTopology.synthetic("package:2 numa:2 l3:2 core:4").cores(forWorkers: 32)
        let order = VictimOrder.make(cores: cores)
        let tiers = VictimOrder.tiers(cores: cores)
        checkInvariants(tiers, workers: 32)

        #expect(order[0] == [1, 2, 3] + [4, 5, 6, 7] + Array(8...15) + Array(16...31))
        #expect(tiers[0].map(\.tier) == [1, 1, 1] + [2, 2, 2, 2] + Array(repeating: 3, count: 8)
            + Array(repeating: 4, count: 16))
        // Worker 5 is inside its L3 group: up first (6), then down (4), then 7.
        #expect(order[5] == [6, 4, 7] + [3, 2, 1, 0] + Array(8...15) + Array(16...31))
        // Worker 12 looks down to NUMA 1's other L3, then to NUMA 0, then across.
        #expect(order[12] == [13, 14, 15] + [11, 10, 9, 8] + Array((0...7).reversed()) + Array(16...31))
        // Worker 31, the last: everything is below it.
        #expect(order[31] == [30, 29, 28] + [27, 26, 25, 24] + Array((16...23).reversed())
            + Array((0...15).reversed()))
        #expect(tiers[31].map(\.tier) == tiers[0].map(\.tier))
    }

    /// package:2 numa:2 core:8 pu:2: no caches at all; hwloc puts each NUMA
    /// node in a group of 8 cores (2 PUs each).
    ///
    ///     Package 0  NUMA 0 [ 0 ..  7]  NUMA 1 [ 8 .. 15]
    ///     Package 1  NUMA 2 [16 .. 23]  NUMA 3 [24 .. 31]
    @Test("NUMA machine without caches: own NUMA node, then own package, then the rest")
    func numaMachine() throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:2 core:8 pu:2")
        let cores = try topology.cores(forWorkers: 32)
        let order = VictimOrder.make(cores: cores)
        let tiers = VictimOrder.tiers(cores: cores)
        checkInvariants(tiers, workers: 32)

        #expect(order[0] == Array(1...7) + Array(8...15) + Array(16...31))
        #expect(tiers[0].map(\.tier) == Array(repeating: 2, count: 7) + Array(repeating: 3, count: 8)
            + Array(repeating: 4, count: 16))
        // Worker 9: 10 and 8 first (distance 1, up before down), then 11 ... 15.
        #expect(order[9] == [10, 8, 11, 12, 13, 14, 15] + Array((0...7).reversed()) + Array(16...31))
        // Worker 16, first of package 1: the other package is all below it.
        #expect(order[16] == Array(17...23) + Array(24...31) + Array((0...15).reversed()))
    }

    /// package:1 l3:2 l2:2 core:2: pairs of cores share an L2, pairs of L2 an L3.
    ///
    ///     L3 0 ┬ L2 0 [0 1]      L3 1 ┬ L2 2 [4 5]
    ///          └ L2 1 [2 3]           └ L2 3 [6 7]
    @Test("L2 pairs come before the rest of the L3")
    func l2Machine() throws {
        let cores = try HardwareTopology.synthetic("package:1 l3:2 l2:2 core:2 pu:1").cores(forWorkers: 8)
        let tiers = VictimOrder.tiers(cores: cores)
        checkInvariants(tiers, workers: 8)
        #expect(tiers[0].map(\.worker) == [1, 2, 3, 4, 5, 6, 7])
        #expect(tiers[0].map(\.tier) == [0, 1, 1, 2, 2, 2, 2])
        #expect(tiers[3].map(\.worker) == [2, 1, 0, 4, 5, 6, 7])
        #expect(tiers[3].map(\.tier) == [0, 1, 1, 2, 2, 2, 2])
        // Worker 4 has worker 5 in its L2; 3 is nearer in index but only in the same NUMA node.
        #expect(tiers[4].map(\.worker) == [5, 6, 7, 3, 2, 1, 0])
        #expect(tiers[4].map(\.tier) == [0, 1, 1, 2, 2, 2, 2])
    }

    /// Fewer workers than cores: only the workers' cores count.
    @Test("a prefix of the machine orders only the workers it has")
    func fewerWorkersThanCores() throws {
        let cores = try HardwareTopology.synthetic("package:2 numa:2 l3:2 core:4").cores(forWorkers: 6)
        let tiers = VictimOrder.tiers(cores: cores)
        checkInvariants(tiers, workers: 6)
        #expect(tiers[0].map(\.worker) == [1, 2, 3, 4, 5])
        #expect(tiers[0].map(\.tier) == [1, 1, 1, 2, 2])
        #expect(tiers[4].map(\.worker) == [5, 3, 2, 1, 0])
        #expect(tiers[4].map(\.tier) == [1, 2, 2, 2, 2])
    }

    /// More workers than cores, placed round-robin as the scheduler does for
    /// testing: workers on the same core are tier 0 to each other.
    @Test("workers sharing a core are tier 0 to each other")
    func sharedCores() throws {
        let machine = try HardwareTopology.synthetic("package:1 l3:1 core:2 pu:1").cores
        let cores = (0..<4).map { machine[$0 % 2] }   // workers 0, 2 on core 0; 1, 3 on core 1
        let tiers = VictimOrder.tiers(cores: cores)
        checkInvariants(tiers, workers: 4)
        #expect(tiers[0].map(\.worker) == [2, 1, 3])
        #expect(tiers[0].map(\.tier) == [0, 1, 1])
        #expect(tiers[3].map(\.worker) == [1, 2, 0])
        #expect(tiers[3].map(\.tier) == [0, 1, 1])
    }

    @Test("one worker has no victims; none has none")
    func degenerate() throws {
        let cores = try HardwareTopology.synthetic("package:1 core:2 pu:1").cores(forWorkers: 1)
        #expect(VictimOrder.make(cores: cores) == [[]])
        #expect(VictimOrder.make(cores: []).isEmpty)
    }

    @Test("index rank runs w+1, w-1, w+2, w-2, ...")
    func indexRank() {
        #expect([11, 9, 12, 8, 13, 7].map { VictimOrder.indexRank(of: $0, from: 10) } == [0, 1, 2, 3, 4, 5])
    }

    /// Every worker's list is a permutation of the other workers, tiers never
    /// decrease, and within a tier the rank w+1, w-1, w+2, ... increases.
    private func checkInvariants(_ tiers: [[(worker: Int32, tier: Int)]],
                                 sourceLocation: SourceLocation = #_sourceLocation, workers: Int) {
        #expect(tiers.count == workers, sourceLocation: sourceLocation)
        for (thief, victims) in tiers.enumerated() {
            let others = (0..<workers).filter { $0 != thief }.map(Int32.init)
            #expect(victims.map(\.worker).sorted() == others, "worker \(thief)", sourceLocation: sourceLocation)
            #expect(victims.allSatisfy { (0...4).contains($0.tier) }, "worker \(thief)", sourceLocation: sourceLocation)
            for (a, b) in zip(victims, victims.dropFirst()) {
                let ordered = a.tier < b.tier || (a.tier == b.tier
                    && VictimOrder.indexRank(of: Int(a.worker), from: thief)
                        < VictimOrder.indexRank(of: Int(b.worker), from: thief))
                #expect(ordered, "worker \(thief): \(a) before \(b)", sourceLocation: sourceLocation)
            }
        }
    }
}
