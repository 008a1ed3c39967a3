/// One data or unified CPU cache (L1d, L2, L3, ...) as hwloc reports it.
///
/// Instruction caches are left out: they do not hold the data that workers
/// share. Two cores share a cache when their `CacheInfo` at that level has
/// the same ``logicalIndex``.
public struct CacheInfo: Sendable, Equatable {
    /// Cache level: 1 for L1, 2 for L2, ... (hwloc's `attr->cache.depth`).
    public let level: Int
    /// Capacity in bytes (hwloc's `attr->cache.size`).
    public let sizeBytes: Int
    /// hwloc logical index among the caches of this level, in topology order.
    public let logicalIndex: Int

    public init(level: Int, sizeBytes: Int, logicalIndex: Int) {
        self.level = level
        self.sizeBytes = sizeBytes
        self.logicalIndex = logicalIndex
    }
}

/// A physical core, with where it sits in the machine.
///
/// A core runs one or more hardware threads (hwloc PUs); a worker pinned to
/// a core may run on any of them. Cores come from ``HardwareTopology/cores``
/// in hwloc's logical order, so neighbours in that array share a package,
/// NUMA node and last-level cache before they share nothing.
///
/// ```swift
/// let topology = try HardwareTopology.synthetic("package:2 numa:2 l3:2 core:4 pu:1")
/// let first = topology.cores[0], second = topology.cores[1]
/// first.sharesCache(level: 3, with: second)   // true: same L3
/// ```
///
/// `Core` is a plain value copied out of hwloc when the topology loads; it
/// holds no hwloc pointer and stays valid after the topology is gone.
public struct Core: Sendable, Equatable {
    /// hwloc logical index of the core, `0..<coreCount`.
    public let logicalIndex: Int
    /// OS indices of its PUs (hyperthreads), ascending; never empty.
    public let puOSIndices: [Int]
    /// The CPU number `sched_getcpu` reports for the core's first PU.
    public var osIndex: Int { puOSIndices[0] }
    /// Logical index of the enclosing package (0 if the topology has none).
    public let packageIndex: Int
    /// Logical index of the NUMA node whose CPUs include this core (0 if none).
    public let numaIndex: Int
    /// Data and unified caches above the core, L1 first.
    public let caches: [CacheInfo]

    /// Makes a core by hand, for tests and planning on made-up machines.
    ///
    /// - Precondition: `puOSIndices` is not empty.
    public init(logicalIndex: Int, puOSIndices: [Int], packageIndex: Int, numaIndex: Int, caches: [CacheInfo]) {
        precondition(!puOSIndices.isEmpty, "a core has at least one PU")
        self.logicalIndex = logicalIndex
        self.puOSIndices = puOSIndices
        self.packageIndex = packageIndex
        self.numaIndex = numaIndex
        self.caches = caches
    }

    /// The core's cache at `level`, if it has one.
    public func cache(level: Int) -> CacheInfo? {
        caches.first { $0.level == level }
    }

    /// Whether this core and `other` use the same cache at `level`.
    ///
    /// False when either core has no cache at that level. A core shares
    /// every cache it has with itself.
    public func sharesCache(level: Int, with other: Core) -> Bool {
        guard let mine = cache(level: level), let theirs = other.cache(level: level) else { return false }
        return mine.logicalIndex == theirs.logicalIndex
    }
}

/// A NUMA node: a bank of memory and the CPUs closest to it.
///
/// In hwloc 2 a NUMA node is a *memory child* of the object whose CPUs are
/// local to it (a package, or a group inside it); cores find theirs by CPU
/// set inclusion. See ``Core/numaIndex``.
public struct NUMANode: Sendable, Equatable {
    /// hwloc logical index, `0..<numaNodeCount`.
    public let logicalIndex: Int
    /// OS index (the `node` number Linux uses, hwloc's P#).
    public let osIndex: Int
    /// Memory local to this node in bytes (hwloc's `attr->numanode.local_memory`).
    public let memoryBytes: UInt64

    public init(logicalIndex: Int, osIndex: Int, memoryBytes: UInt64) {
        self.logicalIndex = logicalIndex
        self.osIndex = osIndex
        self.memoryBytes = memoryBytes
    }
}
