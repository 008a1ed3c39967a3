import DagCore
import DagKernels
import Glibc

/// How an op runs: synchronously (on a pinned CPU worker, or on an IO thread when its
/// class is `io`), or asynchronously on the IO executor (waits such as `sleep`).
public enum OpBody: Sendable {
    case sync(@Sendable (OpInput) throws -> TaskValue)
    case async(@Sendable (OpInput) async throws -> TaskValue)
}

/// A Swift closure given to ``GraphBuilder/task(_:id:inputs:class:file:line:_:)``.
struct ClosureBody: Sendable {
    let body: OpBody
}

/// Op implementations by name. ``standard`` implements every op of ``OpCatalogue/standard``;
/// ``reference`` is the same with `gemm`, `gemv`, `potrf` and `axpy` in plain Swift.
public struct OpLibrary: Sendable {
    public private(set) var bodies: [String: OpBody] = [:]

    public init() {}

    public mutating func register(_ name: String, _ body: OpBody) {
        bodies[name] = body
    }

    public subscript(name: String) -> OpBody? { bodies[name] }

    public static let standard: OpLibrary = {
        var lib = OpLibrary()
        lib.register("random", .sync { i in
            let dist = i.args.string("dist") ?? "uniform"
            guard let distribution = Distribution(rawValue: dist) else {
                throw OpError("dist is \"\(dist)\"; use \"uniform\" or \"normal\"")
            }
            return .matrix(Kernels.random(rows: i.args.int("rows"), cols: i.args.int("cols"),
                                          seed: UInt64(bitPattern: Int64(i.args.int("seed"))), distribution: distribution))
        })
        lib.register("zeros", .sync { i in .matrix(Kernels.zeros(rows: i.args.int("rows"), cols: i.args.int("cols"))) })
        lib.register("ones", .sync { i in .matrix(Kernels.ones(rows: i.args.int("rows"), cols: i.args.int("cols"))) })
        lib.register("eye", .sync { i in .matrix(Kernels.eye(i.args.int("n"))) })
        lib.registerLinearAlgebra(kernels: .openblas)
        lib.register("add", .sync { i in
            if case .scalar = i.input(0) {
                var total = 0.0
                for k in 0..<i.inputCount {
                    guard let v = i.input(k).scalar else { throw OpError("input '\(i.inputID(k))' is \(i.input(k)), not a scalar") }
                    total += v
                }
                return .scalar(total)
            }
            var acc = try i.matrix(0)
            for k in 1..<i.inputCount { acc = try Kernels.add(acc, try i.matrix(k)) }
            return .matrix(acc)
        })
        lib.register("scale", .sync { i in
            let alpha = i.args.double("alpha")
            if let v = i.input(0).scalar { return .scalar(alpha * v) }
            return .matrix(Kernels.scale(try i.matrix(0), by: alpha))
        })
        lib.register("sum", .sync { i in
            var total = 0.0
            for k in 0..<i.inputCount {
                switch i.input(k) {
                case .matrix(let m): total += Kernels.sum(m)
                case .scalar(let s): total += s
                case let v: throw OpError("input '\(i.inputID(k))' is \(v); sum needs matrices or scalars")
                }
            }
            return .scalar(total)
        })
        lib.register("noop", .sync { _ in .nothing })
        lib.register("fail", .sync(FailOp.run))
        lib.register("load_npy", .sync { i in
            let path = i.resolve(i.args.string("path")!)
            // With a timeout, read in chunks that check it; decode once read.
            guard let token = i.cancellation else { return .matrix(try NPY.read(path: path)) }
            return .matrix(try NPY.decode(try AtomicFile.read(path, cancellation: token), name: path))
        })
        lib.register("save_npy", .sync { i in
            try AtomicFile.write(NPY.encode(try i.matrix(0)), to: i.resolve(i.args.string("path")!), cancellation: i.cancellation)
            return .nothing
        })
        lib.register("read_text", .sync { i in
            .text(try AtomicFile.readText(i.resolve(i.args.string("path")!), cancellation: i.cancellation))
        })
        lib.register("write_text", .sync { i in
            let text: String
            switch i.inputCount == 0 ? nil : i.input(0) {
            case nil: text = i.args.string("text") ?? ""
            case .text(let s)?: text = s
            case .scalar(let v)?: text = "\(v)\n"
            case .matrix(let m)?: text = formatMatrix(m)
            case let other?: throw OpError("input '\(i.inputID(0))' is \(other); write_text needs text, a scalar or a matrix")
            }
            try AtomicFile.write(Array(text.utf8), to: i.resolve(i.args.string("path")!), cancellation: i.cancellation)
            return .nothing
        })
        lib.register("sleep", .async { i in
            try await Reactor.shared.sleep(seconds: i.args.double("seconds"))
            return .nothing
        })
        lib.register("exec", .sync { i in
            let cwd = i.args.string("cwd").map(i.resolve) ?? i.baseDirectory
            let result = try ExternalCommand.run(argv: i.args.strings("argv")!, cwd: cwd.isEmpty ? nil : cwd,
                                                 env: i.args.strings("env") ?? [], cancellation: i.cancellation)
            if let out = i.args.string("stdout") { try AtomicFile.write(result.stdout, to: i.resolve(out)) }
            if let err = i.args.string("stderr") { try AtomicFile.write(result.stderr, to: i.resolve(err)) }
            try result.check()
            return .text(String(decoding: result.stdout, as: UTF8.self))
        })
        registerIOOps(&lib)
        return lib
    }()
}

