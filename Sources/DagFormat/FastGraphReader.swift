import CDagSystem
import DagCore
import DagJSON
import Glibc

/// Reads a graph file of the usual shape straight from its bytes into a ``TaskTable``,
/// without building a JSON tree: one pass, no per-value allocation but the task's id and
/// input names not resolved while reading (small ASCII strings are stored inline), ops
/// interned once.
///
/// It handles exactly the format's grammar with plain strings (no escapes) and returns
/// nil at the first thing it does not expect (an escape, an unknown field, a duplicate,
/// bad JSON, a wrong type, ...). The caller then decodes the file with the tree decoder,
/// which reports every problem precisely. So this reader never has to explain an error;
/// it only has to be right and fast on valid files.
///
/// The hot path touches no Swift array: the table's columns are written through pointers
/// into arrays created at their largest possible size (reserving address space only; a
/// page is touched when a column reaches it), and the reader's own per-task facts live in
/// buffers it frees. Per task, `Array.append` on eight columns (uniqueness checks, bounds,
/// retains) took about as long as the scan itself here.
///
/// Measured on this project's machine (release, one core): the JSON tree decoder took
/// 3.9 s to load a 1M-task, 64 MB file; see README "Performance" for this reader's figure.
struct FastGraphReader {
    private let p: UnsafePointer<UInt8>
    private let end: Int
    private var i = 0
    private var line = 1
    private var lineStart = 0

    // The table's columns, `count` tasks and `inputCount` input references written so far.
    private var ids: UnsafeMutablePointer<String>
    private var opOfTask: UnsafeMutablePointer<UInt16>
    private var inputOffsets: UnsafeMutablePointer<Int32>
    private var positions: UnsafeMutablePointer<UInt64>
    private var inputRefs: UnsafeMutablePointer<Int32>
    private let taskCapacity: Int
    private let inputCapacity: Int
    private var count = 0
    private var inputCount = 0

    // The reader's own facts per task, freed by `read`.
    /// ``IDIndex/hash(bytes:)`` of each task's id.
    private let idHashes: UnsafeMutablePointer<Int>
    /// Where each task's id lies in the file: `start << 32 | length`.
    private let idSpans: UnsafeMutablePointer<UInt64>
    /// Where each task's object starts in the file (to find field positions again on error).
    private let taskStarts: UnsafeMutablePointer<UInt32>

    /// Recently declared ids not found through their number (see `numbered`): a 2-way
    /// set-associative cache by hash (a set is one 32-byte half of a cache line), two words
    /// a way: the id's first 8 bytes (zero-padded), and `length << 32 | task + 1` (0 = empty).
    /// A new id replaces the older of its set's two. An id of up to 8 bytes is matched from
    /// the cache alone; only longer ones read the file again.
    private let recent: UnsafeMutablePointer<UInt64>
    private static let recentSets = 1 << 16

    /// Per id prefix (the bytes before a trailing decimal number, "t" of "t17"), the task
    /// index minus the number of the last id declared with it: most generated graphs number
    /// their tasks in order, so an input's number plus this offset names its task, which is
    /// checked (hash, length, and the bytes of longer ids). Such a lookup reads the per-task
    /// facts of a recent task instead of a random line of `recent`, and an id found this way
    /// is not put into `recent` at all. A direct-mapped table of 64 entries
    /// keyed by the prefix's length and first 8 bytes: `key`, `offset`.
    private let numbering: UnsafeMutablePointer<Numbering>
    private static let numberingSlots = 64
    /// A prefix's numbering: `key` (``IDIndex/prefixKey(head:length:)``), `offset` (task
    /// minus number), and the numbers of the run of tasks found consistent with it since the
    /// prefix's first task (`first` is `Int.min` while there is none).
    private typealias Numbering = (key: UInt64, offset: Int, first: Int, last: Int)
    /// Finished runs (see ``IDIndex/NumberedRun``); the slots hold the current ones.
    private var runs: [IDIndex.NumberedRun] = []
    /// The tasks the id index holds in its table: those not in a run.
    private let singletons: UnsafeMutablePointer<Int32>
    private var singletonCount = 0

