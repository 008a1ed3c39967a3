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
            } catch {
                printError("error: \(error)")
                throw ExitWith.invalid
            }
        }
    }
}
