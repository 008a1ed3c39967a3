/// The parameters of a ``TiledAlgorithm`` graph.
///
/// ```swift
/// var options = TiledOptions(n: 4096, tile: 512)
/// options.seed = 7
/// try options.validate()
/// GraphGenerator.write(.matmul, options) { bytes in sendToFile(bytes) }
/// ```
public struct TiledOptions: Sendable {
    /// The order of the matrices (n x n).
    public var n: Int
    /// The side of a tile; the last row and column of tiles are `n % tile` wide when
    /// that is not 0.
    public var tile: Int
    /// Decides every matrix of the graph; the same seed writes the same bytes.
    public var seed: UInt64 = 1
    /// The largest relative residual the final `check` task accepts; `nil` means
    /// ``defaultTolerance(n:)``.
    public var tolerance: Double? = nil

    /// The tile side when none is given.
    public static let defaultTile = 512
    /// The most tasks a graph may have: dagrun numbers its tasks with 32-bit integers.
    public static let maxTasks = Int(Int32.max)

    public init(n: Int, tile: Int = TiledOptions.defaultTile) {
        self.n = n
        self.tile = tile
    }

    /// Tiles along each side: n / tile, rounded up.
    public var tilesPerSide: Int { (n + tile - 1) / tile }

    /// The tolerance the `check` task is given: ``tolerance``, or ``defaultTolerance(n:)``.
    public var effectiveTolerance: Double { tolerance ?? Self.defaultTolerance(n: n) }

    /// 30 · n · ε (ε = 2⁻⁵², the spacing of doubles at 1): 4.3e-13 at n = 64,
    /// 2.7e-11 at n = 4096, 5.5e-11 at n = 8192.
    ///
    /// Both checks divide the residual by the norms of the factors and of x, so the
    /// value is a normwise backward error, which rounding bounds by a small multiple of
    /// n·ε (every entry of a product or a gemv sums n rounded terms). This is the
    /// convention of LAPACK's test programs, which divide residuals by n·ε and flag a
    /// ratio above 30. Rounding errors mostly cancel, so correct double-precision
    /// results land far below it: about 1e-17 for both checks at n = 1024 and 4096
    /// (numpy; matmul with the graph's tiles and order of accumulation). Wrong results land far above:
    /// at n = 4096, a C tile missing one product gives 2e-4, a transposed C tile 3e-5,
    /// a zeroed L tile 2e-5, single-precision arithmetic 1e-9, and a single entry of C
    /// off by 1 (entries are about n/4) 2e-9. Only errors of rounding size, such as
    /// one entry off by 1e-3 (2e-12), pass unseen.
    public static func defaultTolerance(n: Int) -> Double {
        30 * Double(n) * Double.ulpOfOne
    }

    /// Checks every field, throwing the first problem as a sentence a user can act on.
    public func validate(for algorithm: TiledAlgorithm) throws(GenOptionsError) {
        if n < 1 {
            throw GenOptionsError(option: "n", message: "n is \(n) but the matrices need at least 1 row and column")
        }
        if tile < 1 { throw GenOptionsError(option: "tile", message: "tile is \(tile) but must be 1 or more") }
        if tile > n {
            throw GenOptionsError(option: "tile", message: "tile is \(tile) but n is \(n): a tile cannot be larger than the matrix (use --tile \(n) or less)")
        }
        if let tolerance, !(tolerance > 0 && tolerance.isFinite) {
            throw GenOptionsError(option: "tol", message: "tol is \(tolerance) but must be a finite number above 0 (the largest relative residual accepted)")
        }
        let count = GraphGenerator.approximateTaskCount(algorithm, tilesPerSide: tilesPerSide)
        if count > Double(Self.maxTasks) {
            throw GenOptionsError(option: "tile", message: "n \(n) in tiles of \(tile) is \(tilesPerSide) x \(tilesPerSide) tiles and about \(shortNumber(count)) tasks, more than the \(Self.maxTasks) a graph may hold: use a larger --tile")
        }
    }

    /// The seed of the `k`-th matrix of the graph: every tile and vector gets its own
    /// (a base drawn from ``seed`` by SplitMix64, plus `k`), non-negative and below 2⁶³.
    func matrixSeed(_ k: Int) -> Int {
        var rng = SplitMix64(seed: seed)
        return Int((rng.next() >> 2) &+ UInt64(k))
    }
}

/// "8.6e9": three significant digits of a large count, for messages.
private func shortNumber(_ x: Double) -> String {
    guard x >= 1e6 else { return String(Int(x)) }
    var exponent = 0
    var mantissa = x
    while mantissa >= 10 { mantissa /= 10; exponent += 1 }
    return "\((mantissa * 10).rounded() / 10)e\(exponent)"
}
