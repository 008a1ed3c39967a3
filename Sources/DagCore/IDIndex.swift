/// Task index by id: an open-addressing hash table over the ids array, with FNV-1a over
/// the id's UTF-8 bytes and linear probing. Each 8-byte slot holds the task index and 32
/// bits of the hash, so a probe compares ids only when the fingerprints match: one cache
/// miss per lookup in a large graph instead of two.
///
/// Why not `Dictionary<String, Int32>`: on this project's machine inserting 1M small ids
/// into one took 0.4 s (SipHash plus a String key stored per entry); this table stores
/// 8 to 16 bytes per task (load factor 3/8 to 3/4) and hashes the bytes directly.
public struct IDIndex: Sendable {
    /// `fingerprint << 32 | task`, or `empty`.
    private var slots: [UInt64]
    private static let empty = UInt64.max
    private var mask: Int
    public private(set) var count = 0

    /// Bytes held by the slots.
    public var memoryBytes: Int { slots.capacity * MemoryLayout<UInt64>.stride }

    public init(capacity: Int) {
        var size = 16
        while size * 3 < capacity * 4 + 4 { size <<= 1 }
        slots = [UInt64](repeating: Self.empty, count: size)
        mask = size - 1
    }

    @inline(__always)
    public static func hash(_ id: String) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// Adds `id` as task `task` unless present; returns the task already holding it, if any.
    public mutating func insert(_ id: String, task: Int32, ids: [String]) -> Int32? {
        if count * 4 >= slots.count * 3 { grow(ids: ids) }
        let h = Self.hash(id)
        let tag = UInt64(UInt32(truncatingIfNeeded: h >> 32)) << 32
        var k = h & mask
        while true {
            let slot = slots[k]
            if slot == Self.empty {
                slots[k] = tag | UInt64(UInt32(bitPattern: task))
                count += 1
                return nil
            }
            if slot & 0xffff_ffff_0000_0000 == tag {
                let t = Int32(bitPattern: UInt32(truncatingIfNeeded: slot))
                if ids[Int(t)] == id { return t }
            }
            k = (k + 1) & mask
        }
    }

    /// The task with `id`, if any.
    public func find(_ id: String, ids: [String]) -> Int32? {
        find(id, hash: Self.hash(id), ids: ids)
    }

    /// The task with `id`, whose ``hash(_:)`` is `h`.
    public func find(_ id: String, hash h: Int, ids: [String]) -> Int32? {
        let tag = UInt64(UInt32(truncatingIfNeeded: h >> 32)) << 32
        var k = h & mask
        while true {
            let slot = slots[k]
            if slot == Self.empty { return nil }
            if slot & 0xffff_ffff_0000_0000 == tag {
                let t = Int32(bitPattern: UInt32(truncatingIfNeeded: slot))
                if ids[Int(t)] == id { return t }
            }
            k = (k + 1) & mask
        }
    }

    private mutating func grow(ids: [String]) {
        let old = slots
        slots = [UInt64](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot != Self.empty {
            let t = Int(UInt32(truncatingIfNeeded: slot))
            var k = Self.hash(ids[t]) & mask
            while slots[k] != Self.empty { k = (k + 1) & mask }
            slots[k] = slot
        }
    }
}

/// A small direct-mapped cache of recently declared ids in front of an ``IDIndex``.
///
/// Graph files mostly name inputs declared shortly before (tiles of the previous step,
/// the last layer of a DAG). Their lookups hit this 256 KiB table, which stays in cache,
/// instead of a random slot of the big table (a cache and TLB miss on a million-task
/// graph: 66 % of lookup time in a profile here). A hit is verified by comparing ids, so a
/// stale or colliding entry only costs the fall-back lookup.
public struct RecentIDs: Sendable {
    private var slots = [Int32](repeating: -1, count: 1 << 16)

    public init() {}

    @inline(__always)
    public mutating func note(_ task: Int32, hash: Int) { slots[hash & 0xffff] = task }

    @inline(__always)
    public func find(_ id: String, hash: Int, ids: [String]) -> Int32? {
        let t = slots[hash & 0xffff]
        return t >= 0 && ids[Int(t)] == id ? t : nil
    }
}
