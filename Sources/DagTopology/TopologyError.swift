/// Why a topology could not be loaded, planned on, or used for binding.
///
/// `TopologyError` is the single error type of the DagTopology module. Its
/// ``description`` is one sentence a user can act on, for example:
///
/// ```
/// The synthetic topology "package:banana" was rejected by hwloc
/// (hwloc_topology_set_synthetic: Invalid argument); give each level as
/// type:count from the machine down to pu, for example "package:2 numa:2 core:8 pu:2".
/// ```
///
/// When the error comes from a C call, ``cFunction`` names the hwloc (or
/// libc) function and ``errno`` holds the `errno` it left, so callers can
/// react to a specific cause without parsing the text.
public struct TopologyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The broad cause, for callers that branch on it.
    public enum Reason: Sendable, Equatable {
        /// The synthetic description string was rejected by hwloc.
        case invalidSyntheticDescription
        /// hwloc could not initialize or discover the topology.
        case loadFailed
        /// Binding was asked of a topology that does not describe this machine.
        case bindingUnsupported
        /// The operating system refused the binding (or reading it back).
        case bindingFailed
        /// A core that does not belong to this topology was passed in.
        case foreignCore
        /// A worker count outside `1...cores.count`.
        case workerCountOutOfRange
    }

    /// The broad cause.
    public let reason: Reason
    /// One sentence saying what went wrong and what to do about it.
    public let description: String
    /// The C function that failed, such as `hwloc_set_cpubind`, if any.
    public let cFunction: String?
    /// The `errno` value the C function left, if any.
    public let errno: Int32?

    init(_ reason: Reason, _ description: String, cFunction: String? = nil, errno: Int32? = nil) {
        self.reason = reason
        self.description = description
        self.cFunction = cFunction
        self.errno = errno
    }
}

extension TopologyError {
    /// A synthetic description that works, quoted in messages.
    static let syntheticExample = "package:2 numa:2 core:8 pu:2"

    static func invalidSynthetic(_ text: String, _ failure: HwlocFailure) -> TopologyError {
        TopologyError(
            .invalidSyntheticDescription,
            "The synthetic topology \"\(text)\" was rejected by hwloc (\(failure)); "
                + "give each level as type:count from the machine down to pu, "
                + "for example \"\(syntheticExample)\".",
            cFunction: failure.function, errno: failure.code)
    }

    static func loadFailed(_ what: String, _ failure: HwlocFailure) -> TopologyError {
        TopologyError(
            .loadFailed,
            "hwloc could not load the \(what) topology (\(failure)); "
                + "check that hwloc works here by running `hwloc-ls`.",
            cFunction: failure.function, errno: failure.code)
    }

    static let syntheticBinding = TopologyError(
        .bindingUnsupported,
        "cannot bind on a synthetic topology; plan on it, bind with the host topology "
            + "(HardwareTopology.host()).")

    static let syntheticBindingQuery = TopologyError(
        .bindingUnsupported,
        "cannot read a thread's binding on a synthetic topology, where hwloc reports every PU; "
            + "ask the host topology (HardwareTopology.host()).")

    static func bindingFailed(_ cpus: [Int], _ failure: HwlocFailure) -> TopologyError {
        TopologyError(
            .bindingFailed,
            "Could not bind the calling thread to CPUs \(cpus) (\(failure)); "
                + "check that these CPUs are allowed for this process (taskset, cgroup cpuset).",
            cFunction: failure.function, errno: failure.code)
    }

    static func readBindingFailed(_ failure: HwlocFailure) -> TopologyError {
        TopologyError(
            .bindingFailed,
            "Could not read the calling thread's CPU binding (\(failure)); "
                + "binding queries need Linux and a host topology.",
            cFunction: failure.function, errno: failure.code)
    }

    static func foreignCore(_ core: Core, coreCount: Int) -> TopologyError {
        TopologyError(
            .foreignCore,
            "Core L#\(core.logicalIndex) (PUs \(core.puOSIndices)) is not a core of this topology, "
                + "which has \(coreCount) cores; pass a core taken from this topology's `cores`.")
    }

    static func workerCount(_ n: Int, coreCount: Int) -> TopologyError {
        TopologyError(
            .workerCountOutOfRange,
            "Cannot place \(n) workers: this topology has \(coreCount) "
                + (coreCount == 1 ? "core" : "cores")
                + "; ask for 1 to \(coreCount) workers.")
    }
}
