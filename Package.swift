// swift-tools-version: 6.0
// dagrun: a parallel task-graph scheduler. Dependencies point one way:
//   DagCore  <-  DagFormat (+ DagJSON)
//   DagCore  <-  DagRuntime (+ DagTopology, DagKernels);  DagCore  <-  DagRender;  DagGen alone
//   all of them  <-  DagrunKit (umbrella)  <-  dagrun (CLI)
// C stays in the system-library targets CHwloc and COpenBLAS.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "dagrun",
    products: [
        .executable(name: "dagrun", targets: ["DagrunCLI"]),
        .executable(name: "dagrun-kernel-bench", targets: ["KernelBench"]),
        .executable(name: "dagrun-la-bench", targets: ["LinearAlgebraBench"]),
        .library(name: "DagrunKit", targets: ["DagrunKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C system libraries, each with a small shim header.
        .target(name: "CHwloc", cSettings: [.define("_GNU_SOURCE")], linkerSettings: [.linkedLibrary("hwloc")]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // GNU extensions the runtime needs (thread names, spawn with chdir, mkostemp).
        .target(name: "CDagSystem", cSettings: [.define("_GNU_SOURCE")]),

        // Core graph model: tasks, builder, validation, static order, critical path. No dependencies.
        .target(name: "DagCore", swiftSettings: strict),
        // A focused JSON byte scanner that keeps line:column of every value.
        .target(name: "DagJSON", swiftSettings: strict),
        // Graph file format v1 (JSON) and its positioned errors.
        .target(name: "DagFormat", dependencies: ["DagCore", "DagJSON", "CDagSystem"], swiftSettings: strict),
        // Machine topology over hwloc; the only importer of CHwloc.
        .target(name: "DagTopology", dependencies: ["CHwloc"], swiftSettings: strict),
        // Matrices, OpenBLAS ops, reference kernels, .npy files; the only importer of COpenBLAS.
        .target(name: "DagKernels", dependencies: ["COpenBLAS"], swiftSettings: strict),
        // Scheduler: pinned workers, ready queue in static priority order, async IO executor, op implementations.
        .target(name: "DagRuntime", dependencies: ["DagCore", "DagTopology", "DagKernels", "CDagSystem",
                                                  .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // Graph generators for benchmarks and tests (`dagrun gen`); streams JSON, no dependencies.
        .target(name: "DagGen", swiftSettings: strict),
        // DOT (plan and executed schedule) and Chrome trace-event JSON.
        .target(name: "DagRender", dependencies: ["DagCore", "DagJSON"], swiftSettings: strict),
        // Umbrella library for embedding.
        .target(name: "DagrunKit", dependencies: ["DagCore", "DagFormat", "DagTopology", "DagKernels", "DagRuntime", "DagRender", "DagGen"],
                swiftSettings: strict),
        // The CLI, thin over DagrunKit.
        .executableTarget(name: "DagrunCLI", dependencies: [
            "DagrunKit", "CDagSystem", .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // GFLOP/s of the naive and blocked Swift kernels beside OpenBLAS (Benchmarks/run-kernels).
        .executableTarget(name: "KernelBench", dependencies: ["DagKernels"], swiftSettings: strict),
        // dagrun's tiled matmul and Cholesky built with the library on input tiles already in memory,
        // as the peers get theirs (Benchmarks/run-linear-algebra).
        .executableTarget(name: "LinearAlgebraBench", dependencies: ["DagrunKit"], swiftSettings: strict),

        // The README's embedding example, compiled and run by the end-to-end tests.
        .executableTarget(name: "EmbeddingExample", dependencies: ["DagrunKit"], swiftSettings: strict),

        .testTarget(name: "DagCoreTests", dependencies: ["DagCore"], swiftSettings: strict),
        .testTarget(name: "DagJSONTests", dependencies: ["DagJSON"], swiftSettings: strict),
        .testTarget(name: "DagFormatTests", dependencies: ["DagFormat"], swiftSettings: strict),
        .testTarget(name: "DagTopologyTests", dependencies: ["DagTopology"], swiftSettings: strict),
        .testTarget(name: "DagKernelsTests", dependencies: ["DagKernels"], swiftSettings: strict),
        .testTarget(name: "DagRuntimeTests", dependencies: ["DagRuntime", "DagFormat", "DagGen"], swiftSettings: strict),
        .testTarget(name: "DagGenTests", dependencies: ["DagGen", "DagFormat"], swiftSettings: strict),
        .testTarget(name: "DagRenderTests", dependencies: ["DagRender", "DagRuntime"], swiftSettings: strict),
        // Depends on the executables so that `swift test` builds them; the tests run the binaries.
        .testTarget(name: "DagrunEndToEndTests", dependencies: ["DagrunKit", "DagrunCLI", "EmbeddingExample", "LinearAlgebraBench"],
                    swiftSettings: strict),
    ]
)
