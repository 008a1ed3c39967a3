// Every call into hwloc and the C shim lives in this file.
//
// The rest of the module works on plain Swift values (`Core`, `NUMANode`,
// `TopologySnapshot`) copied out of hwloc once, right after the topology
// loads; only binding goes back to hwloc, through `HwlocTopology`.
//
// hwloc functions used: hwloc_topology_init, hwloc_topology_set_synthetic,
// hwloc_topology_load, hwloc_topology_destroy, hwloc_topology_is_thissystem,
// hwloc_topology_get_topology_cpuset, hwloc_get_root_obj,
// hwloc_get_nbobjs_by_type, hwloc_get_obj_by_type,
// hwloc_get_ancestor_obj_by_type, hwloc_obj_type_is_dcache,
// hwloc_bitmap_{alloc,free,set,first,next,isincluded,and,weight},
// hwloc_set_cpubind, hwloc_get_cpubind.

internal import CHwloc
internal import Glibc

/// A failed C call: the function's name and the `errno` it left.
///
/// Internal: `TopologyError`'s factories turn it into a sentence with
/// context. Its description reads `hwloc_set_cpubind: Invalid argument`.
struct HwlocFailure: Error, CustomStringConvertible {
    let function: String
    let code: Int32

    var description: String {
        guard let text = strerror(code) else { return "\(function): errno \(code)" }
        return "\(function): \(String(cString: text))"
    }
}

/// Runs one hwloc call that follows the C convention "-1 and errno on
/// failure", and throws the `errno` it left as an `HwlocFailure`.
///
/// hwloc's topology and binding calls are not interrupted by signals
/// (binding is `sched_setaffinity`), so there is no EINTR retry here.
@discardableResult
func hwlocCall(_ function: String, _ body: () -> Int32) throws(HwlocFailure) -> Int32 {
    Glibc.errno = 0
    let result = body()
    if result < 0 {
        // Some hwloc paths fail without setting errno; EINVAL is the best guess then.
        let code = Glibc.errno == 0 ? EINVAL : Glibc.errno
        throw HwlocFailure(function: function, code: code)
    }
    return result
}

/// Everything DagTopology needs from a loaded hwloc topology, as values.
struct TopologySnapshot: Sendable {
    var cores: [Core]
    var numaNodes: [NUMANode]
    var packageCount: Int
    var puCount: Int
    var totalMemoryBytes: UInt64
}

/// Owner of one `hwloc_topology_t`, from `hwloc_topology_init` to
/// `hwloc_topology_destroy` in `deinit`.
///
/// `@unchecked Sendable`: after `hwloc_topology_load` this type never
/// modifies the topology, and hwloc allows concurrent read-only use of a
/// loaded topology, binding included (hwloc manual, "Thread Safety").
final class HwlocTopology: @unchecked Sendable {
    private let topology: hwloc_topology_t

    /// `hwloc_topology_init`, then `configure` (e.g. set a synthetic
    /// description), then `hwloc_topology_load`. On failure the topology is
    /// destroyed and the failure of the step that broke is thrown.
    private init(configure: (hwloc_topology_t) throws(HwlocFailure) -> Void) throws(HwlocFailure) {
        var created: hwloc_topology_t?
        try hwlocCall("hwloc_topology_init") { hwloc_topology_init(&created) }
        guard let created else { throw HwlocFailure(function: "hwloc_topology_init", code: ENOMEM) }
        do {
            try configure(created)
            try hwlocCall("hwloc_topology_load") { hwloc_topology_load(created) }
        } catch {
            hwloc_topology_destroy(created)
            throw error
        }
        topology = created
    }

    deinit {
        hwloc_topology_destroy(topology)
    }

    /// The machine this process runs on, as hwloc discovers it.
    static func host() throws(HwlocFailure) -> HwlocTopology {
        try HwlocTopology { _ throws(HwlocFailure) in }
    }

    /// A made-up machine from hwloc's synthetic description language
    /// (`hwloc_topology_set_synthetic`), e.g. `"package:2 core:4 pu:2"`.
    static func synthetic(_ description: String) throws(HwlocFailure) -> HwlocTopology {
        try HwlocTopology { topology throws(HwlocFailure) in
            try hwlocCall("hwloc_topology_set_synthetic") { hwloc_topology_set_synthetic(topology, description) }
        }
    }

    /// Whether the topology describes the running machine, so binding on
    /// it means something (`hwloc_topology_is_thissystem`). False for
    /// synthetic topologies, where hwloc's binding calls silently do nothing.
    var isThisSystem: Bool {
        hwloc_topology_is_thissystem(topology) != 0
    }

    // MARK: Reading the topology into values

