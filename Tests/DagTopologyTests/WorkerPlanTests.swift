// cores(forWorkers:) fills one package / NUMA node / L3 before the next.

import Testing
@testable import DagTopology

@Suite("Worker placement")
struct WorkerPlanTests {
    @Test("all host cores can be used, one at a time or all at once")
    func hostBounds() throws {
        let host = try HardwareTopology.host()
        #expect(try host.cores(forWorkers: host.cores.count) == host.cores)
        #expect(try host.cores(forWorkers: 1) == [host.cores[0]])
    }

    @Test("worker counts outside 1...cores throw, naming the core count", arguments: [-1, 0, 33, 1000])
    func outOfRange(_ n: Int) throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:2 core:8 pu:2")
        let error = try #require(throws: TopologyError.self) {
            try topology.cores(forWorkers: n)
        }
        #expect(error.reason == .workerCountOutOfRange)
        #expect(error.description.contains("32 cores"))
        #expect(error.description.contains("\(n) workers"))
    }

    @Test("the first 8 workers share a NUMA node; the 9th starts the next")
    func fillsNumaFirst() throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:2 core:8 pu:2")
        let eight = try topology.cores(forWorkers: 8)
        #expect(eight.allSatisfy { $0.packageIndex == 0 && $0.numaIndex == 0 })
        let nine = try topology.cores(forWorkers: 9)
        #expect(nine.last?.numaIndex == 1)
        #expect(nine.last?.packageIndex == 0)
        let seventeen = try topology.cores(forWorkers: 17)
        #expect(seventeen.last?.packageIndex == 1)
    }

    @Test("the first 4 workers share an L3")
    func fillsL3First() throws {
        let topology = try HardwareTopology.synthetic("package:2 numa:2 l3:2 core:4")
        let four = try topology.cores(forWorkers: 4)
        #expect(four.allSatisfy { $0.sharesCache(level: 3, with: four[0]) })
        let five = try topology.cores(forWorkers: 5)
        #expect(!five[4].sharesCache(level: 3, with: five[0]))
    }
}