/// The `fail` debugging op: fails the way its `how` argument says, for testing retries,
/// isolation and failure handling. The crashing kinds run only in a worker process;
/// `allocate` and `spin` succeed (with a scalar) unless a memory limit or timeout stops them.
enum FailOp {
    @Sendable static func run(_ i: OpInput) throws -> TaskValue {
        let how = i.args.string("how") ?? "error"
        if case .int(let n)? = i.args["fail_attempts"], i.attempt > n { return .nothing }
        let inProcess = i.detached != nil
        if !inProcess && ["abort", "segfault", "exit"].contains(how) {
            throw OpError("fail how=\"\(how)\" would end dagrun itself: run it in a worker process (\"executor\": \"process\")")
        }
        switch how {
        case "abort":
            abort()
        case "segfault":
            UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = i.attempt
            throw OpError("segfault did not fault")
        case "exit":
            exit(Int32(truncatingIfNeeded: i.args.int("status")))
        case "allocate":
            let bytes = i.args.int("bytes")
            // Through Swift's allocator, as any Swift code would allocate.
            var block = [UInt8](repeating: 1, count: max(bytes, 0))
            block.withUnsafeMutableBytes { b in
                var k = 0
                while k < b.count { b[k] = UInt8(truncatingIfNeeded: k); k += 4096 }
            }
            return .scalar(Double(block[block.count / 2 &* (block.isEmpty ? 0 : 1)]))
        case "spin":
            let end = monotonicNanos() &+ UInt64(i.args.double("seconds") * 1e9)
            var x: UInt64 = 0
            while monotonicNanos() < end { x &+= 1 }
            return .scalar(Double(x))
        default:
            throw OpError("failed on purpose (attempt \(i.attempt))")
        }
    }
}

/// One row per line, values separated by spaces, each in its shortest exact (round-trip) form.
func formatMatrix(_ m: Matrix) -> String {
    var s = ""
    for r in 0..<m.rows {
        for c in 0..<m.cols {
            if c > 0 { s += " " }
            s += "\(m[r, c])"
        }
        s += "\n"
    }
    return s
}

extension GraphBuilder {
    /// Adds a task that runs a Swift closure on the task's input values.
    ///
    /// CPU closures run on a pinned worker thread; `class: .io` closures on an IO thread.
    /// A closure cannot run in a worker process: under `RunOptions.cpuExecutor = .process`
    /// give it `run: TaskRunPolicy(executor: .thread)` (retries apply as to any CPU task).
    @discardableResult
    public mutating func task(_ label: String, id: String? = nil, inputs: [TaskHandle] = [], class taskClass: TaskClass = .cpu,
                              run runPolicy: TaskRunPolicy = .default,
                              file: String = #fileID, line: Int = #line,
                              _ body: @escaping @Sendable ([TaskValue]) throws -> TaskValue) -> TaskHandle {
        addClosure(label: label, id: id, inputs: inputs, class: taskClass, run: runPolicy,
                   body: ClosureBody(body: .sync { try body($0.inputs) }), file: file, line: line)
    }

    /// Adds an IO task running a blocking Swift closure with a timeout and/or retries
    /// (`run`). The closure gets its ``OpInput``: `input.inputs` are the values, and a long
    /// closure should call `try input.checkCancelled()` now and then, which throws once
    /// the attempt's timeout has passed.
    @discardableResult
    public mutating func ioTask(_ label: String, id: String? = nil, inputs: [TaskHandle] = [], run runPolicy: TaskRunPolicy,
                                file: String = #fileID, line: Int = #line,
                                _ body: @escaping @Sendable (OpInput) throws -> TaskValue) -> TaskHandle {
        addClosure(label: label, id: id, inputs: inputs, class: .io, run: runPolicy,
                   body: ClosureBody(body: .sync(body)), file: file, line: line)
    }

    /// Adds an IO task that awaits (a download, a wait, a service call) without holding a core.
    /// With `run`, each attempt is cancelled at its timeout (the closure sees Swift task
    /// cancellation) and retried as the policy says.
    @discardableResult
    public mutating func asyncTask(_ label: String, id: String? = nil, inputs: [TaskHandle] = [],
                                   run runPolicy: TaskRunPolicy = .default,
                                   file: String = #fileID, line: Int = #line,
                                   _ body: @escaping @Sendable ([TaskValue]) async throws -> TaskValue) -> TaskHandle {
        addClosure(label: label, id: id, inputs: inputs, class: .io, run: runPolicy,
                   body: ClosureBody(body: .async { try await body($0.inputs) }), file: file, line: line)
    }
}
