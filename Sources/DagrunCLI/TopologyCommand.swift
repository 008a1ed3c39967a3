import ArgumentParser
import DagrunKit

struct Topology: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the machine as hwloc sees it: packages, NUMA nodes, caches, cores, PUs; and where workers would go.")

    @Option(help: "Use a synthetic hwloc topology instead of this machine, e.g. \"package:2 numa:2 core:8 pu:2\".")
    var synthetic: String?

    @Option(help: "Also show which cores N workers would be pinned to.")
    var workers: Int?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Print the tree as Graphviz DOT instead of text.")
    var dot = false

    @Option(help: "With --dot: shade each core by its busy share in the run saved in this trace (`dagrun run --trace`).")
    var load: String?

    @Option(name: [.short, .customLong("output")], help: "With --dot: write to this file (.svg, .png or .pdf: drawn by Graphviz's dot).")
    var output: String?

    func validate() throws {
        if json && dot { throw ValidationError("choose one of --json and --dot") }
        if (load != nil || output != nil) && !dot { throw ValidationError("--load and --output go with --dot") }
    }

    func run() throws {
        let topo: HardwareTopology
        do {
            topo = try synthetic.map { s throws(TopologyError) in try HardwareTopology.synthetic(s) } ?? HardwareTopology.host()
        } catch {
            printError("error: \(error)")
            throw ExitWith.invalid
        }
        if dot {
            var shares: [Int: Double] = [:]
            var title: String? = nil
            if let load {
                let trace = try readTrace(load)
                let busy = trace.busyNanosPerWorker
                for w in trace.workers where trace.makespanNanos > 0 {
                    shares[w.coreLogicalIndex, default: 0] += Double(busy[w.index]) / Double(trace.makespanNanos)
                }
                title = "busy share of each core in \(load) (makespan \(formatDuration(nanos: trace.makespanNanos)))"
            }
            let text = topo.dot(load: shares, title: title)
            if let output { try Drawing.write(dot: text, to: output, what: "topology drawing") } else { print(text, terminator: "") }
            return
        }
        if json { print(topo.summaryJSON()) } else { print(topo.describe(), terminator: topo.describe().hasSuffix("\n") ? "" : "\n") }
        if let workers {
            do {
                let cores = try topo.cores(forWorkers: workers)
                print("\(workers) worker\(workers == 1 ? "" : "s") pinned to: "
                      + cores.enumerated().map { "w\($0.offset)=core \($0.element.logicalIndex) (cpu \($0.element.osIndex))" }.joined(separator: ", "))
                if workers > 1 {
                    print("steal order (nearest first; L2, L3, NUMA node, package, machine):")
                    let tierName = ["L2", "L3", "NUMA", "package", "machine"]
                    for (w, victims) in VictimOrder.tiers(cores: cores).enumerated() {
                        let shown = victims.prefix(12).map { "w\($0.worker) (\(tierName[min($0.tier, 4)]))" }
                        print("  w\(w): " + shown.joined(separator: ", ") + (victims.count > 12 ? ", ..." : ""))
                    }
                }
            } catch {
                printError("error: \(error)")
                throw ExitWith.invalid
            }
        }
    }
}
