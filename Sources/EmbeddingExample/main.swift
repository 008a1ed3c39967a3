import DagrunKit
import Foundation

// Build a graph in Swift: numeric ops from the catalogue and Swift closures, mixed.
var g = GraphBuilder(name: "embedding-example")
let a = g.random(rows: 512, cols: 256, seed: 1, id: "a")
let b = g.random(rows: 256, cols: 128, seed: 2, id: "b")
let c = g.gemm(a, b, id: "c")                          // cblas_dgemm on a pinned worker
let total = g.sum([c], id: "total")
let report = g.task("describe", id: "report", inputs: [c, total]) { inputs in
    guard let m = inputs[0].matrix, let s = inputs[1].scalar else { throw OpError("unexpected inputs") }
    return .text("c is \(m.rows)x\(m.cols), mean \(s / Double(m.count))")
}
g.writeText(report, to: "/tmp/dagrun-embedding-example.txt", id: "save")

do {
    let graph = try g.build()                          // validated: shapes, cycles, arguments
    let scheduler = Scheduler(topology: try HardwareTopology.host())
    var options = RunOptions(workers: 2)
    options.keep = .all
    let run = try scheduler.run(graph, options: options)
    guard run.succeeded else {
        for failure in run.failures { print("failed: \(failure)") }
        exit(1)
    }
    print(run.results["report"]?.text ?? "no report")
    print("critical path: \(graph.criticalPath.map { graph.ids[Int($0)] }.joined(separator: " -> "))")
    print("ran \(run.trace.records.count) tasks on \(run.trace.workers.count) pinned workers")
} catch let error as GraphValidationError {
    print(error)
    exit(2)
}
