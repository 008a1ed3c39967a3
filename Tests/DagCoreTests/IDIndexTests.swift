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

    @Test func recentCacheVerifiesIds() {
        let ids = ["x", "y"]
        var recent = RecentIDs()
        recent.note(0, hash: IDIndex.hash("x"))
        #expect(recent.find("x", hash: IDIndex.hash("x"), ids: ids) == 0)
        // A colliding slot holding another id is not a hit.
        #expect(recent.find("y", hash: IDIndex.hash("x"), ids: ids) == nil)
    }
}
