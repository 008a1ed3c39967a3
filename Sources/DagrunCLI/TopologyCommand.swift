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

    func run() throws {
        let topo: HardwareTopology
        do {
            topo = try synthetic.map { s throws(TopologyError) in try HardwareTopology.synthetic(s) } ?? HardwareTopology.host()
        } catch {
            printError("error: \(error)")
            throw ExitWith.invalid
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
