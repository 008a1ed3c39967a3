import CDagSystem
import DagCore
import DagJSON
import Glibc

/// Reads a graph file of the usual shape straight from its bytes into a ``TaskTable``,
/// without building a JSON tree: one pass, no per-value allocation but the task's id and
/// input names (small ASCII strings are stored inline), ops interned once.
///
/// It handles exactly the format's grammar with plain strings (no escapes) and returns
/// nil at the first thing it does not expect (an escape, an unknown field, a duplicate,
/// bad JSON, a wrong type, ...). The caller then decodes the file with the tree decoder,
/// which reports every problem precisely. So this reader never has to explain an error;
/// it only has to be right and fast on valid files.
///
/// Measured on this project's machine (release, one core): the JSON tree decoder took
/// 3.9 s to load a 1M-task, 64 MB file; see README "Performance" for this reader's figure.
struct FastGraphReader {
    private let p: UnsafePointer<UInt8>
    private let end: Int
    private var i = 0
    private var line = 1
    private var lineStart = 0
    var table: TaskTable
    /// Byte range of each task object, to find field positions again on error.
    var spans: [(start: UInt32, end: UInt32)] = []

    private init(_ p: UnsafePointer<UInt8>, count: Int, file: String) {
        self.p = p
        end = count
        table = TaskTable(file: file)
    }

    /// The tasks of `bytes`, or nil when the file needs the tree decoder.
    static func read(_ bytes: [UInt8], file: String) -> TaskTable? {
        read(FileBytes(copying: bytes), file: file)
    }

    /// The tasks of `file`'s bytes, or nil when the file needs the tree decoder. The field
    /// locator of the result keeps `bytes` alive.
    static func read(_ bytes: FileBytes, file: String) -> TaskTable? {
        guard bytes.count < Int(UInt32.max) else { return nil }
        let base = bytes.base.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        var r = FastGraphReader(base, count: count, file: file)
        // Reserve for the most tasks and inputs the file could hold (a task object takes at
        // least 24 bytes, an input reference at least 3): reserving only claims address
        // space, pages are touched as columns fill, and no column is ever regrown and copied
        // (which a tight guess cost here: a tenth of the load time in copies and faults).
        r.table.reserveCapacity(tasks: count / 24, inputs: 0)
        r.table.reserveResolved(inputs: count / 3)
        r.idHashes.reserveCapacity(count / 24)
        r.idSpans.reserveCapacity(count / 24)
        r.spans.reserveCapacity(count / 24)
        guard r.document() else { return nil }
        // The full id index, built in one ordered pass; a duplicate id goes to the tree
        // decoder, which reports both places.
        let (index, duplicate) = IDIndex.bulk(ids: r.table.ids, hashes: r.idHashes)
        guard duplicate == nil else { return nil }
        r.table.adoptIndex(index)
        let spans = r.spans
        let positions = r.table
        var table = r.table
        table.fieldLocator = { task, field in
            fieldLocation(in: bytes, span: spans[task], taskStart: positions.location(of: task), field: field)
        }
        return table
    }

    // MARK: Grammar

