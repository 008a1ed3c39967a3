/// Rearranging matrices: transposes, blocks, tiles and stacks. Pure data
/// movement; every result is a new row-major matrix.
extension Kernels {
    /// Aᵀ, `cols x rows` (`cblas_domatcopy`, OpenBLAS's blocked out-of-place
    /// transpose).
    public static func transpose(_ a: Matrix) -> Matrix {
        let result = Matrix(rows: a.cols, cols: a.rows)
        guard a.count > 0 else { return result }
        withExtendedLifetime(a) {
            OpenBLASCalls.transpose(rows: a.rows, cols: a.cols, a: a.baseAddress, lda: a.cols,
                                    b: result.baseAddress, ldb: a.rows)
        }
        return result
    }

    /// The block of `a` with rows `row..<row + rows` and columns `col..<col + cols`.
    ///
    /// - Throws: ``KernelError`` `.outOfBounds` when the block does not lie
    ///   inside `a`.
    public static func slice(_ a: Matrix, row: Int, col: Int, rows: Int, cols: Int) throws(KernelError) -> Matrix {
        guard row >= 0, col >= 0, rows >= 0, cols >= 0, row + rows <= a.rows, col + cols <= a.cols else {
            throw KernelError(
                .outOfBounds, operation: "slice",
                message: "the block of rows \(row)..<\(row + rows), columns \(col)..<\(col + cols) "
                    + "does not lie inside the \(a.shapeDescription) matrix")
        }
        let result = Matrix(rows: rows, cols: cols)
        withExtendedLifetime(a) {
            for r in 0..<rows {
                (result.baseAddress + r * cols).update(from: a.baseAddress + (row + r) * a.cols + col, count: cols)
            }
        }
        return result
    }

    /// Which tiles ``assemble(_:gridRows:gridCols:fill:)`` receives.
    public enum Fill: String, Sendable, CaseIterable {
        /// Every tile of the grid, `gridRows * gridCols` of them.
        case full
        /// Only tiles (i, j) with j ≤ i; the tiles above the diagonal are zero.
        case lower
    }

    /// One matrix from a grid of tiles given in row-major grid order.
    ///
    /// Tiles in one grid row must share a height and tiles in one grid
    /// column a width. With `.lower`, only tiles (i, j) with j ≤ i are
    /// given (for a square grid of g, g·(g + 1)/2 of them: (0,0), (1,0),
    /// (1,1), (2,0), ...) and the rest of the result is zero; every grid
    /// column then needs a tile, so `gridCols` must not exceed `gridRows`.
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming the tile count
    ///   expected or the first tile whose height or width disagrees.
    public static func assemble(_ tiles: [Matrix], gridRows: Int, gridCols: Int, fill: Fill = .full)
        throws(KernelError) -> Matrix
    {
        let layout = try TileLayout(tileShapes: tiles.map { ($0.rows, $0.cols) }, gridRows: gridRows,
                                    gridCols: gridCols, fill: fill)
        let result = Matrix(rows: layout.rowOffsets.last!, cols: layout.colOffsets.last!)
        withExtendedLifetime(tiles) {
            for (k, (i, j)) in layout.positions.enumerated() {
                let tile = tiles[k]
                let top = layout.rowOffsets[i], left = layout.colOffsets[j]
                for r in 0..<tile.rows {
                    (result.baseAddress + (top + r) * result.cols + left)
                        .update(from: tile.baseAddress + r * tile.cols, count: tile.cols)
                }
            }
        }
        return result
    }

    /// How ``concat(_:axis:)`` joins its parts.
    public enum ConcatAxis: Int, Sendable, CaseIterable {
        /// Axis 0: one part below the other; the column counts must agree.
        case stackRows = 0
        /// Axis 1: side by side; the row counts must agree.
        case sideBySide = 1
    }

