/// One problem found in a graph, with everything a user needs to fix it:
/// where (file:line:column), which task, which field, what is wrong and what to do.
///
/// Printed on one line:
/// `graphs/bad.json:12:17: error: task 'c', field 'inputs': gemm cannot multiply ... Hint: ...`
public struct GraphIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation?
    public var taskID: String?
    public var field: String?
    public var message: String
    public var hint: String?

    public init(location: SourceLocation?, taskID: String? = nil, field: String? = nil,
                message: String, hint: String? = nil) {
        self.location = location
        self.taskID = taskID
        self.field = field
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var s = ""
        if let location { s += "\(location): " }
        s += "error: "
        switch (taskID, field) {
        case let (t?, f?): s += "task '\(t)', field '\(f)': "
        case let (t?, nil): s += "task '\(t)': "
        case let (nil, f?): s += "field '\(f)': "
        case (nil, nil): break
        }
        s += message
        if let hint { s += " (\(hint))" }
        return s
    }
}

/// A graph that cannot run, with every issue found in it (not just the first).
public struct GraphValidationError: Error, Sendable, CustomStringConvertible {
    public var issues: [GraphIssue]

    public init(issues: [GraphIssue]) { self.issues = issues }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

/// Names close to `name` among `candidates`, closest first: edit distance (with
/// transpositions) at most a third of the name's length (at least 1), or a prefix match;
/// at most `limit` names.
public func nearestNames(to name: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
    let target = Array(name.lowercased().utf8)
    let maxDistance = max(1, target.count / 3)
    var scored: [(Int, String)] = []
    for c in candidates {
        let lower = c.lowercased()
        let d = editDistance(target, Array(lower.utf8))
        let isPrefix = !name.isEmpty && lower.hasPrefix(name.lowercased())
        if d <= maxDistance || isPrefix { scored.append((min(d, maxDistance), c)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    return scored.prefix(limit).map(\.1)
}

/// "did you mean 'gemm'?" / "did you mean 'gemm' or 'gemv'?" / nil.
public func didYouMean(_ names: [String]) -> String? {
    guard !names.isEmpty else { return nil }
    let quoted = names.map { "'\($0)'" }
    if quoted.count == 1 { return "did you mean \(quoted[0])?" }
    return "did you mean " + quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! + "?"
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours each cost 1 ("alpah" is 1 from "alpha").
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
