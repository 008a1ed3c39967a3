@testable import DagGen
import Testing

/// The generator behind the random shape: the reference stream, and bounded draws.
struct SplitMix64Tests {
    @Test("seed 0 gives the reference first values of Vigna's splitmix64.c")
    func reference() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("below(bound) stays in 0..<bound and reaches both ends", arguments: [1, 2, 3, 10])
    func below(bound: Int) {
        var rng = SplitMix64(seed: 7)
        let draws = (0..<2000).map { _ in rng.below(bound) }
        #expect(draws.allSatisfy { (0..<bound).contains($0) })
        #expect(draws.contains(0) && draws.contains(bound - 1))
    }
}
