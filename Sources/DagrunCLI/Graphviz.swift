import DagrunKit
import Glibc

/// Writes a DOT drawing: as DOT text, or rendered by Graphviz's `dot` when the path ends
/// in .svg, .png or .pdf (written atomically: a temporary file renamed into place).
enum Drawing {
    static let renderedFormats = ["svg", "png", "pdf"]

    static func write(dot: String, to path: String, what: String) throws {
        let ext = path.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        guard renderedFormats.contains(ext), path.contains(".") else {
            try writeOutput(dot, to: path, what: what)
            return
        }
        let source = path + ".dagrun-\(getpid()).dot", rendered = path + ".dagrun-\(getpid()).\(ext)"
        defer { unlink(source); unlink(rendered) }
        try writeOutput(dot, to: source, what: what)
        guard isOnPath("dot") else {
            printError("error: cannot draw \(what) as .\(ext): Graphviz's `dot` is not installed "
                       + "(Debian: apt-get install graphviz); give a .dot path to write the DOT text instead")
            throw ExitWith(code: 2)
        }
        do {
            try ExternalCommand.run(argv: ["dot", "-T\(ext)", "-o", rendered, source], cwd: nil).check()
        } catch {
            printError("error: Graphviz's `dot` could not draw the \(what): \(error)")
            throw ExitWith(code: 2)
        }
        if rename(rendered, path) != 0 {
            printError("error: cannot write the \(what) to '\(path)': \(String(cString: strerror(errno)))")
            throw ExitWith(code: 2)
        }
    }

    /// Whether an executable `name` is in one of PATH's directories.
    static func isOnPath(_ name: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(name)", X_OK) == 0 }
    }
}
