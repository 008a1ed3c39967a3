/// Synthetic task graphs in graph format v1 (dagrun's JSON), streamed in chunks.
///
/// ```swift
/// var options = GenOptions(n: 1_000_000)
/// options.seed = 42
/// GraphGenerator.write(.random, options) { chunk in
///     _ = write(1, chunk.baseAddress, chunk.count)   // Glibc; a real sink retries short writes
/// }
/// ```
///
/// The output is one JSON object: a header line (`version`, `name`, a `description`
/// holding the `dagrun gen` command that writes it, and `"tasks": [`), then one task
/// per line with ids `t0`, `t1`, ... in a topological order (every input is an earlier
/// id), then `]}`. The bytes depend only on the shape and options: the same seed
/// writes the same file on every machine.
public enum GraphGenerator {
    /// Writes the graph to `sink` in chunks of about 1 MiB (the last may be smaller);
    /// each chunk is valid only during the call. Memory stays O(1) in the graph's size.
    ///
    /// - Precondition: `options.validate()` does not throw.
    /// - Complexity: O(tasks + edges).
    public static func write(_ shape: GraphShape, _ options: GenOptions,
                             to sink: (UnsafeRawBufferPointer) -> Void) {
        do {
            try options.validate()
        } catch {
            preconditionFailure("GraphGenerator.write: \(error) (call GenOptions.validate() first)")
        }
        withoutActuallyEscaping(sink) { sink in
            var out = ChunkWriter(sink: sink)
            out.append("{\"version\": 1, \"name\": \"")
            out.append(string: shape.rawValue)
            out.append("-")
            out.append(decimal: taskCount(shape, options))
            out.append("\", \"description\": \"")
            out.append(string: command(shape, options))
            out.append("\", \"tasks\": [\n")
            var tasks = JSONTaskWriter(out: out, work: JSONTaskWriter.Work(options))
            visit(shape, options, into: &tasks)
            tasks.out.append("\n]}\n")
            tasks.out.flush()
        }
    }

    /// The number of tasks `write` writes.
    ///
    /// - Complexity: O(1).
    public static func taskCount(_ shape: GraphShape, _ options: GenOptions) -> Int {
        switch shape {
        case .independent: options.n + 1
        case .chain, .random: options.n
        case .tree: 2 * treeLeaves(options.n) - 1
        case .wavefront: wavefrontSide(options.n) * wavefrontSide(options.n)
        case .forkjoin: options.levels * (options.width + 2)
        }
    }

    /// The number of edges (input references) `write` writes.
    ///
    /// - Complexity: O(1), except ``GraphShape/random``: O(n), since it replays the draws.
    public static func edgeCount(_ shape: GraphShape, _ options: GenOptions) -> Int {
        switch shape {
        case .independent: return options.n
        case .chain: return options.n - 1
        case .tree: return 2 * treeLeaves(options.n) - 2
        case .wavefront: return 2 * wavefrontSide(options.n) * (wavefrontSide(options.n) - 1)
        case .forkjoin: return options.levels * 2 * options.width + options.levels - 1
        case .random:
            var counter = GraphCounter()
            visit(.random, options, into: &counter)
            return counter.edges
        }
    }

    /// The `dagrun gen` command line that writes this graph: the options the shape reads
    /// (`--window` only when it is not the default), and `--matrix-size` for numeric ops.
    static func command(_ shape: GraphShape, _ options: GenOptions) -> String {
        var words = ["dagrun gen", shape.rawValue]
        if shape != .forkjoin { words += ["--n", String(options.n)] }
        words += ["--op", options.op]
        switch shape {
        case .random:
            words += ["--seed", String(options.seed), "--max-in-degree", String(options.maxInDegree),
                      "--width", String(options.width)]
            if options.window != GenOptions(n: 1).window { words += ["--window", String(options.window)] }
        case .forkjoin:
            words += ["--width", String(options.width), "--levels", String(options.levels)]
        default:
            break
        }
        if options.op != "noop" {
            words += ["--matrix-size", String(options.matrixSize ?? GenOptions.defaultMatrixSize)]
        }
        return words.joined(separator: " ")
    }
}