    private mutating func document() -> Bool {
        if end - i >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3; lineStart = 3 }
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return false }
        var seen: UInt8 = 0
        skipSpace()
        if peek == UInt8(ascii: "}") { return false }
        while true {
            skipSpace()
            guard let key = plainString() else { return false }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            switch key {
            case "version":
                guard seen & 1 == 0, case .int(1)? = number() else { return false }
                seen |= 1
            case "name":
                guard seen & 2 == 0, let s = plainString() else { return false }
                table.name = s
                seen |= 2
            case "description":
                guard seen & 4 == 0, plainString() != nil else { return false }
                seen |= 4
            case "tasks":
                guard seen & 8 == 0, tasks() else { return false }
                seen |= 8
            default:
                return false
            }
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return false }
            break
        }
        skipSpace()
        return i == end && seen & 9 == 9
    }

    private mutating func tasks() -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        skipSpace()
        if take(UInt8(ascii: "]")) { return true }
        while true {
            skipSpace()
            guard task() else { return false }
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "]"))
        }
    }

    /// Recently read ids, so most inputs resolve to task indices as they are read; the
    /// others (forward or distant references) are resolved by validation through the full
    /// index, built after reading from `idHashes`.
    /// Recently declared ids: a 2-way set-associative cache by hash (a set is one 32-byte
    /// half of a cache line), two words a way: the id's first 8 bytes (zero-padded), and
    /// `length << 32 | task + 1` (0 = empty). A new id replaces the older of its set's two.
    /// An id of up to 8 bytes is matched from the cache alone; only longer ones read the
    /// file again. Checking against the earlier id's bytes in the file was the largest cost
    /// of the reader in a profile here (cache and TLB misses); a direct-mapped table missed
    /// ~4 % of the inputs of `dagrun gen random` (window 10,000), and each miss costs a String
    /// and a lookup in the full index during validation.
    private var recent = [UInt64](repeating: 0, count: 4 * Self.recentSets)
    private static let recentSets = 1 << 16
    /// Where each task's id lies in the file: `start << 32 | length`. Lookups compare bytes
    /// with bytes (no String access, no array retain per input).
    private var idSpans: [UInt64] = []
    private var idHashes: [Int] = []
    /// The current task's inputs as read (file range and hash), resolved at the list's end.
    private var pendingInputs: [(start: Int, count: Int, hash: Int)] = []

    /// One empty dictionary for the tasks without arguments (a `[:]` literal per task was 1 %
    /// of the load in a profile here).
    private static let noArgs: [String: ArgValue] = [:]

    @inline(__always)
    private func prefetchSet(_ h: Int) {
        recent.withUnsafeBufferPointer { dagrun_prefetch($0.baseAddress! + 4 * (h & (Self.recentSets - 1))) }
    }
    private var lastOp: (bytes: UnsafeBufferPointer<UInt8>, slot: UInt16)?

    private mutating func task() -> Bool {
        let start = i, taskLine = line, taskColumn = i - lineStart + 1
        guard take(UInt8(ascii: "{")) else { return false }
        var id: String?, opSlot: UInt16?, idStart = 0, idHash = 0
        var args: [String: ArgValue]? = nil
        var taskClass: TaskClass?
        var cost: Double?
        var runPolicy = TaskRunPolicy.default
        var seen: UInt16 = 0
        skipSpace()
        if take(UInt8(ascii: "}")) { return false }
        while true {
            skipSpace()
            guard let key = keyByte() else { return false }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            switch key {
            case 1: // id
                idStart = i + 1
                guard seen & 1 == 0, let s = plainString() else { return false }
                id = s
                // Its slot in the recent-id cache is written when the task ends: fetch it now,
                // while the rest of the task is read (the write missed the cache otherwise:
                // a quarter of the reader's time in a profile here).
                idHash = Self.hash(p + idStart, i - 1 - idStart, file: p, end: end)
                prefetchSet(idHash)
            case 2: // op
                guard seen & 2 == 0, let s = opSlotOfName() else { return false }
                opSlot = s
            case 3: // inputs
                guard seen & 4 == 0, take(UInt8(ascii: "[")) else { return false }
                skipSpace()
                if !take(UInt8(ascii: "]")) {
                    while true {
                        skipSpace()
                        // Resolved as read (only tasks declared before this one can match,
                        // so a task naming itself stays unresolved, for validation to report).
                        guard let range = plainStringRange() else { return false }
                        let h = Self.hash(p + range.start, range.count, file: p, end: end)
                        prefetchSet(h)
                        pendingInputs.append((range.start, range.count, h))
                        skipSpace()
                        if take(UInt8(ascii: ",")) { continue }
                        guard take(UInt8(ascii: "]")) else { return false }
                        break
                    }
                    // Resolved once all are read, so their cache lines were fetched meanwhile.
                    // (Indices and a static lookup: iterating the array while calling a method
                    // on `self` made Swift copy the 300-byte reader per input.)
                    for k in pendingInputs.indices {
                        let (start, count, h) = pendingInputs[k]
                        let bytes = UnsafeBufferPointer(start: p + start, count: count)
                        let found = recent.withUnsafeBufferPointer { r in
                            idSpans.withUnsafeBufferPointer { spans in
                                Self.recentTask(bytes, hash: h, recent: r.baseAddress!, idSpans: spans.baseAddress, file: p, end: end)
                            }
                        }
                        if let j = found {
                            table.appendInputRef(j)
                        } else {
                            guard let name = String(validating: bytes, as: UTF8.self) else { return false }
                            table.appendInputRef(table.unresolved(name))
                        }
                    }
                    pendingInputs.removeAll(keepingCapacity: true)
                }
            case 4: // args
                guard seen & 8 == 0, take(UInt8(ascii: "{")) else { return false }
                skipSpace()
                if !take(UInt8(ascii: "}")) {
                    while true {
                        skipSpace()
                        guard let name = plainString() else { return false }
                        skipSpace()
                        guard take(UInt8(ascii: ":")) else { return false }
                        skipSpace()
                        guard let v = argValue(depth: 0) else { return false }
                        if args == nil { args = [:] }
                        guard args!.updateValue(v, forKey: name) == nil else { return false }
                        skipSpace()
                        if take(UInt8(ascii: ",")) { continue }
                        guard take(UInt8(ascii: "}")) else { return false }
                        break
                    }
                }
            case 5: // class
                guard seen & 16 == 0, let s = plainString(), let c = TaskClass(rawValue: s) else { return false }
                taskClass = c
            case 6: // cost
                guard seen & 32 == 0, let n = number() else { return false }
                switch n {
                case .int(let v): cost = Double(v)
                case .double(let v): cost = v
                default: return false
                }
            case 7: // doc
                guard seen & 64 == 0, plainString() != nil else { return false }
            case 8: // executor
                guard seen & 128 == 0, let s = plainString(), let e = TaskRunPolicy.Executor(rawValue: s) else { return false }
                runPolicy.executor = e
            case 9: // timeout
                guard seen & 256 == 0, let n = number() else { return false }
                switch n {
                case .int(let v): runPolicy.timeout = Double(v)
                case .double(let v): runPolicy.timeout = v
                default: return false
                }
            case 10: // retries
                guard seen & 512 == 0, case .int(let v)? = number() else { return false }
                runPolicy.retries = v
            case 11: // max_memory (a byte count; sizes with units go to the tree decoder)
                guard seen & 1024 == 0, case .int(let v)? = number() else { return false }
                runPolicy.maxMemory = v
            case 12: // cores: a number, or "all"
                guard seen & 2048 == 0 else { return false }
                if peek == UInt8(ascii: "\"") {
                    guard plainString() == "all" else { return false }
                    runPolicy.cores = TaskRunPolicy.allCores
                } else {
                    guard case .int(let v)? = number(), v >= 1 else { return false }
                    runPolicy.cores = v
                }
            default:
                return false
            }
            let bit: UInt16 = 1 << (key - 1)
            seen |= bit
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return false }
            break
        }
        guard let id, !id.isEmpty, let opSlot else { return false }
        let task = Int32(idHashes.count)   // one hash per task read so far (reading `table.count` here copied the table)
        table.appendResolved(id: id, opSlot: opSlot, args: args ?? Self.noArgs, taskClass: taskClass, cost: cost,
                             runPolicy: runPolicy, line: taskLine, column: taskColumn)
        let idLength = id.utf8.count
        let h = idHash
        idHashes.append(h)
        idSpans.append(UInt64(idStart) << 32 | UInt64(idLength))
        let set = 4 * (h & (Self.recentSets - 1))
        // Tasks are numbered in order, so the smaller task number is the older entry.
        let way = recent[set + 1] & 0xffff_ffff <= recent[set + 3] & 0xffff_ffff ? set : set + 2
        recent[way] = head(p + idStart, idLength)
        recent[way + 1] = UInt64(idLength) << 32 | UInt64(UInt32(task) + 1)
        spans.append((UInt32(start), UInt32(i)))
        return true
    }

    /// The task declared recently whose id has these bytes (a direct-mapped cache: graph
    /// files mostly name inputs declared shortly before), or nil.
    @inline(__always)
    private static func recentTask(_ bytes: UnsafeBufferPointer<UInt8>, hash h: Int, recent: UnsafePointer<UInt64>,
                                   idSpans: UnsafePointer<UInt64>?, file p: UnsafePointer<UInt8>, end: Int) -> Int32? {
        let set = 4 * (h & (Self.recentSets - 1))
        let count = bytes.count
        let first = head(bytes.baseAddress!, count, file: p, end: end)
        for way in [set, set + 2] {
            let word = recent[way + 1]
            guard word != 0, Int(word >> 32) == count, recent[way] == first else { continue }
            let t = Int32(truncatingIfNeeded: word & 0xffff_ffff) - 1
            if count <= 8 { return t }
            guard let idSpans else { return nil }
            let span = idSpans[Int(t)]
            if sameBytes(p + Int(span >> 32) + 8, bytes.baseAddress! + 8, count - 8) { return t }
        }
        return nil
    }

    /// ``IDIndex/hash(bytes:)`` of the `count` bytes at `a` (from one word when they fit).
    /// (Static: calling a method on `self` here made Swift copy the 300-byte reader per call.)
    @inline(__always)
    private static func hash(_ a: UnsafePointer<UInt8>, _ count: Int, file p: UnsafePointer<UInt8>, end: Int) -> Int {
        count <= 8 ? IDIndex.hash(head: head(a, count, file: p, end: end), count: count)
            : IDIndex.hash(bytes: UnsafeBufferPointer(start: a, count: count))
    }

    /// The first `min(count, 8)` bytes at `a`, zero-padded, as one word.
    @inline(__always)
    private func head(_ a: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        Self.head(a, count, file: p, end: end)
    }

    @inline(__always)
    private static func head(_ a: UnsafePointer<UInt8>, _ count: Int, file p: UnsafePointer<UInt8>, end: Int) -> UInt64 {
        if count >= 8 { return UnsafeRawPointer(a).loadUnaligned(as: UInt64.self) }
        if a + 8 <= p + end {
            // Within the file: load 8 bytes and keep the id's.
            let w = UnsafeRawPointer(a).loadUnaligned(as: UInt64.self)
            return count == 0 ? 0 : w & (UInt64.max >> (64 - 8 * count))
        }
        var w: UInt64 = 0
        for k in 0..<count { w |= UInt64(a[k]) << (8 * k) }
        return w
    }

    /// A task field name as a small number (1 id, 2 op, 3 inputs, 4 args, 5 class, 6 cost, 7 doc,
    /// 8 executor, 9 timeout, 10 retries, 11 max_memory, 12 cores), nil otherwise.
    private mutating func keyByte() -> UInt8? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let s = i
        while i < end && p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") || p[i] < 0x20 { return nil }
            i += 1
        }
        guard i < end else { return nil }
        let n = i - s
        i += 1
        // The seven names by length and first bytes (no library call per key).
        @inline(__always) func at(_ k: Int) -> UInt8 { p[s + k] }
        switch n {
        case 2:
            if at(0) == UInt8(ascii: "i") && at(1) == UInt8(ascii: "d") { return 1 }
            if at(0) == UInt8(ascii: "o") && at(1) == UInt8(ascii: "p") { return 2 }
        case 6:
            if sameBytes(p + s, "inputs", 6) { return 3 }
        case 4:
            if sameBytes(p + s, "args", 4) { return 4 }
            if sameBytes(p + s, "cost", 4) { return 6 }
        case 5:
            if sameBytes(p + s, "class", 5) { return 5 }
            if sameBytes(p + s, "cores", 5) { return 12 }
        case 3:
            if sameBytes(p + s, "doc", 3) { return 7 }
        case 8:
            if sameBytes(p + s, "executor", 8) { return 8 }
        case 7:
            if sameBytes(p + s, "timeout", 7) { return 9 }
            if sameBytes(p + s, "retries", 7) { return 10 }
        case 10:
            if sameBytes(p + s, "max_memory", 10) { return 11 }
        default:
            break
        }
        return nil
    }

    /// An op name's slot in the table, reusing the previous task's when the bytes are the same.
    private mutating func opSlotOfName() -> UInt16? {
        guard let range = plainStringRange() else { return nil }
        let bytes = UnsafeBufferPointer(start: p + range.start, count: range.count)
        if let last = lastOp, last.bytes.count == bytes.count,
           sameBytes(last.bytes.baseAddress!, bytes.baseAddress!, bytes.count) {
            return last.slot
        }
        guard let name = String(validating: bytes, as: UTF8.self) else { return nil }
        let slot = table.internOp(name)
        lastOp = (bytes, slot)
        return slot
    }

    private mutating func argValue(depth: Int) -> ArgValue? {
        switch peek {
        case UInt8(ascii: "\""): return plainString().map(ArgValue.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "["):
            guard depth < 8 else { return nil }
            i += 1
            var items: [ArgValue] = []
            skipSpace()
            if take(UInt8(ascii: "]")) { return .list(items) }
            while true {
                skipSpace()
                guard let v = argValue(depth: depth + 1) else { return nil }
                items.append(v)
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]")) ? .list(items) : nil
            }
        default:
            return number()
        }
    }

    /// The byte range of a string without escapes or control characters (not yet validated
    /// as UTF-8: the caller validates it if it makes a String of it).
    private mutating func plainStringRange() -> (start: Int, count: Int)? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let s = i
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            i += 1
        }
        guard i < end else { return nil }
        i += 1
        return (s, i - 1 - s)
    }

    /// A string without escapes or control characters, validated as UTF-8.
    private mutating func plainString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let s = i
        var ascii = true
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        guard i < end else { return nil }
        let bytes = UnsafeBufferPointer(start: p + s, count: i - s)
        i += 1
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A JSON number, strictly by the RFC 8259 grammar.
    private mutating func number() -> ArgValue? {
        let s = i
        var negative = false
        if peek == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < end, p[i] >= 0x30, p[i] <= 0x39 else { return nil }
        var value = 0
        var overflow = false
        if p[i] == 0x30 {
            i += 1
            if i < end, p[i] >= 0x30, p[i] <= 0x39 { return nil }
        } else {
            while i < end, p[i] >= 0x30, p[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(p[i] - 0x30))
                overflow = overflow || o1 || o2
                value = a
                i += 1
            }
        }
        var isInteger = true
        if i < end, p[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < end, p[i] >= 0x30, p[i] <= 0x39 else { return nil }
            while i < end, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, p[i] >= 0x30, p[i] <= 0x39 else { return nil }
            while i < end, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if isInteger && !overflow { return .int(negative ? -value : value) }
        let text = String(decoding: UnsafeBufferPointer(start: p + s, count: i - s), as: UTF8.self)
        return Double(text).map(ArgValue.double)
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard end - i >= n, sameBytes(p + i, word.utf8Start, n) else { return false }
        i += n
        return true
    }

    private var peek: UInt8 { i < end ? p[i] : 0 }

    private mutating func take(_ c: UInt8) -> Bool {
        guard i < end, p[i] == c else { return false }
        i += 1
        return true
    }

    private mutating func skipSpace() {
        while i < end {
            switch p[i] {
            case 0x20, 0x09: i += 1
            case 0x0A:
                i += 1
                line += 1
                lineStart = i
            case 0x0D:
                i += 1
                if i < end && p[i] == 0x0A { i += 1 }
                line += 1
                lineStart = i
            default: return
            }
        }
    }

    // MARK: Field positions, on error only

    /// Where `field` of the task at `span` was written: the task's object is parsed again
    /// with the positional JSON parser and its relative position moved to the task's place.
    static func fieldLocation(in bytes: FileBytes, span: (start: UInt32, end: UInt32), taskStart: SourceLocation?,
                              field: String) -> SourceLocation? {
        guard let taskStart else { return nil }
        let node: JSONNode? = try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes.buffer[Int(span.start)..<Int(span.end)]))
        guard let node, case .object(let members) = node.value else { return nil }
        func place(_ pos: SourcePosition) -> SourceLocation {
            SourceLocation(file: taskStart.file, line: taskStart.line + pos.line - 1,
                           column: pos.line == 1 ? taskStart.column + pos.column - 1 : pos.column)
        }
        let head = field.prefix { $0 != "." && $0 != "[" }
        guard let member = members.first(where: { $0.key == head }) else { return nil }
        let rest = field.dropFirst(head.count)
        if rest.hasPrefix("["), let k = Int(rest.dropFirst().prefix { $0 != "]" }),
           case .array(let items) = member.value.value, k < items.count {
            return place(items[k].position)
        }
        if rest.hasPrefix("."), case .object(let args) = member.value.value {
            let name = String(rest.dropFirst())
            if let a = args.first(where: { $0.key == name }) { return place(a.value.position) }
        }
        return place(member.value.position)
    }
}

/// Whether `n` bytes at `a` and `b` are equal: 8 bytes at a time, inline (a libc memcmp
/// call per short id cost 6 % of the load in a profile here).
@inline(__always)
private func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var k = 0
    while k + 8 <= n {
        if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) {
            return false
        }
        k += 8
    }
    while k < n {
        if a[k] != b[k] { return false }
        k += 1
    }
    return true
}

@inline(__always)
private func sameBytes(_ a: UnsafePointer<UInt8>, _ literal: StaticString, _ n: Int) -> Bool {
    sameBytes(a, literal.utf8Start, n)
}
