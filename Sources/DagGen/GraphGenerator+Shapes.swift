extension GraphGenerator {
    /// Walks the tasks of `shape` in id order, handing each with its inputs to `visitor`.
    ///
    /// - Complexity: O(tasks + edges); memory O(1) beyond one reused input buffer.
    static func visit(_ shape: GraphShape, _ options: GenOptions, into visitor: inout some TaskVisitor & ~Copyable) {
        switch shape {
        case .independent: independent(options.n, into: &visitor)
        case .chain: chain(options.n, into: &visitor)
        case .tree: tree(leaves: treeLeaves(options.n), into: &visitor)
        case .wavefront: wavefront(side: wavefrontSide(options.n), into: &visitor)
        case .random: random(options, into: &visitor)
        case .forkjoin: forkjoin(levels: options.levels, width: options.width, into: &visitor)
        }
    }

    /// `n` rounded up to a power of two.
    static func treeLeaves(_ n: Int) -> Int {
        var leaves = 1
        while leaves < n { leaves <<= 1 }
        return leaves
    }

    /// The integer nearest to the square root of `n`, at least 1.
    static func wavefrontSide(_ n: Int) -> Int {
        var side = 1
        while (side + 1) * (side + 1) <= n { side += 1 }
        // side = floor(sqrt(n)); round up when n is nearer (side+1)^2, i.e. n > side^2 + side.
        return n > side * side + side ? side + 1 : side
    }

    //     t0  t1  ...  t(n-1)
    //      \   |       /
    //         t(n)
    static func independent(_ n: Int, into visitor: inout some TaskVisitor & ~Copyable) {
        for i in 0..<n { visitor.task(i, inputs: EmptyCollection()) }
        visitor.task(n, inputs: 0..<n)
    }

    //     t0 -> t1 -> ... -> t(n-1)
    static func chain(_ n: Int, into visitor: inout some TaskVisitor & ~Copyable) {
        visitor.task(0, inputs: EmptyCollection())
        for i in 1..<max(n, 1) { visitor.task(i, inputs: CollectionOfOne(i - 1)) }
    }

    //     t0  t1  t2  t3      leaves
    //      \  /    \  /
    //       t4      t5        level 1
    //         \    /
    //          t6             root
    static func tree(leaves: Int, into visitor: inout some TaskVisitor & ~Copyable) {
        for i in 0..<leaves { visitor.task(i, inputs: EmptyCollection()) }
        var previous = 0          // first index of the level below
        var count = leaves        // tasks in the level below
        var next = leaves
        while count > 1 {
            for pair in 0..<(count / 2) {
                let left = previous + 2 * pair
                visitor.task(next, inputs: left..<(left + 2))
                next += 1
            }
            previous += count
            count /= 2
        }
    }

    //     t0 -> t1 -> t2
    //     |     |     |
    //     v     v     v
    //     t3 -> t4 -> t5      task (i, j) = t(i*side + j)
    static func wavefront(side: Int, into visitor: inout some TaskVisitor & ~Copyable) {
        var inputs: [Int] = []
        inputs.reserveCapacity(2)
        for i in 0..<side {
            for j in 0..<side {
                let index = i * side + j
                inputs.removeAll(keepingCapacity: true)
                if i > 0 { inputs.append(index - side) }
                if j > 0 { inputs.append(index - 1) }
                visitor.task(index, inputs: inputs)
            }
        }
    }

    /// Layer `k` holds tasks `k*width ..< (k+1)*width`. A task of a later layer draws
    /// its in-degree uniformly from 0...maxInDegree, then that many distinct inputs
    /// (fewer if fewer exist) from the `window` tasks just before its layer, by
    /// Floyd's sampling (Bentley and Floyd, "A sample of brilliance", CACM 1987):
    /// one draw per input, no rejection loop, so the stream depends only on the seed.
    static func random(_ options: GenOptions, into visitor: inout some TaskVisitor & ~Copyable) {
        var rng = SplitMix64(seed: options.seed)
        var inputs: [Int] = []
        inputs.reserveCapacity(options.maxInDegree)
        for index in 0..<options.n {
            let layerStart = index - index % options.width
            let lowest = max(0, layerStart - options.window)
            let candidates = layerStart - lowest
            inputs.removeAll(keepingCapacity: true)
            if candidates > 0 {
                let degree = min(rng.below(options.maxInDegree + 1), candidates)
                for j in (candidates - degree)..<candidates {
                    let pick = lowest + rng.below(j + 1)
                    inputs.append(inputs.contains(pick) ? lowest + j : pick)
                }
                inputs.sort()
            }
            visitor.task(index, inputs: inputs)
        }
    }

    //     fork -> w1..wW -> join -> fork -> w1..wW -> join ...   (levels rounds)
    static func forkjoin(levels: Int, width: Int, into visitor: inout some TaskVisitor & ~Copyable) {
        for round in 0..<levels {
            let fork = round * (width + 2)
            if round == 0 {
                visitor.task(fork, inputs: EmptyCollection())
            } else {
                visitor.task(fork, inputs: CollectionOfOne(fork - 1))
            }
            for k in 1...width { visitor.task(fork + k, inputs: CollectionOfOne(fork)) }
            visitor.task(fork + width + 1, inputs: (fork + 1)..<(fork + width + 1))
        }
    }
}
