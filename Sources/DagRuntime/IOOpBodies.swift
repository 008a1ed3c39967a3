import DagCore
import DagKernels

/// Bodies of the IO ops of `IOOps` (read_bytes, write_bytes, read_csv, write_csv,
/// http_get). Blocking ones pass the attempt's ``CancelToken`` to the file helpers, which
/// check it between chunks; http_get is async and waits on the ``Reactor``.
extension OpLibrary {
    static func registerIOOps(_ lib: inout OpLibrary) {
        lib.register("read_bytes", .sync { i in
            .bytes(try AtomicFile.read(i.resolve(i.args.string("path")!), cancellation: i.cancellation))
        })
        lib.register("write_bytes", .sync { i in
            let bytes: [UInt8]
            switch i.input(0) {
            case .bytes(let b): bytes = b
            case .text(let s): bytes = Array(s.utf8)
            case let other: throw OpError("input '\(i.inputID(0))' is \(other); write_bytes needs bytes or text")
            }
            try AtomicFile.write(bytes, to: i.resolve(i.args.string("path")!), cancellation: i.cancellation)
            return .nothing
        })
        lib.register("read_csv", .sync { i in
            let path = i.resolve(i.args.string("path")!)
            let bytes = try AtomicFile.read(path, cancellation: i.cancellation)
            return .matrix(try CSV.parse(bytes, file: path, header: i.args.bool("header"),
                                         delimiter: i.args.string("delimiter")!.utf8.first!, cancellation: i.cancellation))
        })
        lib.register("write_csv", .sync { i in
            let m: Matrix
            switch i.input(0) {
            case .matrix(let x): m = x
            case .scalar(let v):
                m = Matrix(rows: 1, cols: 1, isVector: true)
                m.baseAddress[0] = v
            case let other: throw OpError("input '\(i.inputID(0))' is \(other); write_csv needs a matrix or a scalar")
            }
            let header = i.args.strings("header")
            if let header, header.count != m.cols {
                throw OpError("header names \(header.count) columns but '\(i.inputID(0))' has \(m.cols)")
            }
            let text = CSV.format(m, header: header, delimiter: i.args.string("delimiter")!)
            try AtomicFile.write(Array(text.utf8), to: i.resolve(i.args.string("path")!), cancellation: i.cancellation)
            return .nothing
        })
        lib.register("http_get", .async { i in
            let url = i.args.string("url")!
            // An IO op: it runs in the scheduler's process, never in a worker process.
            guard let run = i.run else { throw OpError("http_get runs on the IO executor, not in a worker process") }
            let pool = run.io
            let response = try await HTTPClient.get(url, maxRedirects: i.args.int("max_redirects"), pool: pool)
            if let path = i.args.string("path") {
                let target = i.resolve(path)
                let token = i.cancellation
                let body = response.body
                try await withTaskCancellationHandler {
                    try await pool.run { try AtomicFile.write(body, to: target, cancellation: token) }
                } onCancel: {
                    token?.cancel(reason: "the attempt was cancelled")
                }
                return .nothing
            }
            if i.args.string("as") == "bytes" { return .bytes(response.body) }
            guard let text = String(validating: response.body, as: UTF8.self) else {
                throw OpError("GET \(url): the body (\(response.body.count) bytes) is not UTF-8 text; use \"as\": \"bytes\" or a path")
            }
            return .text(text)
        })
    }
}

/// CSV files of numbers: one matrix row per line.
enum CSV {
    /// Parses `bytes` (the file at `file`, named in errors) into a matrix. Blank lines are
    /// skipped; with `header` the first non-blank line is. Cells may be padded with spaces
    /// and wrapped in double quotes. Every row must have as many cells as the first.
    static func parse(_ bytes: [UInt8], file: String, header: Bool, delimiter: UInt8,
                      cancellation: CancelToken? = nil) throws(OpError) -> Matrix {
        var values: [Double] = []
        var cols = -1
        var firstRowLine = 0
        var rows = 0
        var skipHeader = header
        var line = 0
        var start = 0
        let n = bytes.count
        while start < n {
            line += 1
            var end = start
            while end < n && bytes[end] != 10 { end += 1 }
            var last = end
            if last > start && bytes[last - 1] == 13 { last -= 1 }
            defer { start = end + 1 }
            if line % 65536 == 0, let c = cancellation, c.isCancelled {
                throw OpError("reading '\(file)' stopped: \(c.reason)")
            }
            if bytes[start..<last].allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            if skipHeader { skipHeader = false; continue }
            var column = 0
            var cellStart = start
            var k = start
            while true {
                if k == last || bytes[k] == delimiter {
                    column += 1
                    values.append(try number(bytes[cellStart..<k], file: file, line: line, column: column))
                    if k == last { break }
                    cellStart = k + 1
                }
                k += 1
            }
            if cols < 0 {
                cols = column
                firstRowLine = line
            } else if column != cols {
                throw OpError("'\(file)' line \(line): \(column) cell\(column == 1 ? "" : "s"), but line \(firstRowLine) has \(cols) (every row needs the same number of cells)")
            }
            rows += 1
        }
        guard rows > 0 else { throw OpError("'\(file)' holds no rows of numbers") }
        let m = Matrix(rows: rows, cols: cols, isVector: false)
        values.withUnsafeBufferPointer { m.baseAddress.update(from: $0.baseAddress!, count: $0.count) }
        return m
    }

    static func number(_ cell: ArraySlice<UInt8>, file: String, line: Int, column: Int) throws(OpError) -> Double {
        var s = cell.startIndex, e = cell.endIndex
        while s < e && (cell[s] == 32 || cell[s] == 9) { s += 1 }
        while e > s && (cell[e - 1] == 32 || cell[e - 1] == 9) { e -= 1 }
        if e - s >= 2 && cell[s] == 34 && cell[e - 1] == 34 { s += 1; e -= 1 }
        let text = String(decoding: cell[s..<e], as: UTF8.self)
        if text.isEmpty { throw OpError("'\(file)' line \(line), column \(column): empty cell (expected a number)") }
        guard let v = Double(text) else {
            throw OpError("'\(file)' line \(line), column \(column): '\(text.prefix(40))' is not a number")
        }
        return v
    }

    /// One line per row, each value in its shortest exact (round-trip) form.
    static func format(_ m: Matrix, header: [String]?, delimiter: String) -> String {
        var s = ""
        if let header {
            s += header.map { $0.contains(delimiter) || $0.contains("\"") ? "\"" + $0.replacingAll("\"", "\"\"") + "\"" : $0 }
                .joined(separator: delimiter) + "\n"
        }
        for r in 0..<m.rows {
            for c in 0..<m.cols {
                if c > 0 { s += delimiter }
                s += "\(m[r, c])"
            }
            s += "\n"
        }
        return s
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
