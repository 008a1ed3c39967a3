import DagCore
import DagKernels
@testable import DagRuntime
import Glibc
import Testing

@Suite(.serialized) struct IOOpsTests {
    @Test func textAndNPYRoundTripThroughFiles() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        var g = GraphBuilder()
        let m = g.random(rows: 4, cols: 3, seed: 9, id: "m")
        let saved = g.saveNPY(m, to: "m.npy", id: "save")
        let loaded = g.loadNPY("m.npy", after: [saved], id: "load")
        let diff = g.add([loaded, g.scale(m, by: -1)], id: "diff")
        _ = g.sum([diff], id: "zero")
        let total = g.sum([m], id: "total")
        let written = g.writeText(total, to: "total.txt", id: "write")
        _ = g.readText("total.txt", after: [written], id: "read")
        let report = try run(g, keep: .all, baseDirectory: dir)
        #expect(report.succeeded, "\(report.failures)")
        #expect(report.results["zero"]?.scalar == 0)
        #expect(report.results["read"]?.text == "\(report.results["total"]!.scalar!)\n")
    }

    @Test func execCapturesOutputAndChecksStatus() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        var g = GraphBuilder()
        let e = g.exec(["sh", "-c", "echo out; echo err >&2"], stdout: "o.txt", stderr: "e.txt", id: "ok")
        _ = g.readText("e.txt", after: [e], id: "err")
        _ = g.exec(["sh", "-c", "echo bad news >&2; exit 4"], id: "fails")
        _ = g.exec(["no-such-program-dagrun"], id: "missing")
        let report = try run(g, keep: .all, baseDirectory: dir)
        #expect(report.results["ok"]?.text == "out\n")
        #expect(report.results["err"]?.text == "err\n")
        let causes = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.taskID, $0.cause) })
        #expect(causes["fails"]?.contains("exited with status 4") == true)
        #expect(causes["fails"]?.contains("bad news") == true)
        #expect(causes["missing"]?.contains("No such file or directory") == true)
    }

    @Test func failedWriteLeavesNoPartialFile() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        try AtomicFile.write(Array("old".utf8), to: dir + "/keep.txt")
        // The target is a directory: the rename fails, the temporary file is removed.
        #expect(mkdir(dir + "/target", 0o755) == 0)
        #expect(throws: OpError.self) { try AtomicFile.write(Array("new".utf8), to: dir + "/target") }
        let listing = try ExternalCommand.run(argv: ["ls", "-A", dir], cwd: nil)
        #expect(String(decoding: listing.stdout, as: UTF8.self) == "keep.txt\ntarget\n", "no temporary file left behind")
        #expect(try AtomicFile.readText(dir + "/keep.txt") == "old")
        // A file where a parent directory should be: a clear error, nothing written.
        #expect(throws: OpError.self) { try AtomicFile.write([1], to: dir + "/keep.txt/x") }
        // Missing parent directories are created.
        try AtomicFile.write([65], to: dir + "/new/sub/x")
        #expect(try AtomicFile.readText(dir + "/new/sub/x") == "A")
    }

    @Test func missingInputFileNamesThePath() throws {
        var g = GraphBuilder()
        let l = g.loadNPY("/nonexistent/dagrun/x.npy", id: "load")
        _ = g.sum([l], id: "total")
        let report = try run(g)
        #expect(report.failures.count == 1)
        #expect(report.failures[0].description.contains("/nonexistent/dagrun/x.npy"))
        #expect(report.count(.cancelled) == 1)
    }
}
