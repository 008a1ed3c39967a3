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