    /// The current task's inputs not found through their number (file range, hash, and their
    /// slot in `inputRefs`), looked up in `recent` at the task's end, once their cache lines
    /// were fetched.
    private var pending: UnsafeMutablePointer<(start: Int, count: Int, hash: Int, slot: Int)>
    private var pendingCapacity = 64
    private var pendingCount = 0

    // Rarely used columns and tables, in Swift arrays.
    private var opNames: [String] = []
    private var opSlots: [String: UInt16] = [:]
    /// The previous task's op: its name's length (-1 before the first), first 8 bytes, start in
    /// the file and slot. Most tasks repeat it, and an op of up to 8 bytes is matched from one word.
    private var lastOpLength = -1
    private var lastOpHead: UInt64 = 0
    private var lastOpStart = 0
    private var lastOpSlot: UInt16 = 0
    private var unresolvedNames: [String] = []
    private var name: String?
    // The optional columns stay empty while every task so far left the field out, and are
    // filled with defaults up to the first task that declares it (as ``TaskTable`` does).
    private var args: [Args] = []
    private var classes: [UInt8] = []
    private var costs: [Double] = []
    private var runPolicies: [TaskRunPolicy] = []

    /// The tasks of `bytes`, or nil when the file needs the tree decoder.
    static func read(_ bytes: [UInt8], file: String) -> TaskTable? {
        read(FileBytes(copying: bytes), file: file)
    }

    /// The tasks of `file`'s bytes, or nil when the file needs the tree decoder. The field
    /// locator of the result keeps `bytes` alive.
    static func read(_ bytes: FileBytes, file: String) -> TaskTable? {
        guard bytes.count < Int(UInt32.max) else { return nil }
        let size = bytes.count
        // The most tasks and input references the file could hold: `{"id":"a","op":"b"}`
        // and a separator take 20 bytes, `"a",` 4. Arrays of that capacity claim address
        // space only; no column is ever regrown and copied (which a tight guess cost here:
        // a tenth of the load time in copies and faults). A file beyond them is refused.
        let taskCapacity = size / 20 + 1
        let inputCapacity = size / 4 + 1
        let idHashes = UnsafeMutablePointer<Int>.allocate(capacity: taskCapacity)
        let idSpans = UnsafeMutablePointer<UInt64>.allocate(capacity: taskCapacity)
        defer { idHashes.deallocate(); idSpans.deallocate() }
        let starts = TaskStarts(capacity: taskCapacity)
        var reader: FastGraphReader?
        var ok = false
        // Each column is an array initialised in place (nested, as each closure gives one buffer).
        let ids = [String](unsafeUninitializedCapacity: taskCapacity) { idBuffer, idCount in
            let opOfTask = [UInt16](unsafeUninitializedCapacity: taskCapacity) { opBuffer, opCount in
                let offsets = [Int32](unsafeUninitializedCapacity: taskCapacity + 1) { offsetBuffer, offsetCount in
                    let positions = [UInt64](unsafeUninitializedCapacity: taskCapacity) { positionBuffer, positionCount in
                        let refs = [Int32](unsafeUninitializedCapacity: inputCapacity) { refBuffer, refCount in
                            var r = FastGraphReader(
                                bytes.base.assumingMemoryBound(to: UInt8.self), count: size,
                                ids: idBuffer.baseAddress!, opOfTask: opBuffer.baseAddress!,
                                inputOffsets: offsetBuffer.baseAddress!, positions: positionBuffer.baseAddress!,
                                inputRefs: refBuffer.baseAddress!, taskCapacity: taskCapacity, inputCapacity: inputCapacity,
                                idHashes: idHashes, idSpans: idSpans, taskStarts: starts.base)
                            ok = r.document()
                            // Every String written is counted, so a refused file's are released.
                            idCount = r.count
                            opCount = r.count
                            offsetCount = r.count + 1
                            positionCount = r.count
                            refCount = r.inputCount
                            if ok {
                                r.runs = r.allRuns()
                                r.singletonList = Array(UnsafeBufferPointer(start: r.singletons, count: r.singletonCount))
                            }
                            r.freeScratch()
                            reader = r
                        }
                        if ok { reader!.inputRefsColumn = refs }
                    }
                    if ok { reader!.positionsColumn = positions }
                }
                if ok { reader!.offsetsColumn = offsets }
            }
            if ok { reader!.opColumn = opOfTask }
        }
        guard ok, let r = reader else { return nil }
        // The full id index; a duplicate id goes to the tree decoder, which reports both places.
        let (built, duplicate) = r.singletonList.withUnsafeBufferPointer { tasks in
            IDIndex.bulk(ids: ids, hashes: UnsafeBufferPointer(start: idHashes, count: r.count), tasks: tasks, runs: r.runs)
        }
        guard duplicate == nil else { return nil }
        var table = TaskTable(file: file, name: r.name, ids: ids, opNames: r.opNames, opOfTask: r.opColumn,
                              inputOffsets: r.offsetsColumn, inputRefs: r.inputRefsColumn,
                              unresolvedNames: r.unresolvedNames, args: r.args, classes: r.classes, costs: r.costs,
                              runPolicies: r.runPolicies, positions: r.positionsColumn, index: built,
                              refsPrecedeTasks: true)  // only tasks read before are found
        let positions = table
        table.fieldLocator = { task, field in
            fieldLocation(in: bytes, start: Int(starts.base[task]), taskStart: positions.location(of: task), field: field)
        }
        return table
    }

