// dagrun-kernel-bench: GFLOP/s of the textbook Swift loops, the blocked Swift
// kernels and OpenBLAS for gemm, gemv, potrf and axpy, on one thread, as
// dagrun's workers run them. Writes kernels.md and kernels.json.
//
//     dagrun-kernel-bench [--out DIR] [--quick] [--command "how it was run"]
//
// Each sample times a batch of calls lasting about 50 ms (one call when a
// call takes longer); a figure is the median of the samples.
// Every call allocates and zero-fills its result, as the ops do. Results of
// the three implementations are compared before anything is timed.
import DagKernels
import Foundation

struct Options {
    var outputDirectory = "notebooks-output/benchmarks"
    var quick = false
    var command = "Benchmarks/run-kernels"

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--out": outputDirectory = rest.popFirst() ?? outputDirectory
            case "--quick": quick = true
            case "--command": command = rest.popFirst() ?? command
            default:
                FileHandle.standardError.write(Data("unknown argument '\(argument)'; use --out DIR, --quick, --command TEXT\n".utf8))
                exit(2)
            }
        }
    }
}

enum Implementation: String, CaseIterable {
    case naive, blocked, openblas

    var title: String {
        switch self {
        case .naive: "naive Swift"
        case .blocked: "blocked Swift"
        case .openblas: "OpenBLAS"
        }
    }
}

/// One kernel at one size: how many flops a call does and how to call it.
struct Case {
    let kernel: String
    let size: Int
    let sizeLabel: String
    let flops: Double
    /// Whether an implementation runs at this size (the naive loops stop early, to keep the run short).
    let runs: (Implementation) -> Bool
    let call: (Implementation) throws -> Matrix
}

