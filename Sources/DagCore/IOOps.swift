/// IO ops beyond the first set: raw bytes, CSV matrices and HTTP downloads. Their bodies
/// live in the runtime (`IOOpBodies.swift`); every IO op honours a task's `timeout` and
/// `retries` there.
enum IOOps {
    static var all: [OpSignature] { [readBytes, writeBytes, readCSV, writeCSV, httpGet] }

    static let path = StandardOps.path
    static let fileTask = StandardOps.fileTask

    static let readBytes = OpSignature(
        name: "read_bytes", summary: "Read a file's raw bytes.", defaultClass: .io, params: [path],
        inputs: .orderingOnly, shape: { _ in .unknown }, cost: { _, _ in fileTask })

    static let writeBytes = OpSignature(
        name: "write_bytes",
        summary: "Write the input's bytes (bytes, or text as UTF-8) to a file, atomically.",
        defaultClass: .io, params: [path], inputs: .exactly(1),
        shape: { r throws(ShapeError) in
            switch r.inputShapes[0] {
            case .text, .unknown: return .nothing
            case let s: throw ShapeError(field: "inputs[0]",
                                         message: "write_bytes needs bytes or text, but input '\(r.inputIDs[0])' produces \(s)")
            }
        },
        cost: { _, _ in fileTask })

    static let delimiterCheck: @Sendable (ArgValue) -> String? = { v in
        if case .string(let s) = v, s.utf8.count != 1 || s == "\"" || s == "\n" || s == "\r" {
            return "must be a single character other than a quote or a line break, got \"\(s)\""
        }
        return nil
    }

    static let readCSV = OpSignature(
        name: "read_csv",
        summary: "Read a CSV file of numbers into a matrix (one row per line, every line the same length).",
        defaultClass: .io,
        params: [path,
                 ParamSpec("header", .bool, default: .bool(false), doc: "the first line holds column names and is skipped"),
                 ParamSpec("delimiter", .string, default: .string(","), doc: "the cell separator, one character",
                           check: delimiterCheck)],
        inputs: .orderingOnly, shape: { _ in .unknown }, cost: { _, _ in fileTask })

    static let writeCSV = OpSignature(
        name: "write_csv",
        summary: "Write a matrix (or a scalar) as CSV, atomically, each number in its shortest exact form.",
        defaultClass: .io,
        params: [path,
                 ParamSpec("header", .stringList, doc: "column names written as the first line (one per column)"),
                 ParamSpec("delimiter", .string, default: .string(","), doc: "the cell separator, one character",
                           check: delimiterCheck)],
        inputs: .exactly(1),
        shape: { r throws(ShapeError) in
            switch r.inputShapes[0] {
            case .matrix(_, let cols):
                if let names = r.args.strings("header"), names.count != cols {
                    throw ShapeError(field: "args.header",
                                     message: "header names \(names.count) columns but '\(r.inputIDs[0])' has \(cols)")
                }
                return .nothing
            case .scalar, .unknown: return .nothing
            case let s: throw ShapeError(field: "inputs[0]",
                                         message: "write_csv needs a matrix, but input '\(r.inputIDs[0])' produces \(s)")
            }
        },
        cost: { r, _ in fileTask + Double(r.inputShapes[0].elementCount) * 2e-8 })

    static let httpGet = OpSignature(
        name: "http_get",
        summary: "GET an http:// URL (redirects followed, status checked): into a file (atomically) or as text or bytes.",
        defaultClass: .io, allowedClasses: [.io],
        params: [
            ParamSpec("url", .string, required: true, doc: "an http:// URL (https is not supported: no TLS in this build)",
                      check: { v in
                          if case .string(let s) = v, !s.lowercased().hasPrefix("http://") {
                              return "must start with http:// (https and other schemes are not supported), got \"\(s)\""
                          }
                          return nil
                      }),
            ParamSpec("path", .string, doc: "write the body to this file (atomically); the result is then nothing"),
            ParamSpec("as", .string, default: .string("text"), doc: "without path: the result as \"text\" (UTF-8) or \"bytes\"",
                      check: { v in
                          if case .string(let s) = v, s != "text" && s != "bytes" { return "must be \"text\" or \"bytes\", got \"\(s)\"" }
                          return nil
                      }),
            ParamSpec("max_redirects", .int, default: .int(5), doc: "redirects followed before giving up",
                      check: { v in
                          if case .int(let i) = v, i < 0 || i > 50 { return "must be between 0 and 50, got \(i)" }
                          return nil
                      }),
        ],
        inputs: .orderingOnly,
        shape: { r in
            if r.args["path"] != nil { return .nothing }
            return r.args.string("as") == "bytes" ? .unknown : .text
        },
        cost: { _, _ in 0.05 })
}