    // The finished columns, handed from the closures that made them to `read`.
    private var singletonList: [Int32] = []
    private var opColumn: [UInt16] = []
    private var offsetsColumn: [Int32] = []
    private var positionsColumn: [UInt64] = []
    private var inputRefsColumn: [Int32] = []

    private init(_ p: UnsafePointer<UInt8>, count: Int, ids: UnsafeMutablePointer<String>,
                 opOfTask: UnsafeMutablePointer<UInt16>, inputOffsets: UnsafeMutablePointer<Int32>,
                 positions: UnsafeMutablePointer<UInt64>, inputRefs: UnsafeMutablePointer<Int32>,
                 taskCapacity: Int, inputCapacity: Int, idHashes: UnsafeMutablePointer<Int>,
                 idSpans: UnsafeMutablePointer<UInt64>, taskStarts: UnsafeMutablePointer<UInt32>) {
        self.p = p
        end = count
        self.ids = ids
        self.opOfTask = opOfTask
        self.inputOffsets = inputOffsets
        self.positions = positions
        self.inputRefs = inputRefs
        self.taskCapacity = taskCapacity
        self.inputCapacity = inputCapacity
        self.idHashes = idHashes
        self.idSpans = idSpans
        self.taskStarts = taskStarts
        recent = .allocate(capacity: 4 * Self.recentSets)
        recent.initialize(repeating: 0, count: 4 * Self.recentSets)
        numbering = .allocate(capacity: Self.numberingSlots)
        numbering.initialize(repeating: (UInt64.max, 0, Int.min, 0), count: Self.numberingSlots)
        singletons = .allocate(capacity: taskCapacity)
        pending = .allocate(capacity: pendingCapacity)
        inputOffsets[0] = 0
    }

    /// The runs, current ones included.
    private func allRuns() -> [IDIndex.NumberedRun] {
        var all = runs
        for k in 0..<Self.numberingSlots where numbering[k].first != Int.min {
            let n = numbering[k]
            all.append(IDIndex.NumberedRun(key: n.key, offset: n.offset, first: n.first, last: n.last))
        }
        return all
    }