    /// Copies cores, NUMA nodes and counts out of hwloc.
    ///
    /// Cores are `HWLOC_OBJ_CORE` objects in logical order; on a machine
    /// where hwloc found no cores, each PU stands for a core.
    func snapshot() -> TopologySnapshot {
        let numaObjects = objects(of: HWLOC_OBJ_NUMANODE)
        let numaNodes = numaObjects.map { node in
            NUMANode(
                logicalIndex: Int(node.pointee.logical_index),
                osIndex: Int(node.pointee.os_index),
                memoryBytes: node.pointee.attr?.pointee.numanode.local_memory ?? 0)
        }
        let coreType = count(of: HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU
        let cores = objects(of: coreType).map { core in
            makeCore(core, numaObjects: numaObjects)
        }
        return TopologySnapshot(
            cores: cores,
            numaNodes: numaNodes,
            packageCount: count(of: HWLOC_OBJ_PACKAGE),
            puCount: count(of: HWLOC_OBJ_PU),
            totalMemoryBytes: hwloc_get_root_obj(topology)?.pointee.total_memory ?? 0)
    }

    /// `hwloc_get_nbobjs_by_type`, with "several depths" (-1) read as 0.
    private func count(of type: hwloc_obj_type_t) -> Int {
        max(0, Int(hwloc_get_nbobjs_by_type(topology, type)))
    }

    /// All objects of `type` in logical order (`hwloc_get_obj_by_type`).
    /// The pointers are valid only while this topology lives; callers copy
    /// what they need out of them before returning.
    private func objects(of type: hwloc_obj_type_t) -> [hwloc_obj_t] {
        (0..<count(of: type)).compactMap { hwloc_get_obj_by_type(topology, type, UInt32($0)) }
    }

    private func makeCore(_ core: hwloc_obj_t, numaObjects: [hwloc_obj_t]) -> Core {
        let cpuset = core.pointee.cpuset
        let package = hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_PACKAGE, core)
        // NUMA nodes hang off the tree as memory children in hwloc 2, so a
        // core's node is the first whose CPU set includes the core's.
        let numa = numaObjects.first { node in
            hwloc_bitmap_isincluded(cpuset, node.pointee.cpuset) != 0
        }
        var caches: [CacheInfo] = []
        var ancestor = core.pointee.parent
        while let object = ancestor {
            if hwloc_obj_type_is_dcache(object.pointee.type) != 0, let attr = object.pointee.attr {
                caches.append(CacheInfo(
                    level: Int(attr.pointee.cache.depth),
                    sizeBytes: Int(attr.pointee.cache.size),
                    logicalIndex: Int(object.pointee.logical_index)))
            }
            ancestor = object.pointee.parent
        }
        var pus = cpuIndices(cpuset)
        if pus.isEmpty { pus = [Int(core.pointee.os_index)] }
        return Core(
            logicalIndex: Int(core.pointee.logical_index),
            puOSIndices: pus,
            packageIndex: package.map { Int($0.pointee.logical_index) } ?? 0,
            numaIndex: numa.map { Int($0.pointee.logical_index) } ?? 0,
            caches: caches)
    }

    /// The set bits of a finite hwloc bitmap, ascending
    /// (`hwloc_bitmap_first` / `hwloc_bitmap_next`).
    private func cpuIndices(_ set: hwloc_const_bitmap_t?) -> [Int] {
        guard let set, hwloc_bitmap_weight(set) >= 0 else { return [] }
        var indices: [Int] = []
        var index = hwloc_bitmap_first(set)
        while index >= 0 {
            indices.append(Int(index))
            index = hwloc_bitmap_next(set, index)
        }
        return indices
    }

    // MARK: Binding

    /// Binds the calling thread to `cpus` (OS indices) with
    /// `hwloc_set_cpubind(HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT)`,
    /// falling back to a non-strict binding where the OS cannot do strict
    /// (ENOSYS) or cannot enforce the exact set (EXDEV).
    func bindCurrentThread(to cpus: [Int]) throws(HwlocFailure) {
        let set = try allocateBitmap()
        defer { hwloc_bitmap_free(set) }
        for cpu in cpus {
            try hwlocCall("hwloc_bitmap_set") { hwloc_bitmap_set(set, UInt32(cpu)) }
        }
        let thread = Int32(bitPattern: HWLOC_CPUBIND_THREAD.rawValue)
        let strict = Int32(bitPattern: HWLOC_CPUBIND_STRICT.rawValue)
        do {
            try hwlocCall("hwloc_set_cpubind") { hwloc_set_cpubind(topology, set, thread | strict) }
        } catch let failure where failure.code == ENOSYS || failure.code == EXDEV {
            try hwlocCall("hwloc_set_cpubind") { hwloc_set_cpubind(topology, set, thread) }
        }
    }

    /// The OS CPUs the calling thread may run on
    /// (`hwloc_get_cpubind(HWLOC_CPUBIND_THREAD)`), limited to the CPUs of
    /// this topology so an "everything" binding stays finite.
    func currentThreadBinding() throws(HwlocFailure) -> [Int] {
        let set = try allocateBitmap()
        defer { hwloc_bitmap_free(set) }
        let thread = Int32(bitPattern: HWLOC_CPUBIND_THREAD.rawValue)
        try hwlocCall("hwloc_get_cpubind") { hwloc_get_cpubind(topology, set, thread) }
        try hwlocCall("hwloc_bitmap_and") {
            hwloc_bitmap_and(set, set, hwloc_topology_get_topology_cpuset(topology))
        }
        return cpuIndices(set)
    }

    private func allocateBitmap() throws(HwlocFailure) -> hwloc_bitmap_t {
        guard let set = hwloc_bitmap_alloc() else {
            throw HwlocFailure(function: "hwloc_bitmap_alloc", code: ENOMEM)
        }
        return set
    }
}

/// The CPU the calling thread runs on now (`sched_getcpu` via the shim),
/// or -1 if the kernel cannot tell.
func schedGetCPU() -> Int {
    Int(dagrun_sched_getcpu())
}