struct Measurement: Codable {
    let kernel: String
    let size: Int
    let implementation: String
    let gflops: Double
    let secondsPerCall: Double
    let callsPerSample: Int
    let samples: [Double]
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Every call allocates its result; by default glibc maps each large block afresh and unmaps it
/// on free, so a call on 4M elements would mostly time page faults. `mallopt` (from <malloc.h>,
/// which the Glibc module does not import) raises the mmap and trim thresholds to 1 GiB:
/// freed matrices stay in the heap and are reused. M_TRIM_THRESHOLD is -1, M_MMAP_THRESHOLD -3.
func keepFreedMemoryInTheHeap() {
    typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
    _ = mallopt(-1, 1 << 30)
    _ = mallopt(-3, 1 << 30)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Seconds per call: samples of `batch` calls each, batch sized so a sample takes ~50 ms.
func measure(samples: Int, _ body: () throws -> Matrix) rethrows -> (perCall: [Double], batch: Int) {
    var t0 = now()
    _ = try body()  // warm-up: page faults, OpenBLAS kernel selection
    let once = max(now() - t0, 1e-7)
    let batch = max(1, Int(0.05 / once))
    var perCall: [Double] = []
    for _ in 0..<samples {
        t0 = now()
        for _ in 0..<batch { _ = try body() }
        perCall.append((now() - t0) / Double(batch))
    }
    return (perCall, batch)
}

func format(_ x: Double) -> String {
    x >= 100 ? String(format: "%.0f", x) : x >= 10 ? String(format: "%.1f", x) : String(format: "%.2f", x)
}

func machineDescription() -> [String: String] {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    func field(_ name: String) -> String? {
        cpuinfo.split(separator: "\n").first { $0.hasPrefix(name) }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
    }
    var uts = utsname()
    uname(&uts)
    let kernel = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let flags = field("flags") ?? ""
    let simd = ["avx512f", "avx2", "fma", "avx", "sse4_2"].filter { flags.split(separator: " ").contains(Substring($0)) }
    return [
        "cpu_model": field("model name") ?? "unknown",
        "logical_cpus": String(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
        "cores_per_package": field("cpu cores") ?? "unknown",
        "cpu_mhz": field("cpu MHz") ?? "unknown",
        "cache_size": field("cache size") ?? "unknown",
        "simd_flags": simd.joined(separator: " "),
        "linux": kernel,
        "openblas": BLAS.configuration,
        "load_average": ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unknown")
            .split(separator: " ").prefix(3).joined(separator: " "),
        "blas_threads": String(BLAS.threadCount),
    ]
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
BLAS.useSingleThread()
keepFreedMemoryInTheHeap()

var cases: [Case] = []
let gemmSizes = options.quick ? [64, 256] : [64, 256, 512, 1024, 2048]
for n in gemmSizes {
    let a = Kernels.random(rows: n, cols: n, seed: 1), b = Kernels.random(rows: n, cols: n, seed: 2)
    cases.append(Case(
        kernel: "gemm", size: n, sizeLabel: "n = \(n)", flops: 2 * pow(Double(n), 3),
        runs: { $0 != .naive || n <= 1024 },
        call: { impl in
            switch impl {
            case .openblas: try Kernels.gemm(a, b)
            case .naive: try ReferenceKernels.gemm(a, b, variant: .naive)
            case .blocked: try ReferenceKernels.gemm(a, b, variant: .blocked)
            }
        }))
}
let gemvSizes = options.quick ? [64, 256] : [64, 256, 1024, 2048, 4096]
for n in gemvSizes {
    let a = Kernels.random(rows: n, cols: n, seed: 3), x = Kernels.random(rows: n, cols: 1, seed: 4)
    cases.append(Case(
        kernel: "gemv", size: n, sizeLabel: "n = \(n)", flops: 2 * Double(n) * Double(n), runs: { _ in true },
        call: { impl in
            switch impl {
            case .openblas: try Kernels.gemv(a, x)
            case .naive: try ReferenceKernels.gemv(a, x, variant: .naive)
            case .blocked: try ReferenceKernels.gemv(a, x, variant: .blocked)
            }
        }))
}
let potrfSizes = options.quick ? [64, 256] : [64, 256, 1024, 2048]
for n in potrfSizes {
    let a = try Kernels.spd(n: n, seed: 5)
    cases.append(Case(
        kernel: "potrf", size: n, sizeLabel: "n = \(n)", flops: pow(Double(n), 3) / 3,
        runs: { _ in true },
        call: { impl in
            switch impl {
            case .openblas: try Kernels.potrf(a)
            case .naive: try ReferenceKernels.potrf(a, variant: .naive)
            case .blocked: try ReferenceKernels.potrf(a, variant: .blocked)
            }
        }))
}
let axpySizes = options.quick ? [4096, 65_536] : [4096, 65_536, 1 << 20, 1 << 22]
for count in axpySizes {
    let x = Kernels.random(rows: count, cols: 1, seed: 6), y = Kernels.random(rows: count, cols: 1, seed: 7)
    cases.append(Case(
        kernel: "axpy", size: count, sizeLabel: "\(count) elements", flops: 2 * Double(count), runs: { _ in true },
        call: { impl in
            switch impl {
            case .openblas: try Kernels.axpy(1.5, x, y)
            case .naive: try ReferenceKernels.axpy(1.5, x, y, variant: .naive)
            case .blocked: try ReferenceKernels.axpy(1.5, x, y, variant: .blocked)
            }
        }))
}

let machine = machineDescription()  // before the run: the load average is the one it started under
let started = now()
var measurements: [Measurement] = []
for c in cases {
    // Same results up to rounding before anything is timed.
    let reference = try c.call(.openblas)
    let scale = reference.toArray().reduce(1.0) { max($0, abs($1)) }
    for impl in Implementation.allCases where impl != .openblas && c.runs(impl) {
        let error = try Kernels.maxAbsDifference(try c.call(impl), reference) / scale
        guard error < 1e-9 else {
            FileHandle.standardError.write(Data("\(c.kernel) \(c.sizeLabel): \(impl.rawValue) differs from OpenBLAS by \(error)\n".utf8))
            exit(1)
        }
    }
    for impl in Implementation.allCases where c.runs(impl) {
        let (perCall, batch) = try measure(samples: options.quick ? 3 : 5) { try c.call(impl) }
        let seconds = median(perCall)
        let m = Measurement(kernel: c.kernel, size: c.size, implementation: impl.rawValue, gflops: c.flops / seconds / 1e9,
                            secondsPerCall: seconds, callsPerSample: batch, samples: perCall)
        measurements.append(m)
        print("\(c.kernel) \(c.sizeLabel) \(impl.title): \(format(m.gflops)) GFLOP/s (\(String(format: "%.3g", seconds)) s per call, \(batch) per sample)")
    }
}
let elapsed = now() - started

// MARK: Report

var md = "# Kernel throughput: naive Swift, blocked Swift, OpenBLAS\n\n"
md += "GFLOP/s on one thread (OpenBLAS with `openblas_set_num_threads(1)`, as dagrun's workers call it), "
md += "medians of \(options.quick ? 3 : 5) samples; each sample repeats the call until it takes about 50 ms. "
md += "Each call allocates and zero-fills its result and, for `potrf`, copies its input, as the ops do "
md += "(freed memory is kept in the heap, so large results do not page-fault afresh on every call). "
md += "Square matrices of random values (`potrf`: an `spd` matrix); `axpy` on vectors. "
md += "Blank: not run at that size (the naive loop would take too long).\n\n"
md += "Machine: \(machine["cpu_model"]!), \(machine["logical_cpus"]!) logical CPUs (\(machine["cores_per_package"]!) cores per package), cache size \(machine["cache_size"]!) (per /proc/cpuinfo), "
md += "SIMD: \(machine["simd_flags"]!) (Swift code is compiled for the x86-64 baseline, SSE2). "
md += "Linux \(machine["linux"]!). \(machine["openblas"]!). "
md += "Load average when the run started (1, 5, 15 min): \(machine["load_average"]!); the machine is shared, "
md += "so figures move by tens of percent between runs: read the ratios.\n\n"
md += "Reproduce: `\(options.command)` (this run took \(Int(elapsed.rounded())) s).\n\n"
md += "| kernel | size | naive Swift | blocked Swift | OpenBLAS | blocked ÷ naive | OpenBLAS ÷ blocked |\n"
md += "|---|---|---|---|---|---|---|\n"
for c in cases {
    func value(_ impl: Implementation) -> Double? {
        measurements.first { $0.kernel == c.kernel && $0.size == c.size && $0.implementation == impl.rawValue }?.gflops
    }
    let cells = Implementation.allCases.map { value($0).map(format) ?? "" }
    let speedup = value(.naive).flatMap { n in value(.blocked).map { format($0 / n) + "×" } } ?? ""
    let gap = value(.blocked).flatMap { b in value(.openblas).map { format($0 / b) + "×" } } ?? ""
    md += "| `\(c.kernel)` | \(c.sizeLabel) | \(cells.joined(separator: " | ")) | \(speedup) | \(gap) |\n"
}
md += "\nFlops counted: gemm 2n³, gemv 2n², potrf n³/3, axpy 2·count.\n"

struct Report: Codable {
    let machine: [String: String]
    let command: String
    let seconds: Double
    let results: [Measurement]
}
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
let json = try encoder.encode(Report(machine: machine, command: options.command, seconds: elapsed, results: measurements))
try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
try Data(md.utf8).write(to: URL(fileURLWithPath: options.outputDirectory + "/kernels.md"), options: .atomic)
try (json + Data("\n".utf8)).write(to: URL(fileURLWithPath: options.outputDirectory + "/kernels.json"), options: .atomic)
print("wrote \(options.outputDirectory)/kernels.md and kernels.json in \(Int(elapsed.rounded())) s")
