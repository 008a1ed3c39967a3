/// The shapes of synthetic task graph that ``GraphGenerator`` writes.
///
/// Each shape stresses a scheduler differently: `independent` is pure fan-out
/// (every task ready at once), `chain` has no parallelism at all, `tree` halves
/// the parallelism at every level, `wavefront` grows then shrinks it along the
/// anti-diagonals, `random` mixes short and long dependencies, and `forkjoin`
/// alternates a wide burst with a single serial task.
///
/// Tasks are numbered in a topological order: every input of task `tK` is a task
/// `tJ` with `J < K`, and the ids are written in that order.
public enum GraphShape: String, CaseIterable, Sendable {
    /// `n` tasks without inputs and one join task taking all of them as inputs.
    case independent
    /// `n` tasks, each the only input of the next.
    case chain
    /// A binary reduction tree: `n` leaves (rounded up to a power of two), then
    /// the pairwise joins level by level, down to one root.
    case tree
    /// A `side` x `side` grid, `side` the integer nearest to the square root of
    /// `n`; task (i, j) depends on (i-1, j) and (i, j-1). Row-major ids.
    case wavefront
    /// A seeded random layered DAG: `n` tasks in layers of `width`; each task has
    /// a uniform 0...`maxInDegree` distinct inputs drawn from the earlier layers'
    /// last `window` tasks. Tasks of one layer never depend on each other.
    case random
    /// `levels` rounds of one fork task, `width` tasks that depend on it, and one
    /// join task that depends on those; each round's fork depends on the previous
    /// join. Its size is set by `width` and `levels`, not by `n`.
    case forkjoin

    /// One line for a command's help.
    public var summary: String {
        switch self {
        case .independent: "n tasks without inputs, then one join task taking all of them"
        case .chain: "n tasks, each the input of the next (no parallelism)"
        case .tree: "binary reduction tree over n leaves (rounded up to a power of two)"
        case .wavefront: "side x side grid (side = round(sqrt(n))), (i,j) after (i-1,j) and (i,j-1)"
        case .random: "seeded layered random DAG: layers of --width, 0...--max-in-degree inputs from the last --window tasks"
        case .forkjoin: "--levels rounds of fork -> --width tasks -> join (size from --width and --levels, not --n)"
        }
    }
}
