/// The SplitMix64 pseudo-random generator.
///
/// Steele, Lea and Flood, "Fast Splittable Pseudorandom Number Generators",
/// OOPSLA 2014; the same mixing constants as `java.util.SplittableRandom`
/// and Vigna's reference `splitmix64.c`. Each call adds the golden-ratio
/// increment `0x9E3779B97F4A7C15` to a 64-bit state and returns a mix of the
/// new state. Seed 0 yields `0xE220A8397B1DCDAF` first.
///
/// Only wrapping integer arithmetic is involved, so a seed produces the
/// same stream on every platform, compiler and optimization level; that is
/// why it is used here rather than `SystemRandomNumberGenerator`. It is not
/// cryptographically secure.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform `Double` in [0, 1): the top 53 bits of `next()` times 2^-53.
    ///
    /// Both steps are exact in IEEE 754 binary64, so the value is
    /// bit-for-bit reproducible.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

extension SplitMix64 {
    /// Output number `index` (0-based) of the stream seeded with `seed`,
    /// without generating the ones before it.
    ///
    /// The state after `index + 1` steps is `seed + (index + 1)·γ`, so this
    /// is `SplitMix64(seed: seed &+ index &* γ).next()`: random access into
    /// the stream, which ``Kernels/spd(n:seed:row:col:rows:cols:)`` uses so
    /// that any block of its matrix can be generated on its own.
    public static func output(seed: UInt64, index: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed &+ index &* 0x9E37_79B9_7F4A_7C15)
        return generator.next()
    }

    /// ``output(seed:index:)`` as a uniform `Double` in [0, 1), as
    /// ``nextUnitDouble()`` would return it.
    public static func unitDouble(seed: UInt64, index: UInt64) -> Double {
        Double(output(seed: seed, index: index) >> 11) * 0x1.0p-53
    }
}
