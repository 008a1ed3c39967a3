import Foundation
import Testing

/// A run killed (SIGKILL) while an http_get to a path is receiving its body leaves the old
/// file untouched and no new or partial file beside it.
@Suite(.serialized) struct KilledRunTests {
    /// A server that sends the header and the first 1,000 of 1,000,000 promised bytes, then stalls.
    static let stallingServer = """
    import socket, sys, time
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
    open(sys.argv[2], "w").write(str(s.getsockname()[1]))
    while True:
        c, _ = s.accept()
        c.recv(65536)
        c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 1000000\\r\\n\\r\\n" + b"x" * 1000)
        open(sys.argv[1], "w").close()
        time.sleep(60)
    """

    @Test func killedDownloadLeavesTheOldFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dagrun-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "old".write(toFile: dir + "/out/page.txt", atomically: false, encoding: .utf8)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", Self.stallingServer, dir + "/served", dir + "/port"]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var portText = ""
        for _ in 0..<500 where portText.isEmpty {
            usleep(10_000)
            portText = (try? String(contentsOfFile: dir + "/port", encoding: .utf8)) ?? ""
        }
        let port = try #require(Int(portText), "the test server did not start")

        let graph = """
        {"version": 1, "tasks": [
          {"id": "get", "op": "http_get", "args": {"url": "http://127.0.0.1:\(port)/page", "path": "out/page.txt"}}
        ]}
        """
        try graph.write(toFile: dir + "/g.json", atomically: false, encoding: .utf8)
        let run = Process()
        run.executableURL = URL(fileURLWithPath: productsDirectory + "/dagrun")
        run.arguments = ["run", dir + "/g.json", "--quiet"]
        run.standardOutput = FileHandle.nullDevice
        run.standardError = FileHandle.nullDevice
        try run.run()
        // Kill dagrun once the server has sent part of the body.
        var served = false
        for _ in 0..<500 where !served {
            served = FileManager.default.fileExists(atPath: dir + "/served")
            if !served { usleep(10_000) }
        }
        #expect(served, "the server saw the request")
        usleep(100_000)
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(run.terminationReason == .uncaughtSignal)
        #expect(try String(contentsOfFile: dir + "/out/page.txt", encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out") == ["page.txt"],
                "no partial or temporary file")
    }
}