    private func freeScratch() {
        recent.deallocate()
        numbering.deallocate()
        singletons.deallocate()
        pending.deallocate()
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
                name = s
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

    private mutating func task() -> Bool {
        guard count < taskCapacity else { return false }
        let start = i, taskLine = line, taskColumn = i - lineStart + 1
        guard take(UInt8(ascii: "{")) else { return false }
        var idStart = 0, idLength = -1, idHash = 0, idASCII = true, idNumber = 0, idDigits = 0
        var opSlot: UInt16?
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
                guard seen & 1 == 0, let (s, n, ascii, number, digits) = idString() else { return false }
                idStart = s
                idLength = n
                idASCII = ascii
                idNumber = number
                idDigits = digits
                idHash = Self.hash(p + s, n, file: p, end: end)
            case 2: // op
                guard seen & 2 == 0, let s = opSlotOfName() else { return false }
                opSlot = s
            case 3: // inputs
                guard seen & 4 == 0, inputs() else { return false }
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
        guard idLength > 0, let opSlot else { return false }
        // Only tasks declared before this one can match an input, so a task naming itself
        // stays unresolved, for validation to report. Resolved now, after the id's number
        // was read, as inputs come before the id in some files.
        guard resolvePending() else { return false }
        let idBytes = UnsafeBufferPointer(start: p + idStart, count: idLength)
        let id = idASCII ? String(decoding: idBytes, as: UTF8.self) : String(validating: idBytes, as: UTF8.self)
        guard let id else { return false }
        let task = count
        (ids + task).initialize(to: id)
        opOfTask[task] = opSlot
        inputOffsets[task + 1] = Int32(inputCount)
        positions[task] = UInt64(UInt32(clamping: taskLine)) << 32 | UInt64(UInt32(clamping: taskColumn))
        if args != nil || !self.args.isEmpty {
            Self.materialise(&self.args, upTo: task, Args())
            self.args.append(Args(args ?? [:]))
        }
        if taskClass != nil || !classes.isEmpty {
            Self.materialise(&classes, upTo: task, 0)
            classes.append(taskClass == nil ? 0 : taskClass == .cpu ? 1 : 2)
        }
        if cost != nil || !costs.isEmpty {
            Self.materialise(&costs, upTo: task, .nan)
            costs.append(cost ?? .nan)
        }
        if !runPolicy.isDefault || !runPolicies.isEmpty {
            Self.materialise(&runPolicies, upTo: task, .default)
            runPolicies.append(runPolicy)
        }
        idHashes[task] = idHash
        idSpans[task] = UInt64(idStart) << 32 | UInt64(idLength)
        taskStarts[task] = UInt32(start)
        count = task + 1
        // Found later through its number (a run, not the id index's table), or else through `recent`.
        if !noteNumber(p + idStart, idLength, number: idNumber, digits: idDigits, task: task) {
            singletons[singletonCount] = Int32(task)
            singletonCount += 1
            let set = 4 * (idHash & (Self.recentSets - 1))
            // Tasks are numbered in order, so the smaller task number is the older entry.
            let way = recent[set + 1] & 0xffff_ffff <= recent[set + 3] & 0xffff_ffff ? set : set + 2
            recent[way] = Self.head(p + idStart, idLength, file: p, end: end)
            recent[way + 1] = UInt64(idLength) << 32 | UInt64(UInt32(task) + 1)
        }
        return true
    }

    /// Reads an `inputs` list into `inputRefs`: each input found through its number now, the
    /// others left in `pending`. One pass over
    /// each name finds its end and the number that ends it; a local position, not `i`.
    private mutating func inputs() -> Bool {
        let p = self.p, end = self.end
        var j = i
        guard j < end, p[j] == UInt8(ascii: "[") else { return false }
        j = blanks(from: j + 1)
        if j < end && p[j] == UInt8(ascii: "]") {
            i = j + 1
            return true
        }
        var k = inputCount
        while true {
            j = blanks(from: j)
            guard j < end, p[j] == UInt8(ascii: "\"") else { return false }
            j += 1
            let s = j
            var number = 0, digits = 0
            while true {
                guard j < end else { return false }
                let c = p[j]
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") || c < 0x20 { return false }
                let d = c &- 0x30
                if d < 10 {
                    number = number &* 10 &+ Int(d)
                    digits &+= 1
                } else {
                    number = 0
                    digits = 0
                }
                j += 1
            }
            let length = j - s
            j += 1
            guard k < inputCapacity else { return false }
            let h = Self.hash(p + s, length, file: p, end: end)
            if let t = Self.numbered(p + s, length, number: number, digits: digits, hash: h, tasks: count,
                                     numbering: numbering, idHashes: idHashes, idSpans: idSpans, file: p, end: end) {
                inputRefs[k] = t
            } else {
                if pendingCount == pendingCapacity { growPending() }
                pending[pendingCount] = (s, length, h, k)
                pendingCount += 1
                dagrun_prefetch(recent + 4 * (h & (Self.recentSets - 1)))
            }
            k += 1
            j = blanks(from: j)
            if j < end && p[j] == UInt8(ascii: ",") {
                j += 1
                continue
            }
            guard j < end, p[j] == UInt8(ascii: "]") else { return false }
            j += 1
            break
        }
        inputCount = k
        i = j
        return true
    }

    /// An id string: its range, whether it is ASCII, and the number that ends it (see `inputs`).
    @inline(__always)
    private mutating func idString() -> (start: Int, count: Int, ascii: Bool, number: Int, digits: Int)? {
        var j = i
        guard j < end, p[j] == UInt8(ascii: "\"") else { return nil }
        j += 1
        let s = j
        var high: UInt8 = 0
        var number = 0, digits = 0
        while true {
            guard j < end else { return nil }
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            high |= c
            let d = c &- 0x30
            if d < 10 {
                number = number &* 10 &+ Int(d)
                digits &+= 1
            } else {
                number = 0
                digits = 0
            }
            j += 1
        }
        i = j + 1
        return (s, j - s, high < 0x80, number, digits)
    }

    private mutating func growPending() {
        let bigger = UnsafeMutablePointer<(start: Int, count: Int, hash: Int, slot: Int)>.allocate(capacity: 2 * pendingCapacity)
        bigger.moveInitialize(from: pending, count: pendingCapacity)
        pending.deallocate()
        pending = bigger
        pendingCapacity *= 2
    }

    /// Resolves the current task's inputs left in `pending`: through `recent`, else as a name
    /// for validation to look up.
    private mutating func resolvePending() -> Bool {
        for k in 0..<pendingCount {
            let (start, length, h, slot) = pending[k]
            let bytes = UnsafeBufferPointer(start: p + start, count: length)
            if let t = Self.recentTask(bytes, hash: h, recent: recent, idSpans: idSpans, file: p, end: end) {
                inputRefs[slot] = t
            } else {
                guard let name = String(validating: bytes, as: UTF8.self) else { return false }
                unresolvedNames.append(name)
                inputRefs[slot] = -Int32(unresolvedNames.count)
            }
        }
        pendingCount = 0
        return true
    }

    /// The `numbering` key of the prefix of `prefixLength` bytes at `a`.
    @inline(__always)
    private static func numberingKey(_ a: UnsafePointer<UInt8>, _ prefixLength: Int, file p: UnsafePointer<UInt8>,
                                     end: Int) -> UInt64 {
        IDIndex.prefixKey(head: prefixLength == 0 ? 0 : head(a, min(prefixLength, 8), file: p, end: end), length: prefixLength)
    }

    // (The helpers below are static: a method on `self` called from a mutating one made Swift
    // copy the whole reader per call, which was 6 % of the load's instructions.)

    /// Records the numbering of the id just declared as task `task` (its last `digits` bytes
    /// are the decimal `number`; a run of more than 18 is not a number here); true when it
    /// continues its prefix's numbering: then it joins that run, and inputs find it through
    /// its number (it stays out of `recent` and of the id index's table).
    @inline(__always)
    private mutating func noteNumber(_ a: UnsafePointer<UInt8>, _ length: Int, number: Int, digits: Int, task: Int) -> Bool {
        guard digits > 0 && digits <= 18 else { return false }
        let key = Self.numberingKey(a, length - digits, file: p, end: end)
        let slot = numbering + Int(key >> 58)  // 64 slots
        if slot.pointee.key == key && slot.pointee.offset &+ number == task {
            if slot.pointee.first == Int.min { slot.pointee.first = number }
            slot.pointee.last = number
            return true
        }
        let old = slot.pointee
        if old.first != Int.min { runs.append(IDIndex.NumberedRun(key: old.key, offset: old.offset, first: old.first, last: old.last)) }
        slot.pointee = (key, task &- number, Int.min, 0)
        return false
    }

    /// The task among the first `tasks` that the id of `length` bytes at `a` names through
    /// its number, if that task has these bytes. For ids of up to 8 bytes, equal hashes and
    /// lengths mean equal bytes: ``IDIndex/hash(head:count:)`` is a bijection for a given
    /// length (a xor, multiplies by odd numbers and xor-shifts by at least half the width,
    /// each invertible); longer ids are compared byte by byte.
    @inline(__always)
    private static func numbered(_ a: UnsafePointer<UInt8>, _ length: Int, number: Int, digits: Int, hash h: Int,
                                 tasks: Int, numbering: UnsafeMutablePointer<Numbering>,
                                 idHashes: UnsafeMutablePointer<Int>, idSpans: UnsafeMutablePointer<UInt64>,
                                 file p: UnsafePointer<UInt8>, end: Int) -> Int32? {
        guard digits > 0 && digits <= 18 else { return nil }
        let key = numberingKey(a, length - digits, file: p, end: end)
        let slot = numbering + Int(key >> 58)
        guard slot.pointee.key == key else { return nil }
        let t = slot.pointee.offset &+ number
        guard t >= 0 && t < tasks, idHashes[t] == h else { return nil }
        let span = idSpans[t]
        guard Int(span & 0xffff_ffff) == length else { return nil }
        if length > 8 && !sameBytes(p + Int(span >> 32), a, length) { return nil }
        return Int32(t)
    }

    /// The task declared recently whose id has these bytes, found in `recent`, or nil.
    @inline(__always)
    private static func recentTask(_ bytes: UnsafeBufferPointer<UInt8>, hash h: Int, recent: UnsafeMutablePointer<UInt64>,
                                   idSpans: UnsafeMutablePointer<UInt64>, file p: UnsafePointer<UInt8>, end: Int) -> Int32? {
        let set = 4 * (h & (recentSets - 1))
        let length = bytes.count
        let first = head(bytes.baseAddress!, length, file: p, end: end)
        for way in stride(from: set, through: set + 2, by: 2) {
            let word = recent[way + 1]
            guard word != 0, Int(word >> 32) == length, recent[way] == first else { continue }
            let t = Int32(truncatingIfNeeded: word & 0xffff_ffff) - 1
            if length <= 8 { return t }
            let span = idSpans[Int(t)]
            if sameBytes(p + Int(span >> 32) + 8, bytes.baseAddress! + 8, length - 8) { return t }
        }
        return nil
    }

    /// Turns an empty optional column into a full one of `count` defaults (no-op once full).
    @inline(__always)
    private static func materialise<T>(_ column: inout [T], upTo count: Int, _ value: T) {
        guard column.isEmpty && count > 0 else { return }
        column.append(contentsOf: repeatElement(value, count: count))
    }

    /// ``IDIndex/hash(bytes:)`` of the `count` bytes at `a` (from one word when they fit).
    @inline(__always)
    private static func hash(_ a: UnsafePointer<UInt8>, _ count: Int, file p: UnsafePointer<UInt8>, end: Int) -> Int {
        count <= 8 ? IDIndex.hash(head: head(a, count, file: p, end: end), count: count) : longHash(a, count)
    }

    /// (Kept out of line, so that the short case above is inlined into the scanning loops.)
    @inline(never)
    private static func longHash(_ a: UnsafePointer<UInt8>, _ count: Int) -> Int {
        IDIndex.hash(bytes: UnsafeBufferPointer(start: a, count: count))
    }

    /// The first `min(count, 8)` bytes at `a`, zero-padded, as one word.
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
        // The three keys of nearly every task, from one word: "id", "op", "inputs" with quotes.
        if i + 8 <= end {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if w & 0xffff_ffff == 0x2264_6922 {
                i += 4
                return 1
            }
            if w & 0xffff_ffff == 0x2270_6f22 {
                i += 4
                return 2
            }
            if w == 0x2273_7475_706e_6922 {
                i += 8
                return 3
            }
        }
        guard let (s, n) = plainStringRange() else { return nil }
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

    /// An op name's slot, reusing the previous task's when the bytes are the same.
    @inline(__always)
    private mutating func opSlotOfName() -> UInt16? {
        guard let (start, length) = plainStringRange() else { return nil }
        if length == lastOpLength && Self.head(p + start, length, file: p, end: end) == lastOpHead
            && (length <= 8 || sameBytes(p + lastOpStart + 8, p + start + 8, length - 8)) {
            return lastOpSlot
        }
        return newOp(start, length)
    }

    private mutating func newOp(_ start: Int, _ length: Int) -> UInt16? {
        guard let name = String(validating: UnsafeBufferPointer(start: p + start, count: length), as: UTF8.self) else {
            return nil
        }
        let slot: UInt16
        if let s = opSlots[name] {
            slot = s
        } else {
            guard opNames.count < Int(UInt16.max) else { return nil }
            slot = UInt16(opNames.count)
            opSlots[name] = slot
            opNames.append(name)
        }
        (lastOpLength, lastOpHead, lastOpStart, lastOpSlot) = (length, Self.head(p + start, length, file: p, end: end), start, slot)
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
    @inline(__always)
    private mutating func plainStringRange() -> (start: Int, count: Int)? {
        var j = i
        guard j < end, p[j] == UInt8(ascii: "\"") else { return nil }
        j += 1
        let s = j
        while j < end {
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            j += 1
        }
        guard j < end else { return nil }
        i = j + 1
        return (s, j - s)
    }

    /// A string without escapes or control characters, validated as UTF-8.
    private mutating func plainString() -> String? {
        guard let (s, n, ascii) = plainStringBytes() else { return nil }
        let bytes = UnsafeBufferPointer(start: p + s, count: n)
        return ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    /// The byte range of a string without escapes or control characters, and whether it is
    /// ASCII (else the caller validates it as UTF-8).
    @inline(__always)
    private mutating func plainStringBytes() -> (start: Int, count: Int, ascii: Bool)? {
        var j = i
        guard j < end, p[j] == UInt8(ascii: "\"") else { return nil }
        j += 1
        let s = j
        var high: UInt8 = 0
        while j < end {
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            high |= c
            j += 1
        }
        guard j < end else { return nil }
        i = j + 1
        return (s, j - s, high < 0x80)
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

    @inline(__always)
    private mutating func take(_ c: UInt8) -> Bool {
        guard i < end, p[i] == c else { return false }
        i += 1
        return true
    }

    /// The position of the first non-blank byte from `j`, counting lines.
    @inline(__always)
    private mutating func blanks(from j: Int) -> Int {
        guard j < end, p[j] <= 0x20 else { return j }
        i = j
        skipSpace()
        return i
    }

    /// Skips blanks, counting lines. (Works on a local copy of the position: updating the
    /// stored one byte by byte kept it in memory, as did every scanning loop here.)
    @inline(__always)
    private mutating func skipSpace() {
        var j = i
        guard j < end, p[j] <= 0x20 else { return }
        while j < end {
            switch p[j] {
            case 0x20, 0x09: j += 1
            case 0x0A:
                j += 1
                line += 1
                lineStart = j
            case 0x0D:
                j += 1
                if j < end && p[j] == 0x0A { j += 1 }
                line += 1
                lineStart = j
            default:
                i = j
                return
            }
        }
        i = j
    }

    // MARK: Field positions, on error only

    /// The end of the JSON object starting at `start` (just past its closing brace), or nil.
    static func objectEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var depth = 0
        var k = start
        var inString = false
        while k < bytes.count {
            let c = bytes[k]
            if inString {
                if c == UInt8(ascii: "\\") { k += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return k + 1 }
            }
            k += 1
        }
        return nil
    }

    /// Where `field` of the task whose object starts at byte `start` was written: the task's
    /// object is parsed again with the positional JSON parser and its relative position
    /// moved to the task's place.
    static func fieldLocation(in bytes: FileBytes, start: Int, taskStart: SourceLocation?, field: String) -> SourceLocation? {
        guard let taskStart, let end = objectEnd(bytes.buffer, from: start) else { return nil }
        let node: JSONNode? = try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes.buffer[start..<end]))
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

/// Where each task's object starts in a graph file, kept for the field locator.
final class TaskStarts: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt32>

    init(capacity: Int) { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }
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
