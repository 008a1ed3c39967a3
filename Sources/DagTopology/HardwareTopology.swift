/// The CPUs, caches and memory of one machine, real or made up, read with
/// hwloc (https://www.open-mpi.org/projects/hwloc/).
///
/// dagrun uses it to decide where workers run: ``cores(forWorkers:)`` picks
/// cores so that workers fill one package, NUMA node and L3 before
/// spreading to the next, and ``bindCurrentThread(to:)`` pins a worker's
/// thread to its core.
///
/// ```swift
/// let host = try HardwareTopology.host()
/// let plan = try host.cores(forWorkers: 2)
/// // on each worker thread i:
/// try host.bindCurrentThread(to: plan[i])
///
/// // Plan for a bigger machine without having one:
/// let big = try HardwareTopology.synthetic("package:2 numa:2 core:8 pu:2")
/// print(big.describe())
/// ```
///
/// Everything except binding is read once, when the topology loads, into
/// plain values (``Core``, ``NUMANode``, counts); no hwloc object outlives
/// the load. The instance still owns its `hwloc_topology_t`, for binding,
/// and destroys it in `deinit`. It never changes after loading, so it can
/// be shared between threads.
///
/// A *synthetic* topology is hwloc's made-up machine from a description
/// such as `"package:2 numa:2 core:8 pu:2"` (hwloc_topology_set_synthetic).
/// It is for planning and tests: hwloc's binding calls on it do nothing and
/// report success, so this type refuses to bind on one.
public final class HardwareTopology: Sendable {
    /// Whether this topology came from a synthetic description.
    public let isSynthetic: Bool
    /// The synthetic description hwloc accepted (see ``synthetic(_:)``), or
    /// nil for the host.
    public let syntheticDescription: String?
    /// Every core in hwloc logical order. On a machine where hwloc finds
    /// no core objects, each PU stands for a core.
    public let cores: [Core]
    /// Every NUMA node in hwloc logical order.
    public let numaNodes: [NUMANode]
    /// Number of packages (sockets); 0 when hwloc found none.
    public let packageCount: Int
    /// Number of NUMA nodes (at least 1 on any loaded hwloc 2 topology).
    public let numaNodeCount: Int
    /// Number of PUs (hardware threads) across all cores.
    public let puCount: Int
    /// Memory of all NUMA nodes together, in bytes (root `total_memory`).
    public let totalMemoryBytes: UInt64

    private let hwloc: HwlocTopology

    private init(_ hwloc: HwlocTopology, syntheticDescription: String?) {
        let snapshot = hwloc.snapshot()
        self.hwloc = hwloc
        self.isSynthetic = syntheticDescription != nil
        self.syntheticDescription = syntheticDescription
        self.cores = snapshot.cores
        self.numaNodes = snapshot.numaNodes
        self.packageCount = snapshot.packageCount
        self.numaNodeCount = snapshot.numaNodes.count
        self.puCount = snapshot.puCount
        self.totalMemoryBytes = snapshot.totalMemoryBytes
    }

    /// The machine this process runs on, limited to the CPUs it may use.
    ///
    /// - Throws: ``TopologyError`` with reason `.loadFailed` if hwloc cannot
    ///   discover the machine.
    public static func host() throws(TopologyError) -> HardwareTopology {
        do {
            return HardwareTopology(try HwlocTopology.host(), syntheticDescription: nil)
        } catch {
            throw .loadFailed("host", error)
        }
    }

