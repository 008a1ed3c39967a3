// Helpers shared by the tests: reading the kernel's own view of the CPUs,
// and running code on a thread of its own.

import Foundation

/// What Linux says about CPUs, read from sysfs, to check hwloc against.
enum Sysfs {
    /// CPUs the kernel has online (`/sys/devices/system/cpu/online`).
    static func onlineCPUs() throws -> [Int] {
        try parseCPUList(read("/sys/devices/system/cpu/online"))
    }

    /// Number of physical cores among the online CPUs: distinct sets of
    /// hardware-thread siblings (`topology/core_cpus_list`, or the older
    /// `thread_siblings_list`).
    static func onlineCoreCount() throws -> Int {
        var siblingSets = Set<[Int]>()
        for cpu in try onlineCPUs() {
            let base = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            let list = try (try? read(base + "core_cpus_list")) ?? read(base + "thread_siblings_list")
            siblingSets.insert(try parseCPUList(list))
        }
        return siblingSets.count
    }

    /// Parses the kernel's CPU list format, e.g. `"0-3,8,10-11"`.
    static func parseCPUList(_ text: String) throws -> [Int] {
        var cpus: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            switch bounds.count {
            case 1:
                guard let cpu = bounds[0] else { throw SysfsError(text: text) }
                cpus.append(cpu)
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { throw SysfsError(text: text) }
                cpus.append(contentsOf: low...high)
            default:
                throw SysfsError(text: text)
            }
        }
        return cpus
    }

    private static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct SysfsError: Error { let text: String }
}

/// Runs `body` on a new Foundation `Thread` and returns its result, so a
/// test can bind that thread without pinning one of the test runner's
/// shared threads.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: body())
        }
        thread.start()
    }
}