    /// The parts stacked (`.stackRows`) or side by side (`.sideBySide`).
    ///
    /// - Throws: ``KernelError`` `.shapeMismatch` naming the first part whose
    ///   columns (or rows) differ from the first part's; for no parts at all.
    public static func concat(_ parts: [Matrix], axis: ConcatAxis) throws(KernelError) -> Matrix {
        guard let first = parts.first else {
            throw KernelError(.shapeMismatch, operation: "concat", message: "needs at least one matrix")
        }
        for (k, part) in parts.enumerated() {
            let (have, want, what) = axis == .stackRows ? (part.cols, first.cols, "columns") : (part.rows, first.rows, "rows")
            guard have == want else {
                throw KernelError(
                    .shapeMismatch, operation: "concat",
                    message: "part \(k) is \(part.shapeDescription) but part 0 is \(first.shapeDescription); "
                        + "along axis \(axis.rawValue) every part needs \(want) \(what)")
            }
        }
        let rows = axis == .stackRows ? parts.reduce(0) { $0 + $1.rows } : first.rows
        let cols = axis == .sideBySide ? parts.reduce(0) { $0 + $1.cols } : first.cols
        let result = Matrix(rows: rows, cols: cols, isVector: axis == .stackRows && parts.allSatisfy(\.isVector))
        withExtendedLifetime(parts) {
            var offset = 0
            for part in parts {
                if axis == .stackRows {
                    (result.baseAddress + offset * cols).update(from: part.baseAddress, count: part.count)
                    offset += part.rows
                } else {
                    for r in 0..<rows {
                        (result.baseAddress + r * cols + offset).update(from: part.baseAddress + r * part.cols, count: part.cols)
                    }
                    offset += part.cols
                }
            }
        }
        return result
    }
}

/// Where each tile of an ``Kernels/assemble(_:gridRows:gridCols:fill:)`` goes:
/// the grid position of each given tile and the row and column offsets of
/// the grid (n + 1 entries each, the last one the total).
struct TileLayout {
    /// (grid row, grid column) of each tile, in the order given.
    let positions: [(Int, Int)]
    let rowOffsets: [Int]
    let colOffsets: [Int]

    /// The number of tiles a grid takes: `gridRows * gridCols` for `.full`,
    /// Σ min(i + 1, gridCols) over the grid rows i for `.lower`.
    static func tileCount(gridRows: Int, gridCols: Int, fill: Kernels.Fill) -> Int {
        switch fill {
        case .full: gridRows * gridCols
        case .lower: (0..<max(gridRows, 0)).reduce(0) { $0 + min($1 + 1, gridCols) }
        }
    }

    /// Checks the grid against the tiles' shapes (rows, cols) and lays it out.
    init(tileShapes: [(rows: Int, cols: Int)], gridRows: Int, gridCols: Int, fill: Kernels.Fill)
        throws(KernelError)
    {
        guard gridRows >= 1, gridCols >= 1 else {
            throw KernelError(.shapeMismatch, operation: "assemble",
                              message: "a grid needs at least 1x1 tiles, got \(gridRows)x\(gridCols)")
        }
        if fill == .lower && gridCols > gridRows {
            throw KernelError(
                .shapeMismatch, operation: "assemble",
                message: "fill lower gives grid columns beyond the \(gridRows) grid rows no tile, so their width "
                    + "is unknown; use gridCols <= gridRows")
        }
        let expected = TileLayout.tileCount(gridRows: gridRows, gridCols: gridCols, fill: fill)
        guard tileShapes.count == expected else {
            throw KernelError(
                .shapeMismatch, operation: "assemble",
                message: "a \(gridRows)x\(gridCols) grid with fill \(fill.rawValue) takes \(expected) tiles, got \(tileShapes.count)")
        }
        var positions: [(Int, Int)] = []
        positions.reserveCapacity(expected)
        for i in 0..<gridRows {
            for j in 0..<(fill == .full ? gridCols : min(i + 1, gridCols)) {
                positions.append((i, j))
            }
        }
        var heights = [Int?](repeating: nil, count: gridRows)
        var widths = [Int?](repeating: nil, count: gridCols)
        for (k, (i, j)) in positions.enumerated() {
            let (rows, cols) = tileShapes[k]
            if let h = heights[i], h != rows {
                throw KernelError(
                    .shapeMismatch, operation: "assemble",
                    message: "tile \(k) at grid (\(i), \(j)) is \(rows)x\(cols) but grid row \(i) is \(h) high; "
                        + "tiles in one grid row need one height")
            }
            if let w = widths[j], w != cols {
                throw KernelError(
                    .shapeMismatch, operation: "assemble",
                    message: "tile \(k) at grid (\(i), \(j)) is \(rows)x\(cols) but grid column \(j) is \(w) wide; "
                        + "tiles in one grid column need one width")
            }
            heights[i] = rows
            widths[j] = cols
        }
        self.positions = positions
        self.rowOffsets = heights.reduce(into: [0]) { $0.append($0.last! + $1!) }
        self.colOffsets = widths.reduce(into: [0]) { $0.append($0.last! + $1!) }
    }
}
