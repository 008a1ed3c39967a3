import DagTopology

/// The order in which an idle worker tries the other workers' deques, nearest
/// first, from the machine's cache and memory hierarchy.
///
/// Stealing from a worker that shares a cache is cheaper twice over: the
/// deque's lines move between cores through that cache, and the stolen task's
/// inputs, computed by the victim, are likely still in it. So each worker
/// tries, in this order, the workers
///
/// | tier | shares with the thief                   |
/// |------|-----------------------------------------|
/// | 0    | its core, or its L1 or L2 cache         |
/// | 1    | its L3 cache                            |
/// | 2    | its NUMA node                           |
/// | 3    | its package                             |
/// | 4    | only the machine                        |
///
/// and within a tier by distance in worker index: `w+1, w-1, w+2, w-2, ...`.
/// Workers are placed on cores in hwloc's logical order
/// (``HardwareTopology/cores(forWorkers:)``), so index distance follows the
/// topology, and neighbours start from different victims: in a group of four,
/// worker 1 first tries 2 while worker 2 first tries 3.
///
/// ```swift
/// let machine = try HardwareTopology.synthetic("package:2 numa:2 l3:2 core:4")
/// let order = VictimOrder.make(cores: try machine.cores(forWorkers: 16))
/// order[0]  // [1, 2, 3,  4, 5, 6, 7,  8, 9, ..., 15]
/// //           its L3     its NUMA node  the other NUMA node of its package
/// ```
///
/// A tier is a fact about two cores, not a count of what the machine has: a
/// machine without L2 caches (like the one above) has no tier-0 victims
/// except workers sharing a core, and a machine with one NUMA node puts every
/// worker outside the thief's L3 in tier 2. When hwloc reports no NUMA node
/// or package, DagTopology reports index 0 for every core, so they all share it.
///
/// Several workers may be pinned to one core (more workers than cores, for
/// testing); they are tier 0 to each other.
public enum VictimOrder {
    /// For each worker `w` (pinned to `cores[w]`), the other workers, nearest
    /// first: those sharing `w`'s L2, then its L3, then its NUMA node, then its
    /// package, then the rest; ties by distance in worker index (w+1, w-1,
    /// w+2, ...) so that different workers spread their first steals.
    ///
    /// - Complexity: O(n² log n) for n workers; done once per run.
    public static func make(cores: [Core]) -> [[Int32]] {
        tiers(cores: cores).map { victims in victims.map(\.worker) }
    }

    /// The same, with a tier number per victim (0 = shares L2, 1 = L3, 2 =
    /// NUMA node, 3 = package, 4 = machine) for tests and `dagrun topology`.
    ///
    /// - Complexity: O(n² log n) for n workers.
    public static func tiers(cores: [Core]) -> [[(worker: Int32, tier: Int)]] {
        precondition(cores.count <= Int(Int32.max), "more workers than Int32 can number")
        return cores.indices.map { thief in
            cores.indices
                .filter { $0 != thief }
                .map { victim in
                    (victim: victim, tier: tier(from: cores[thief], to: cores[victim]),
                     rank: indexRank(of: victim, from: thief))
                }
                .sorted { ($0.tier, $0.rank) < ($1.tier, $1.rank) }
                .map { (worker: Int32($0.victim), tier: $0.tier) }
        }
    }

    /// Tier of a victim on core `victim` for a thief on core `thief`: the
    /// innermost level of the hierarchy the two share.
    static func tier(from thief: Core, to victim: Core) -> Int {
        if thief.logicalIndex == victim.logicalIndex
            || thief.sharesCache(level: 1, with: victim)
            || thief.sharesCache(level: 2, with: victim) {
            return 0
        }
        if thief.sharesCache(level: 3, with: victim) { return 1 }
        if thief.numaIndex == victim.numaIndex { return 2 }
        if thief.packageIndex == victim.packageIndex { return 3 }
        return 4
    }

    /// Position of `victim` in the sequence w+1, w-1, w+2, w-2, ... around
    /// thief `w`: `2d - 2` above the thief, `2d - 1` below, for distance `d`.
    static func indexRank(of victim: Int, from thief: Int) -> Int {
        let distance = abs(victim - thief)
        return victim > thief ? 2 * distance - 2 : 2 * distance - 1
    }
}
