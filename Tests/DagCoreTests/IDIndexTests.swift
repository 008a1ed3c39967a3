import Testing
@testable import DagCore

/// The id index, built one by one or in bulk, finds every id and reports duplicates.
@Suite struct IDIndexTests {
    static let ids: [String] = (0..<20_000).map { k in k % 3 == 0 ? "task-\(k)" : k % 3 == 1 ? "t\(k)" : "a rather long id number \(k)" }

    @Test func bulkAndIncrementalAgree() {
        let ids = Self.ids
        let (bulk, duplicate) = IDIndex.bulk(ids: ids, hashes: ids.map(IDIndex.hash))
        #expect(duplicate == nil)
        var incremental = IDIndex(capacity: 4)
        for (k, id) in ids.enumerated() { #expect(incremental.insert(id, task: Int32(k), ids: ids) == nil) }
        #expect(bulk.count == ids.count && incremental.count == ids.count)
        for (k, id) in ids.enumerated() {
            #expect(bulk.find(id, ids: ids) == Int32(k))
            #expect(incremental.find(id, ids: ids) == Int32(k))
            var bytes = id
            bytes.withUTF8 { #expect(bulk.find(bytes: $0, hash: IDIndex.hash(bytes: $0), ids: ids) == Int32(k)) }
        }
        #expect(bulk.find("missing", ids: ids) == nil)
        #expect(bulk.find("", ids: ids) == nil)
    }

    @Test func bulkReportsTheFirstDuplicate() {
        var ids = Self.ids
        ids.append("t4")          // "t4" is task 4
        let (_, duplicate) = IDIndex.bulk(ids: ids, hashes: ids.map(IDIndex.hash))
        #expect(duplicate?.0 == 4 && duplicate?.1 == Int32(ids.count - 1))
    }

    @Test func stringAndBytesHashAlike() {
        for id in ["", "a", "abcdefgh", "abcdefghi", "é-unicode-ü", "t999999"] {
            var s = id
            let viaBytes = s.withUTF8 { IDIndex.hash(bytes: $0) }
            #expect(IDIndex.hash(id) == viaBytes)
        }
        #expect(IDIndex.hash("ab") != IDIndex.hash("ba"))
    }

    @Test func headWordHashMatchesBytes() {
        // The graph reader hashes ids of up to 8 bytes from one zero-padded word.
        for id in ["", "a", "t1", "t12345", "abcdefg", "abcdefgh", "é", "x\u{0}y"] {
            var s = id
            let bytes = Array(s.utf8)
            guard bytes.count <= 8 else { continue }
            var head: UInt64 = 0
            for (k, b) in bytes.enumerated() { head |= UInt64(b) << (8 * UInt64(k)) }
            #expect(IDIndex.hash(head: head, count: bytes.count) == s.withUTF8 { IDIndex.hash(bytes: $0) }, "\(id)")
        }
        // Trailing zero bytes are part of the id: the length keeps them apart.
        #expect(IDIndex.hash("a") != IDIndex.hash("a\u{0}"))
        // Ids differing only in the tail of a long id.
        #expect(IDIndex.hash("abcdefgh-1") != IDIndex.hash("abcdefgh-2"))
    }

    @Test func recentCacheVerifiesIds() {
        let ids = ["x", "y"]
        var recent = RecentIDs()
        recent.note(0, hash: IDIndex.hash("x"))
        #expect(recent.find("x", hash: IDIndex.hash("x"), ids: ids) == 0)
        // A colliding slot holding another id is not a hit.
        #expect(recent.find("y", hash: IDIndex.hash("x"), ids: ids) == nil)
    }
}

/// Numbered runs stand in for table entries: lookups through them are exact, and duplicates
/// between runs, and between a run and the table, are found.
@Suite struct NumberedRunTests {
    func key(_ prefix: String) -> UInt64 {
        var p = prefix
        return p.withUTF8 { IDIndex.prefixKey($0, length: $0.count) }
    }

    func build(_ ids: [String], table: [Int32], runs: [IDIndex.NumberedRun]) -> (IDIndex, (Int32, Int32)?) {
        let hashes = ids.map(IDIndex.hash)
        return hashes.withUnsafeBufferPointer { h in
            table.withUnsafeBufferPointer { IDIndex.bulk(ids: ids, hashes: h, tasks: $0, runs: runs) }
        }
    }

    @Test func lookupsThroughARunAreExact() {
        // x, t0 (table), t1...t99 (a run), y (table).
        let ids = ["x"] + (0..<100).map { "t\($0)" } + ["y"]
        let (index, duplicate) = build(ids, table: [0, 1, 101], runs: [.init(key: key("t"), offset: 1, first: 1, last: 99)])
        #expect(duplicate == nil)
        for (k, id) in ids.enumerated() { #expect(index.find(id, ids: ids) == Int32(k), "\(id)") }
        for missing in ["t100", "t05", "t-1", "t", "u5", "t1x", "x1"] { #expect(index.find(missing, ids: ids) == nil, "\(missing)") }
        #expect(index.memoryBytes < 1024, "the run's 99 tasks take no table slots")
    }

    @Test func trailingNumbersAndKeys() {
        func number(_ s: String) -> (Int, Int)? {
            var s = s
            return s.withUTF8 { IDIndex.trailingNumber($0).map { ($0.value, $0.digits) } }
        }
        #expect(number("t17")! == (17, 2))
        #expect(number("007")! == (7, 3))
        #expect(number("abc") == nil)
        #expect(number("x" + String(repeating: "1", count: 18))! == (111_111_111_111_111_111, 18))
        #expect(number("x" + String(repeating: "1", count: 19)) == nil)
        #expect(key("t") != key("u") && key("t") != key("tt") && key("") != key("t"))
    }

    @Test func duplicatesBetweenTheTableAndARunAreFound() {
        let ids = ["t0", "t1", "t2", "x", "t1"]
        let (_, duplicate) = build(ids, table: [0, 3, 4], runs: [.init(key: key("t"), offset: 0, first: 1, last: 2)])
        #expect(duplicate.map { [$0.0, $0.1] } == [1, 4])
    }

    @Test func duplicatesBetweenOverlappingRunsAreFound() {
        // a0...a4 (a0 in the table), then a2...a4 again (a2 in the table, a3 and a4 a second run).
        let ids = ["a0", "a1", "a2", "a3", "a4", "a2", "a3", "a4"]
        let (_, duplicate) = build(ids, table: [0, 5], runs: [.init(key: key("a"), offset: 0, first: 1, last: 4),
                                                              .init(key: key("a"), offset: 3, first: 3, last: 4)])
        let pair = try? #require(duplicate)
        #expect(pair.map { ids[Int($0.0)] == ids[Int($0.1)] && $0.0 != $0.1 } == true)
        // Runs of one prefix that do not overlap are fine.
        let apart = ["a0", "a1", "a2", "a10", "a11", "a12"]
        let (_, none) = build(apart, table: [0, 3], runs: [.init(key: key("a"), offset: 0, first: 1, last: 2),
                                                           .init(key: key("a"), offset: -7, first: 11, last: 12)])
        #expect(none == nil)
    }
}
