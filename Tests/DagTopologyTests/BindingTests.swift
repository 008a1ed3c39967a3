// Binding a thread really moves it: the kernel reports the CPU we asked for.

import Foundation
import Testing
@testable import DagTopology

@Suite("Thread binding")
struct BindingTests {
    /// What a bound thread saw on one core.
    struct Observation: Sendable {
        var core: Core
        var cpusSeen: [Int]
        var binding: [Int]
    }

    @Test("binding a thread to each host core in turn runs it there")
    func bindToEachCore() async throws {
        let host = try HardwareTopology.host()
        let result: Result<[Observation], TopologyError> = await onDedicatedThread {
            do throws(TopologyError) {
                var observations: [Observation] = []
                for core in host.cores {
                    try host.bindCurrentThread(to: core)
                    var seen: [Int] = []
                    for _ in 0..<5 {
                        spin()
                        sched_yield()
                        seen.append(CPU.current())
                    }
                    observations.append(Observation(core: core, cpusSeen: seen, binding: try host.currentThreadBinding()))
                }
                return .success(observations)
            } catch {
                return .failure(error)
            }
        }
        let observations = try result.get()
        #expect(observations.count == host.cores.count)
        for observation in observations {
            let core = observation.core
            #expect(observation.binding == core.puOSIndices, "binding for core L#\(core.logicalIndex)")
            for cpu in observation.cpusSeen {
                #expect(core.puOSIndices.contains(cpu), "core L#\(core.logicalIndex) ran on CPU \(cpu)")
                if core.puOSIndices.count == 1 {
                    #expect(cpu == core.osIndex)
                }
            }
        }
    }

    @Test("binding one thread leaves other threads alone")
    func bindingIsPerThread() async throws {
        let host = try HardwareTopology.host()
        let before = try await onDedicatedThread { Result { () throws(TopologyError) in try host.currentThreadBinding() } }.get()
        let core = try #require(host.cores.last)
        let bound = try await onDedicatedThread {
            Result { () throws(TopologyError) in
                try host.bindCurrentThread(to: core)
                return try host.currentThreadBinding()
            }
        }.get()
        let after = try await onDedicatedThread { Result { () throws(TopologyError) in try host.currentThreadBinding() } }.get()
        #expect(bound == core.puOSIndices)
        #expect(after == before)
    }

    @Test("binding and reading the binding on a synthetic topology throw")
    func syntheticRefuses() throws {
        let synthetic = try HardwareTopology.synthetic("package:2 numa:2 core:8 pu:2")
        let bind = try #require(throws: TopologyError.self) {
            try synthetic.bindCurrentThread(to: synthetic.cores[0])
        }
        #expect(bind.reason == .bindingUnsupported)
        #expect(bind.description.contains("cannot bind on a synthetic topology; plan on it, bind with the host topology"))
        let query = try #require(throws: TopologyError.self) {
            try synthetic.currentThreadBinding()
        }
        #expect(query.reason == .bindingUnsupported)
    }

    @Test("a core from another topology is refused")
    func foreignCore() throws {
        let host = try HardwareTopology.host()
        let stranger = Core(logicalIndex: host.cores.count, puOSIndices: [4096], packageIndex: 0, numaIndex: 0, caches: [])
        let error = try #require(throws: TopologyError.self) {
            try host.bindCurrentThread(to: stranger)
        }
        #expect(error.reason == .foreignCore)
        #expect(error.description.contains("\(host.cores.count) cores"))
    }
}

/// Keeps the CPU busy for about 2 ms, long enough for the scheduler to
/// have moved the thread if the binding did not hold.
private func spin() {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: .milliseconds(2))
    while clock.now < end {}
}
