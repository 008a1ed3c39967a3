/// The SplitMix64 pseudo-random generator (Steele, Lea and Flood, "Fast Splittable
/// Pseudorandom Number Generators", OOPSLA 2014), with Vigna's constants.
///
/// Only wrapping integer arithmetic, so a seed gives the same stream on every
/// platform and optimization level: that is what makes generated graphs
/// reproducible byte for byte. Not cryptographically secure.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0): the high word of `next() * bound`
    /// (Lemire's multiply-shift). Its bias, at most bound / 2^64, is far below
    /// anything a benchmark graph could show, and it takes exactly one draw, so
    /// streams stay aligned.
    mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