    /// A made-up machine described in hwloc's synthetic language: levels
    /// from the top down as `type:count`, ending with `pu`, for example
    /// `"package:2 numa:2 core:8 pu:2"` (2 packages, each with 2 NUMA
    /// nodes of 8 cores, each core with 2 PUs: 32 cores, 64 PUs).
    ///
    /// hwloc requires the last level to be `pu`. A description that ends
    /// elsewhere, like `"package:2 numa:2 l3:2 core:4"`, is retried once
    /// with `" pu:1"` appended (one PU per core), and
    /// ``syntheticDescription`` then holds the completed string.
    ///
    /// - Throws: ``TopologyError`` with reason `.invalidSyntheticDescription`
    ///   naming the string, hwloc's errno text and a valid example.
    public static func synthetic(_ description: String) throws(TopologyError) -> HardwareTopology {
        let rejected: HwlocFailure
        do {
            return HardwareTopology(try HwlocTopology.synthetic(description), syntheticDescription: description)
        } catch {
            rejected = error
        }
        guard rejected.function == "hwloc_topology_set_synthetic" else {
            throw .loadFailed("synthetic \"\(description)\"", rejected)
        }
        if let completed = completingPULevel(description),
           let hwloc = try? HwlocTopology.synthetic(completed) {
            return HardwareTopology(hwloc, syntheticDescription: completed)
        }
        throw .invalidSynthetic(description, rejected)
    }

    /// `description` with `" pu:1"` appended when its last level is not
    /// `pu`; nil when it already ends with PUs or is blank.
    static func completingPULevel(_ description: String) -> String? {
        guard let last = description.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).last else {
            return nil
        }
        let type = last.prefix { $0 != ":" }.lowercased()
        guard type != "pu" else { return nil }
        return description + " pu:1"
    }

    /// The first `n` cores in logical order, one per worker.
    ///
    /// hwloc numbers cores so that those under the same package, NUMA node
    /// and L3 are consecutive, so a prefix fills one such group before
    /// touching the next: workers that share a graph also share caches and
    /// local memory.
    ///
    /// - Throws: ``TopologyError`` with reason `.workerCountOutOfRange` when
    ///   `n` is not in `1...cores.count`; the message names the count.
    /// - Complexity: O(n).
    public func cores(forWorkers n: Int) throws(TopologyError) -> [Core] {
        guard n >= 1, n <= cores.count else {
            throw .workerCount(n, coreCount: cores.count)
        }
        return Array(cores.prefix(n))
    }

    // MARK: Binding

    /// Pins the calling thread to `core` (all of its PUs) with
    /// `hwloc_set_cpubind(HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT)`,
    /// or without `STRICT` where the OS cannot do strict binding.
    ///
    /// - Throws: ``TopologyError`` with reason `.bindingUnsupported` on a
    ///   synthetic topology (hwloc would silently do nothing), `.foreignCore`
    ///   for a core not taken from this topology, `.bindingFailed` when the
    ///   OS refuses.
    public func bindCurrentThread(to core: Core) throws(TopologyError) {
        guard !isSynthetic, hwloc.isThisSystem else {
            throw .syntheticBinding
        }
        guard cores.indices.contains(core.logicalIndex), cores[core.logicalIndex] == core else {
            throw .foreignCore(core, coreCount: cores.count)
        }
        do {
            try hwloc.bindCurrentThread(to: core.puOSIndices)
        } catch {
            throw .bindingFailed(core.puOSIndices, error)
        }
    }

    /// The OS CPUs the calling thread is currently allowed to run on
    /// (`hwloc_get_cpubind(HWLOC_CPUBIND_THREAD)`), ascending. Meant for
    /// tests and diagnostics.
    ///
    /// - Throws: ``TopologyError`` with reason `.bindingUnsupported` on a
    ///   synthetic topology (hwloc would report every synthetic PU), or
    ///   `.bindingFailed` when the OS query fails.
    public func currentThreadBinding() throws(TopologyError) -> [Int] {
        guard !isSynthetic, hwloc.isThisSystem else {
            throw .syntheticBindingQuery
        }
        do {
            return try hwloc.currentThreadBinding()
        } catch {
            throw .readBindingFailed(error)
        }
    }
}

/// The CPU the calling thread is running on.
public enum CPU {
    /// The OS index of the CPU the calling thread runs on right now, as
    /// glibc's `sched_getcpu(3)` reports it (hwloc's PU `P#`), or -1 if the
    /// kernel cannot tell. Unless the thread is bound, the answer may be
    /// stale as soon as it returns.
    public static func current() -> Int {
        schedGetCPU()
    }
}
