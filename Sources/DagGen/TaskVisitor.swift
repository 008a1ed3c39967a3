/// Receives a generated graph's tasks, in id order, from ``GraphGenerator/visit(_:_:into:)``.
///
/// The shapes are written once, as walks that call `task` for every task; the JSON
/// writer and the edge counter are two visitors of the same walk, so what is counted
/// is what is written.
protocol TaskVisitor: ~Copyable {
    /// Task `index` (id `"t\(index)"`) with the indices of its inputs, all smaller than `index`.
    mutating func task(_ index: Int, inputs: some Collection<Int>)
}

/// Counts tasks and edges without writing anything.
struct GraphCounter: TaskVisitor {
    var tasks = 0
    var edges = 0

    mutating func task(_ index: Int, inputs: some Collection<Int>) {
        tasks += 1
        edges += inputs.count
    }
}
