// The host topology agrees with what the kernel reports.

import Foundation
import Testing
@testable import DagTopology

@Suite("Host topology")
struct HostTopologyTests {
    @Test("core and PU counts match sysfs and sysconf")
    func countsMatchKernel() throws {
        let host = try HardwareTopology.host()
        #expect(!host.isSynthetic)
        #expect(host.syntheticDescription == nil)
        #expect(host.cores.count == (try Sysfs.onlineCoreCount()))
        #expect(host.puCount == Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #expect(host.puCount == (try Sysfs.onlineCPUs()).count)
        #expect(host.cores.reduce(0) { $0 + $1.puOSIndices.count } == host.puCount)
    }

    @Test("PU OS indices are unique, online, and osIndex is the first of them")
    func puIndicesAreSound() throws {
        let host = try HardwareTopology.host()
        let all = host.cores.flatMap(\.puOSIndices)
        #expect(Set(all).count == all.count)
        #expect(Set(all) == Set(try Sysfs.onlineCPUs()))
        for core in host.cores {
            #expect(core.osIndex == core.puOSIndices[0])
            #expect(core.puOSIndices == core.puOSIndices.sorted())
        }
    }

    @Test("logical indices, packages and NUMA nodes are in range")
    func indicesInRange() throws {
        let host = try HardwareTopology.host()
        #expect(host.cores.map(\.logicalIndex) == Array(0..<host.cores.count))
        #expect(host.numaNodeCount >= 1)
        #expect(host.numaNodes.map(\.logicalIndex) == Array(0..<host.numaNodeCount))
        for core in host.cores {
            #expect(core.numaIndex < host.numaNodeCount)
            #expect(core.packageIndex < max(1, host.packageCount))
        }
        #expect(host.totalMemoryBytes > 0)
        #expect(host.numaNodes.reduce(0) { $0 + $1.memoryBytes } == host.totalMemoryBytes)
    }

    @Test("caches are listed L1 first, with sizes")
    func cachesOrdered() throws {
        let host = try HardwareTopology.host()
        for core in host.cores {
            #expect(core.caches.map(\.level) == core.caches.map(\.level).sorted())
            #expect(core.caches.allSatisfy { $0.sizeBytes > 0 })
            for cache in core.caches {
                #expect(core.sharesCache(level: cache.level, with: core))
            }
        }
    }

    @Test("CPU.current() names an online CPU")
    func currentCPUIsOnline() throws {
        #expect(try Sysfs.onlineCPUs().contains(CPU.current()))
    }
}
