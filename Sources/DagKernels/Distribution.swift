import Glibc

/// The distribution of ``Kernels/random(rows:cols:seed:distribution:)``.
public enum Distribution: String, Sendable, CaseIterable {
    /// Uniform in [0, 1).
    case uniform
    /// Standard normal: mean 0, variance 1.
    case normal
}

/// Standard normal values from a ``SplitMix64`` stream by Marsaglia's polar
/// method; each accepted pair of uniforms yields two values, returned in
/// order (the second is kept for the next call).
struct PolarNormals {
    private var generator: SplitMix64
    private var spare: Double?

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        while true {
            let u = 2 * generator.nextUnitDouble() - 1
            let v = 2 * generator.nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * log(s) / s).squareRoot()
                spare = v * factor
                return u * factor
            }
        }
    }
}
