/// How a task runs beyond its op: on a worker thread or in a worker process, how long it
/// may take, how often it is tried again after failing, and how much memory it may use.
///
/// Declared per task in graph files (`"executor"`, `"timeout"`, `"retries"`,
/// `"max_memory"`) or with the builder; the defaults are a worker thread, no timeout,
/// no retry and no memory limit.
public struct TaskRunPolicy: Sendable, Hashable {
    /// Where a CPU task runs.
    public enum Executor: String, Sendable, Hashable, CaseIterable {
        /// A pinned worker thread of the scheduler's process (the fast default).
        case thread
        /// A pinned, long-lived child worker process: isolation from crashes, memory limits
        /// and process-wide library state, at the cost of a pipe round trip per task.
        case process
    }

    /// nil: the run's default (`--cpu-executor`, thread unless set).
    public var executor: Executor?
    /// Seconds after which the attempt is stopped and fails; nil: no limit.
    public var timeout: Double?
    /// How many times a failed attempt is tried again (0: once only).
    public var retries: Int
    /// Bytes of address space the task may use (enforced in a worker process); nil: no limit.
    public var maxMemory: Int?
    /// Cores the task's one large BLAS/LAPACK call may use: 1 (the default, its worker's
    /// core), a number, or ``allCores``. A task with more than one core runs alone: every
    /// other worker pauses while it runs (see `DagRuntime`'s core groups).
    public var cores: Int

    /// ``cores`` meaning every core of the run.
    public static let allCores = 0

    public init(executor: Executor? = nil, timeout: Double? = nil, retries: Int = 0, maxMemory: Int? = nil,
                cores: Int = 1) {
        self.executor = executor
        self.timeout = timeout
        self.retries = retries
        self.maxMemory = maxMemory
        self.cores = cores
    }

    public static let `default` = TaskRunPolicy()
    public var isDefault: Bool { self == .default }

    /// The largest `retries` accepted.
    public static let maxRetries = 100

    /// Parses a memory size: a whole number of bytes, or a number with a unit
    /// (`K`/`KiB`, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`, powers of 1024; `KB`, `MB`, `GB`, `TB`, powers of 1000).
    /// `"512M"`, `"1.5 GiB"`, `"2000000"` are accepted; nil for anything else.
    public static func parseBytes(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces
        var number = ""
        var rest = Substring(trimmed)
        while let c = rest.first, c.isNumber || c == "." {
            number.append(c)
            rest = rest.dropFirst()
        }
        guard let value = Double(number), value >= 0 else { return nil }
        let unit = String(rest).trimmingSpaces.lowercased()
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kib": scale = 1024
        case "m", "mib": scale = 1024 * 1024
        case "g", "gib": scale = 1024 * 1024 * 1024
        case "t", "tib": scale = 1024 * 1024 * 1024 * 1024
        case "kb": scale = 1e3
        case "mb": scale = 1e6
        case "gb": scale = 1e9
        case "tb": scale = 1e12
        default: return nil
        }
        let bytes = (value * scale).rounded()
        guard bytes < 9e18 else { return nil }
        return Int(bytes)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
