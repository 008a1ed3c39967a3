import Synchronization

/// Where ``IDIndex/bulk(ids:hashes:tasks:runs:)`` leaves the sum of its look-ahead loads.
private let touchSink = Atomic<UInt64>(0)

/// Task index by id: an open-addressing hash table over the ids array, with FNV-1a over
/// the id's UTF-8 bytes and linear probing. Each 8-byte slot holds the task index and 32
/// bits of the hash, so a probe compares ids only when the fingerprints match: one cache
/// miss per lookup in a large graph instead of two.
///
/// Why not `Dictionary<String, Int32>`: on this project's machine inserting 1M small ids
/// into one took 0.4 s (SipHash plus a String key stored per entry); this table stores
/// 8 to 16 bytes per task (load factor 3/8 to 3/4) and hashes the bytes directly.
///
/// Numbered runs: generated graphs mostly name their tasks with a prefix and a number that
/// follows the task index ("t0", "t1", ...). A reader can hand such tasks over as runs
/// (``NumberedRun``) instead of table entries: a run of any length costs a few words, and
/// a lookup parses the id's number and checks the one task it names. Loading a 1M-task
/// graph built no 16 MB table then (about a tenth of its load time here).
public struct IDIndex: Sendable {
    /// `fingerprint << 32 | task`, or `empty`.
    private var slots: [UInt64]
    private static let empty = UInt64.max
    private var mask: Int
    public private(set) var count = 0
    /// Sorted by key, then first number.
    private var runs: [NumberedRun] = []

    /// Tasks `offset + m` for each number `m` in `first...last` whose ids are a prefix (of
    /// ``IDIndex/prefixKey(head:length:)`` `key`) followed by `m` in decimal: as a reader
    /// found them, consecutive in the numbering, with the prefix's first task (which is in
    /// the table) left out. Tasks in the range that are not such ids are not in the run.
    public struct NumberedRun: Sendable, Hashable {
        public var key: UInt64
        public var offset: Int
        public var first: Int
        public var last: Int

        public init(key: UInt64, offset: Int, first: Int, last: Int) {
            self.key = key
            self.offset = offset
            self.first = first
            self.last = last
        }
    }

    /// The decimal number that ends `bytes` (`digits` of them, at most 18), or nil.
    @inlinable
    public static func trailingNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> (value: Int, digits: Int)? {
        var k = bytes.count
        while k > 0 && bytes.count - k < 19 && bytes[k - 1] &- 0x30 < 10 { k -= 1 }
        let digits = bytes.count - k
        guard digits > 0 && digits <= 18 else { return nil }
        var value = 0
        for j in k..<bytes.count { value = value &* 10 &+ Int(bytes[j] &- 0x30) }
        return (value, digits)
    }

    /// The key of an id prefix of `length` bytes whose first `min(length, 8)` are `head`
    /// (little-endian, zero-padded).
    @inlinable @inline(__always)
    public static func prefixKey(head: UInt64, length: Int) -> UInt64 {
        head &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
    }

