/// The tiled dense linear-algebra graphs that ``GraphGenerator`` writes: an `n` x `n`
/// problem cut into square tiles of ``TiledOptions/tile`` (the last row and column of
/// tiles are narrower when `tile` does not divide `n`), one task per tile operation,
/// ending in an O(n²) residual check that fails the run when the result is wrong.
///
/// Task ids name what a task computes, so that a critical path or a trace reads as the
/// algorithm (`[i][j]` is a tile's row and column in the grid of tiles, `[i]` a block
/// of a vector, tile-long, `+k` the value of a tile after step `k` of an accumulation).
/// The check works tile by tile too: no task builds an n x n matrix.
///
/// | algorithm | ids |
/// |---|---|
/// | `matmul` | `A[i][j]`, `B[i][j]` (`random` tiles); `C[i][j]+k` (the partial sum over the first k + 1 products, `gemm`), `C[i][j]` (the last `gemm` of the chain); then `x[j]` (`random` normal blocks), `Cx[i]`, `Bx[i]`, `ABx[i]` (`gemv` over the tiles of a row and the blocks of the vector), `Cx-ABx[i]`, `nrm2(Cx-ABx)`, `norm(A)`, `norm(B)`, `nrm2(x)`, `check` |
/// | `cholesky` | `A[i][j]`, j ≤ i (`spd` tiles); `L[k][k]` (`potrf`), `L[i][k]` (`trsm`); `A[i][j]+k` (tile (i, j) of the trailing matrix after the update of step k: `syrk` on the diagonal, `gemm` below it); then `Acheck[i][j]`, j ≤ i (the check's own `spd` tiles, equal to `A[i][j]`, whose tiles the factorisation updates in place), `x[j]`, `Ax[i]`, `Ltx[j]`, `LLtx[i]` (`gemv` over tiles and blocks; the tiles above A's diagonal are those below it, transposed), `Ax-LLtx[i]`, `nrm2(Ax-LLtx)`, `norm(A)` (the lower tiles, weight 2 off the diagonal), `nrm2(x)`, `check` |
/// | `lu` | `A[i][j]` (`diagdom` tiles); `LU[k][k]` (`getrf` without pivoting: L below the diagonal, U on and above it, packed), `U[k][j]`, j > k, and `L[i][k]`, i > k (`trsm`); `A[i][j]+k` (tile (i, j) of the trailing matrix after the update of step k, `gemm`); then `Acheck[i][j]` (the check's own `diagdom` tiles, equal to `A[i][j]`), `x[j]`, `Ax[i]`, `Ux[i]` (the upper triangle of `LU[i][i]` and `U[i][j]`, j > i), `LUx[i]` (`L[i][j]`, j < i, and the unit lower triangle of `LU[i][i]`), `Ax-LUx[i]`, `nrm2(Ax-LUx)`, `norm(A)`, `nrm2(x)`, `check` |
public enum TiledAlgorithm: String, CaseIterable, Sendable {
    /// C = A·B: A and B of `random` tiles, each C tile a chain of `gemm` over k (the
    /// first with two inputs, the others adding the previous partial with beta = 1),
    /// then Freivalds' check: ‖C·x − A·(B·x)‖ / (‖A‖·‖B‖·‖x‖) for a normal random x,
    /// computed from the tiles and blocks of x.
    case matmul
    /// A = L·Lᵀ, right-looking: the lower tiles of one `spd` matrix; at step k, `potrf`
    /// of the diagonal tile, `trsm` of the tiles below it, and the trailing update
    /// (`syrk` on diagonal tiles, `gemm` below the diagonal); then the check
    /// ‖A·x − L·(Lᵀ·x)‖ / (‖A‖·‖x‖) against the `spd` matrix, generated again tile by
    /// tile for the check (its lower tiles; the upper ones are their transposes).
    case cholesky
    /// A = L·U without pivoting, right-looking, as the no-pivot examples of StarPU and
    /// PLASMA: all tiles of one `diagdom` matrix (diagonally dominant by rows and columns,
    /// so no step needs a row interchange); at step k, `getrf` with `pivot` false of the
    /// diagonal tile (packed L and U), `trsm` of the tiles right of it (U) and below it
    /// (L), and the trailing update (`gemm`); then the check ‖A·x − L·(U·x)‖ / (‖A‖·‖x‖)
    /// against the `diagdom` matrix, generated again tile by tile for the check, with
    /// `gemv` reading only the upper or unit-lower triangle of the packed diagonal tiles.
    case lu

    /// One line for a command's help.
    public var summary: String {
        switch self {
        case .matmul: "C = A·B in tiles of --tile (n/tile)³ gemm tasks, then a Freivalds residual check (--n, --tile, --seed, --tol)"
        case .cholesky: "tiled right-looking Cholesky of an spd matrix (potrf, trsm, syrk, gemm), then a residual check (--n, --tile, --seed, --tol)"
        case .lu: "tiled right-looking LU without pivoting of a diagonally dominant matrix (getrf, trsm, gemm), then a residual check (--n, --tile, --seed, --tol)"
        }
    }

    /// The order `n` when `--n` is not given. LU's 4096 is matmul's: 2n³/3 = 46 GFLOP,
    /// a third of matmul's and a quarter of Cholesky's at 8192, seconds on two cores, and
    /// A's 128 MiB (all its tiles, and as many again for the check's copy) where Cholesky's
    /// 8192 holds half of a 512 MiB matrix.
    public var defaultN: Int {
        switch self {
        case .matmul: 4096
        case .cholesky: 8192
        case .lu: 4096
        }
    }
}