    /// The prefix key of the first `length` bytes of `bytes`.
    @inlinable
    static func prefixKey(_ bytes: UnsafeBufferPointer<UInt8>, length: Int) -> UInt64 {
        var head: UInt64 = 0
        for k in 0..<min(length, 8) { head |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        return prefixKey(head: head, length: length)
    }

    /// The task of `runs` whose id has these bytes, if any.
    private func runTask(_ bytes: UnsafeBufferPointer<UInt8>, ids: [String]) -> Int32? {
        guard !runs.isEmpty, let (number, digits) = Self.trailingNumber(bytes) else { return nil }
        let key = Self.prefixKey(bytes, length: bytes.count - digits)
        // The first run with this key.
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].key < key { lo = mid + 1 } else { hi = mid }
        }
        var r = lo
        while r < runs.count && runs[r].key == key && runs[r].first <= number {
            let run = runs[r]
            if number <= run.last {
                let t = run.offset &+ number
                if t >= 0 && t < ids.count && Self.equal(ids[t], bytes) { return Int32(t) }
            }
            r += 1
        }
        return nil
    }

    /// Builds the index of `ids` (whose ``hash(_:)`` values are `hashes`) in one go.
    /// Returns the index, or the first duplicate found as `(first, again)` task indices.
    public static func bulk(ids: [String], hashes: [Int]) -> (index: IDIndex, duplicate: (Int32, Int32)?) {
        hashes.withUnsafeBufferPointer { bulk(ids: ids, hashes: $0, tasks: nil, runs: []) }
    }

    /// Builds the index of `ids` (whose ``hash(_:)`` values are `hashes`) in one go: the ids
    /// are inserted in order, each home slot read `ahead` insertions earlier (a plain load
    /// whose value is only summed: this module has no C shim for a prefetch instruction), so
    /// the misses of a table larger than the caches overlap instead of following one another.
    /// (Before: a radix sort by home slot, so that the table was written front to back;
    /// its three passes over 32 MB of temporaries took longer than the misses they avoided.)
    ///
    /// `tasks`: the tasks to put in the table (all when nil); every other task must be in one
    /// of `runs`. Duplicates are found among the table's ids, between the table and the runs,
    /// and between runs of one prefix whose numbers overlap (within a run, distinct numbers
    /// are distinct ids).
    /// Returns the index, or the first duplicate found as `(first, again)` task indices.
    public static func bulk(ids: [String], hashes: UnsafeBufferPointer<Int>, tasks: UnsafeBufferPointer<Int32>?,
                            runs: [NumberedRun]) -> (index: IDIndex, duplicate: (Int32, Int32)?) {
        precondition(ids.count == hashes.count)
        let n = tasks?.count ?? hashes.count
        var index = IDIndex(capacity: n)
        let mask = index.mask
        let ahead = 8
        var touched: UInt64 = 0
        @inline(__always) func task(_ k: Int) -> Int { tasks.map { Int($0[k]) } ?? k }
        var duplicate: (Int32, Int32)? = index.slots.withUnsafeMutableBufferPointer { slots in
            let table = slots.baseAddress!
            for k in 0..<n {
                if k + ahead < n { touched &+= table[hashes[task(k + ahead)] & mask] }
                let t = task(k)
                let h = hashes[t]
                let tag = UInt64(UInt32(truncatingIfNeeded: h >> 32)) << 32
                var k = h & mask
                while true {
                    let slot = table[k]
                    if slot == empty {
                        table[k] = tag | UInt64(UInt32(t))
                        break
                    }
                    if slot & 0xffff_ffff_0000_0000 == tag {
                        let other = Int(UInt32(truncatingIfNeeded: slot))
                        if ids[other] == ids[t] { return (Int32(other), Int32(t)) }
                    }
                    k = (k + 1) & mask
                }
            }
            return nil
        }
        touchSink.store(touched, ordering: .relaxed)  // so the loads are not optimised away
        index.count = duplicate == nil ? ids.count : 0
        guard duplicate == nil, !runs.isEmpty else { return (index, duplicate) }
        index.runs = runs.sorted { ($0.key, $0.first) < ($1.key, $1.first) }
        // Runs of one prefix whose numbers overlap: the ids at each common number.
        let sorted = index.runs
        for a in sorted.indices {
            var b = a + 1
            while b < sorted.count && sorted[b].key == sorted[a].key && sorted[b].first <= sorted[a].last {
                for m in sorted[b].first...min(sorted[a].last, sorted[b].last) {
                    let t1 = sorted[a].offset &+ m, t2 = sorted[b].offset &+ m
                    if t1 != t2 && ids[t1] == ids[t2] { duplicate = (Int32(min(t1, t2)), Int32(max(t1, t2))) }
                    if duplicate != nil { return (index, duplicate) }
                }
                b += 1
            }
        }
        // The table's ids that a run also holds.
        for k in 0..<n {
            let t = task(k)
            var id = ids[t]
            if let other = id.withUTF8({ index.runTask($0, ids: ids) }), Int(other) != t {
                return (index, (Int32(min(Int(other), t)), Int32(max(Int(other), t))))
            }
        }
        return (index, nil)
    }

    /// Bytes held by the slots.
    public var memoryBytes: Int { slots.count * MemoryLayout<UInt64>.stride }

    public init(capacity: Int) {
        var size = 16
        while size * 3 < capacity * 4 + 4 { size <<= 1 }
        slots = [UInt64](repeating: Self.empty, count: size)
        mask = size - 1
    }

    @inline(__always)
    public static func hash(_ id: String) -> Int {
        var id = id
        return id.withUTF8 { hash(bytes: $0) }
    }

    /// An FNV-1a-style hash over UTF-8 bytes, eight at a time: whole words, then the last
    /// 1–7 bytes as one zero-padded word (the same value for a String and for its UTF-8
    /// bytes, and ``hash(head:count:)`` for ids of up to 8 bytes). Byte by byte, the tail's
    /// multiply chain showed as about 8 % of the graph reader's samples on `t123456`-style
    /// ids; hashing the tail as one word saved 1 % of the load's instructions (callgrind),
    /// and no time measurable on this noisy machine (15 interleaved pairs: 1.04x).
    @inlinable @inline(__always)
    public static func hash(bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var k = 0
        let n = bytes.count
        if let base = bytes.baseAddress {
            while k + 8 <= n {
                let w = UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)
                h = (h ^ w) &* 0x0000_0100_0000_01b3
                h ^= h >> 32
                k += 8
            }
            if k < n {
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while k < n {
                    tail |= UInt64(base[k]) &<< shift
                    shift &+= 8
                    k += 1
                }
                h = (h ^ tail) &* 0x0000_0100_0000_01b3
                h ^= h >> 32
            }
        }
        return finish(h, count: n)
    }

    /// ``hash(bytes:)`` of an id of `count` ≤ 8 bytes given as one little-endian word, zero
    /// past `count` (the graph reader loads ids that way).
    @inlinable @inline(__always)
    public static func hash(head: UInt64, count: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        if count > 0 {
            h = (h ^ head) &* 0x0000_0100_0000_01b3
            h ^= h >> 32
        }
        return finish(h, count: count)
    }

    @inlinable @inline(__always) @usableFromInline
    static func finish(_ hash: UInt64, count: Int) -> Int {
        var h = hash ^ UInt64(count)
        h = (h ^ (h >> 29)) &* 0xbf58_476d_1ce4_e5b9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// Whether `id`'s UTF-8 bytes are `bytes`.
    @inline(__always)
    static func equal(_ id: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var id = id
        return id.withUTF8 { $0.count == bytes.count && (bytes.count == 0 || memcmpBytes($0.baseAddress!, bytes.baseAddress!, bytes.count)) }
    }

    /// The task whose id has UTF-8 bytes `bytes` and ``hash(bytes:)`` `h`.
    public func find(bytes: UnsafeBufferPointer<UInt8>, hash h: Int, ids: [String]) -> Int32? {
        if let t = runTask(bytes, ids: ids) { return t }
        let tag = UInt64(UInt32(truncatingIfNeeded: h >> 32)) << 32
        var k = h & mask
        while true {
            let slot = slots[k]
            if slot == Self.empty { return nil }
            if slot & 0xffff_ffff_0000_0000 == tag {
                let t = Int32(bitPattern: UInt32(truncatingIfNeeded: slot))
                if Self.equal(ids[Int(t)], bytes) { return t }
            }
            k = (k + 1) & mask
        }
    }

    /// Adds `id` (whose hash is `h`) as task `task` unless present; returns the task already holding it.
    public mutating func insert(_ id: String, hash h: Int, task: Int32, ids: [String]) -> Int32? {
        precondition(runs.isEmpty, "ids are inserted one by one only into an index without numbered runs")
        if count * 4 >= slots.count * 3 { grow(ids: ids) }
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

    /// Adds `id` as task `task` unless present; returns the task already holding it, if any.
    public mutating func insert(_ id: String, task: Int32, ids: [String]) -> Int32? {
        insert(id, hash: Self.hash(id), task: task, ids: ids)
    }

    /// The task with `id`, if any.
    public func find(_ id: String, ids: [String]) -> Int32? {
        find(id, hash: Self.hash(id), ids: ids)
    }

    /// The task with `id`, whose ``hash(_:)`` is `h`.
    public func find(_ id: String, hash h: Int, ids: [String]) -> Int32? {
        var id = id
        return id.withUTF8 { find(bytes: $0, hash: h, ids: ids) }
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
/// the last layer of a DAG). Their lookups hit this 512 KiB table, which stays in cache,
/// instead of a random slot of the big table (a cache and TLB miss on a million-task
/// graph: 66 % of lookup time in a profile here). A hit is verified by comparing ids, so a
/// stale or colliding entry only costs the fall-back lookup.
public struct RecentIDs: Sendable {
    private var slots = [Int32](repeating: -1, count: 1 << 17)

    public init() {}

    @inline(__always)
    public mutating func note(_ task: Int32, hash: Int) { slots[hash & 0x1ffff] = task }

    @inline(__always)
    public func find(_ id: String, hash: Int, ids: [String]) -> Int32? {
        let t = slots[hash & 0x1ffff]
        return t >= 0 && ids[Int(t)] == id ? t : nil
    }

}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var k = 0
    while k + 8 <= n {
        if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) { return false }
        k += 8
    }
    while k < n {
        if a[k] != b[k] { return false }
        k += 1
    }
    return true
}
