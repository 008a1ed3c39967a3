import DagCore
import DagFormat
import DagKernels
@testable import DagRuntime
import Glibc
import Synchronization
import Testing

private func runWith(_ g: GraphBuilder, ioConcurrency: Int? = nil, baseDirectory: String = "",
                     keep: RunOptions.KeepResults = .all) throws -> RunReport {
    var options = RunOptions(workers: 2, baseDirectory: baseDirectory)
    options.keep = keep
    options.ioConcurrency = ioConcurrency
    return try Scheduler(topology: host).run(try g.build(), options: options)
}

private func causes(_ r: RunReport) -> [String: String] {
    Dictionary(uniqueKeysWithValues: r.failures.map { ($0.taskID, $0.cause) })
}

private func record(_ r: RunReport, _ id: String) -> ExecutionRecord {
    r.trace.records[Int(r.trace.graph.index(of: id)!)]
}

private func listing(_ dir: String) throws -> String {
    String(decoding: try ExternalCommand.run(argv: ["ls", "-A", dir], cwd: nil).stdout, as: UTF8.self)
}

private func elapsed(_ body: () throws -> Void) rethrows -> Double {
    let t0 = monotonicNanos()
    try body()
    return Double(monotonicNanos() - t0) * 1e-9
}

@Suite(.serialized) struct HTTPGetTests {
    static let server = LoopbackHTTPServer()

    @Test func getsTextBytesChunkedRedirectedAndIntoAFile() throws {
        let s = Self.server
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        var g = GraphBuilder()
        g.add("http_get", id: "text", args: ["url": .string(s.url("/hello"))])
        g.add("http_get", id: "bytes", args: ["url": .string(s.url("/hello")), "as": "bytes"])
        g.add("http_get", id: "chunked", args: ["url": .string(s.url("/chunked"))])
        g.add("http_get", id: "redirected", args: ["url": .string(s.url("/redirect"))])
        let saved = g.add("http_get", id: "saved", args: ["url": .string(s.url("/hello")), "path": "sub/hello.txt"])
        _ = g.readText("sub/hello.txt", after: [saved], id: "reread")
        let r = try runWith(g, baseDirectory: dir)
        #expect(r.succeeded, "\(r.failures)")
        #expect(r.results["text"]?.text == "hello, dagrun")
        #expect(r.results["bytes"]?.bytes == Array("hello, dagrun".utf8))
        #expect(r.results["chunked"]?.text == "abcdefg")
        #expect(r.results["redirected"]?.text == "hello, dagrun")
        #expect(r.results["reread"]?.text == "hello, dagrun")
        #expect(try listing(dir + "/sub") == "hello.txt\n", "no temporary file left behind")
    }

    @Test func non2xxFailsWithStatusAndURL() throws {
        let s = Self.server
        var g = GraphBuilder()
        g.add("http_get", id: "missing", args: ["url": .string(s.url("/missing"))])
        g.add("http_get", id: "loop", args: ["url": .string(s.url("/loop")), "max_redirects": 3])
        let r = try runWith(g)
        let c = causes(r)
        #expect(c["missing"] == "GET \(s.url("/missing")): HTTP 404 Not Found")
        #expect(c["loop"]?.contains("more than 3 redirects") == true, "\(c)")
        #expect(c["loop"]?.contains(s.url("/loop")) == true)
    }

    @Test func hangingServerTimesOut() throws {
        let s = Self.server
        var g = GraphBuilder()
        g.add("http_get", id: "hang", args: ["url": .string(s.url("/hang"))], run: TaskRunPolicy(timeout: 0.3))
        var r: RunReport!
        let t = try elapsed { r = try runWith(g) }
        #expect(causes(r)["hang"] == "timed out after 0.3 s")
        #expect(t >= 0.3 && t < 3, "the attempt stops at its timeout (\(t) s)")
        #expect(record(r, "hang").attempt == 1)
    }

    @Test func connectionRefusedIsRetriedThenNamesURLAndAttempts() throws {
        let url = "http://127.0.0.1:\(LoopbackHTTPServer.closedPort())/data"
        var g = GraphBuilder()
        g.add("http_get", id: "refused", args: ["url": .string(url)], run: TaskRunPolicy(retries: 2))
        var r: RunReport!
        let t = try elapsed { r = try runWith(g) }
        let cause = causes(r)["refused"] ?? ""
        #expect(cause == "cannot connect to \(url): Connection refused (gave up after 3 attempts)")
        #expect(record(r, "refused").attempt == 3)
        // Two backoff delays: at least 0.05 + 0.1 s (0.1 s and 0.2 s with jitter down to half).
        #expect(t >= 0.15, "retries wait between attempts (\(t) s)")
    }

    @Test func bodyCutShortLeavesTheOldFile() throws {
        let s = Self.server
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        try AtomicFile.write(Array("old".utf8), to: dir + "/out.bin")
        var g = GraphBuilder()
        g.add("http_get", id: "partial", args: ["url": .string(s.url("/partial")), "path": "out.bin"])
        g.add("http_get", id: "hang", args: ["url": .string(s.url("/hang")), "path": "new.bin"],
              run: TaskRunPolicy(timeout: 0.2))
        let r = try runWith(g, baseDirectory: dir)
        let c = causes(r)
        #expect(c["partial"] == "GET \(s.url("/partial")): the connection closed after 10 of 100000 body bytes")
        #expect(c["hang"] == "timed out after 0.2 s")
        #expect(try AtomicFile.readText(dir + "/out.bin") == "old")
        #expect(try listing(dir) == "out.bin\n", "neither a new file nor a temporary one")
    }

    @Test func urlParsing() {
        let u = HTTPClient.URL("http://example.org:8080/a/b?c=1#frag")!
        #expect(u.host == "example.org" && u.port == 8080 && u.target == "/a/b?c=1")
        #expect(HTTPClient.URL("http://[::1]/x")?.host == "::1")
        #expect(HTTPClient.URL("http://h")?.target == "/")
        #expect(HTTPClient.URL("https://h/") == nil)
        #expect(u.resolve("d")?.description == "http://example.org:8080/a/d")
        #expect(u.resolve("/e")?.description == "http://example.org:8080/e")
        #expect(u.resolve("http://other/f")?.description == "http://other/f")
    }

    @Test func httpsIsRejectedAtValidation() {
        var g = GraphBuilder()
        g.add("http_get", id: "tls", args: ["url": "https://example.org/"])
        #expect(throws: GraphValidationError.self) { try g.build() }
    }
}

@Suite(.serialized) struct CSVAndBytesTests {
    @Test func readsGoodCSVWithHeaderQuotesAndCRLF() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        try AtomicFile.write(Array("a,b,c\r\n1, 2.5 ,\"-3\"\r\n\r\n4e2,5,6\r\n".utf8), to: dir + "/m.csv")
        var g = GraphBuilder()
        let m = g.add("read_csv", id: "m", args: ["path": "m.csv", "header": true])
        let w = g.add("write_csv", id: "w", inputs: [m], args: ["path": "out.csv", "header": ["x", "y", "z"]])
        let back = g.add("read_csv", id: "back", inputs: [w], args: ["path": "out.csv", "header": true])
        _ = g.readText("out.csv", after: [w], id: "text")
        let semi = g.add("write_csv", id: "semi", inputs: [back], args: ["path": "semi.csv", "delimiter": ";"])
        g.add("read_csv", id: "semiBack", inputs: [semi], args: ["path": "semi.csv", "delimiter": ";"])
        let r = try runWith(g, baseDirectory: dir)
        #expect(r.succeeded, "\(r.failures)")
        let x = try #require(r.results["m"]?.matrix)
        #expect(x.rows == 2 && x.cols == 3)
        #expect((0..<6).map { x.baseAddress[$0] } == [1, 2.5, -3, 400, 5, 6])
        #expect(r.results["text"]?.text == "x,y,z\n1.0,2.5,-3.0\n400.0,5.0,6.0\n")
        let y = try #require(r.results["semiBack"]?.matrix)
        #expect((0..<6).map { y.baseAddress[$0] } == [1, 2.5, -3, 400, 5, 6])
    }

    @Test func badCSVNamesFileLineAndColumn() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        try AtomicFile.write(Array("1,2\n3,4\n5,abc\n".utf8), to: dir + "/bad.csv")
        try AtomicFile.write(Array("1,2\n3\n".utf8), to: dir + "/ragged.csv")
        try AtomicFile.write(Array("1,,2\n".utf8), to: dir + "/empty.csv")
        var g = GraphBuilder()
        g.add("read_csv", id: "bad", args: ["path": "bad.csv"])
        g.add("read_csv", id: "ragged", args: ["path": "ragged.csv"])
        g.add("read_csv", id: "empty", args: ["path": "empty.csv"])
        g.add("read_csv", id: "none", args: ["path": "none.csv"])
        let r = try runWith(g, baseDirectory: dir)
        let c = causes(r)
        #expect(c["bad"] == "'\(dir)/bad.csv' line 3, column 2: 'abc' is not a number")
        #expect(c["ragged"] == "'\(dir)/ragged.csv' line 2: 1 cell, but line 1 has 2 (every row needs the same number of cells)")
        #expect(c["empty"] == "'\(dir)/empty.csv' line 1, column 2: empty cell (expected a number)")
        #expect(c["none"]?.hasPrefix("cannot read '\(dir)/none.csv'") == true)
    }

    @Test func bytesRoundTripAtomically() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        let payload: [UInt8] = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try AtomicFile.write(payload, to: dir + "/in.bin")
        var g = GraphBuilder()
        let b = g.add("read_bytes", id: "b", args: ["path": "in.bin"])
        let w = g.add("write_bytes", id: "w", inputs: [b], args: ["path": "copy/out.bin"])
        g.add("read_bytes", id: "back", inputs: [w], args: ["path": "copy/out.bin"])
        let r = try runWith(g, baseDirectory: dir)
        #expect(r.succeeded, "\(r.failures)")
        #expect(r.results["back"]?.bytes == payload)
    }

    @Test func stoppedWriteLeavesTheOldFile() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        try AtomicFile.write(Array("old".utf8), to: dir + "/f.txt")
        let token = CancelToken()
        token.cancel(reason: "timed out after 1.0 s")
        #expect(throws: OpError.self) {
            try AtomicFile.write([UInt8](repeating: 65, count: 3 << 20), to: dir + "/f.txt", cancellation: token)
        }
        #expect(try AtomicFile.readText(dir + "/f.txt") == "old")
        #expect(try listing(dir) == "f.txt\n")
    }
}

@Suite(.serialized) struct ExecAndPolicyTests {
    @Test func execEnvCwdAndStatus() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        #expect(mkdir(dir + "/work", 0o755) == 0)
        var g = GraphBuilder()
        g.exec(["sh", "-c", "echo \"$DAGRUN_A-$DAGRUN_B\"; pwd"], cwd: "work", env: ["DAGRUN_A": "one", "DAGRUN_B": "x=y"], id: "env")
        g.exec(["sh", "-c", "echo \"${HOME:+home set}\""], env: ["DAGRUN_C": "1"], id: "inherits")
        g.exec(["sh", "-c", "echo some detail >&2; echo the real reason >&2; exit 3"], id: "status")
        g.exec(["true"], cwd: "nowhere", id: "badcwd")
        let r = try runWith(g, baseDirectory: dir)
        #expect(r.results["env"]?.text == "one-x=y\n\(dir)/work\n")
        #expect(r.results["inherits"]?.text == "home set\n")
        let c = causes(r)
        #expect(c["status"] == "command 'sh -c \"echo some detail >&2; echo the real reason >&2; exit 3\"' exited with status 3; stderr: some detail\nthe real reason")
        #expect(c["badcwd"]?.contains("working directory '\(dir)/nowhere' does not exist") == true)
    }

    @Test func envAsAnObjectInAGraphFile() throws {
        let json = """
        {"version": 1, "tasks": [
          {"id": "e", "op": "exec", "args": {"argv": ["sh", "-c", "echo $GREETING"], "env": {"GREETING": "hi there"}}},
          {"id": "l", "op": "exec", "args": {"argv": ["sh", "-c", "echo $A$B"], "env": ["A=1", "B=2"]}}
        ]}
        """
        let graph = try GraphFile.load(bytes: Array(json.utf8), file: "env.json")
        var options = RunOptions(workers: 1)
        options.keep = .all
        let r = try Scheduler(topology: host).run(graph, options: options)
        #expect(r.results["e"]?.text == "hi there\n")
        #expect(r.results["l"]?.text == "12\n")
        let bad = """
        {"version": 1, "tasks": [{"id": "e", "op": "exec", "args": {"argv": ["true"], "env": ["NOEQUALS"]}}]}
        """
        #expect(throws: GraphValidationError.self) { try GraphFile.load(bytes: Array(bad.utf8), file: "bad.json") }
    }

    @Test func execTimeoutKillsTheProcessGroup() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        var g = GraphBuilder()
        g.exec(["sh", "-c", "sleep 30 & echo $! > child.pid; wait"], id: "slow", run: TaskRunPolicy(timeout: 0.4))
        var r: RunReport!
        let t = try elapsed { r = try runWith(g, baseDirectory: dir) }
        #expect(t < 5, "killed at its timeout, not after 30 s (\(t) s)")
        #expect(causes(r)["slow"] == "timed out after 0.4 s")
        let pid = pid_t(try AtomicFile.readText(dir + "/child.pid").filter(\.isNumber))!
        // The shell's child (same process group) is gone too, or a zombie awaiting its reaper.
        var gone = false
        for _ in 0..<100 {
            let stat = (try? AtomicFile.readText("/proc/\(pid)/stat")) ?? ""
            if stat.isEmpty || stat.contains(") Z ") { gone = true; break }
            usleep(10_000)
        }
        #expect(gone, "the background 'sleep 30' was killed with its group")
    }

    @Test func retriesUntilSuccessRecordTheAttempt() throws {
        let dir = temporaryDirectory()
        defer { _ = try? ExternalCommand.run(argv: ["rm", "-rf", dir], cwd: nil) }
        var g = GraphBuilder()
        // Fails on the first two attempts, succeeds on the third.
        g.exec(["sh", "-c", "n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $n -ge 2 ] && echo ok"],
               id: "flaky", run: TaskRunPolicy(retries: 4))
        g.exec(["sh", "-c", "echo nope >&2; exit 1"], id: "never", run: TaskRunPolicy(retries: 1))
        g.add("sleep", id: "slow", args: ["seconds": 5.0], run: TaskRunPolicy(timeout: 0.1, retries: 1))
        let r = try runWith(g, baseDirectory: dir)
        #expect(r.results["flaky"]?.text == "ok\n")
        #expect(record(r, "flaky").attempt == 3)
        let c = causes(r)
        #expect(c["never"] == "command 'sh -c \"echo nope >&2; exit 1\"' exited with status 1; stderr: nope (gave up after 2 attempts)")
        #expect(record(r, "never").attempt == 2)
        #expect(c["slow"] == "timed out after 0.1 s (gave up after 2 attempts)")
        #expect(record(r, "slow").attempt == 2)
    }

    /// IO tasks keep the policies of CPU tasks out: an io task asking for a worker process
    /// or a memory limit is refused at validation.
    @Test func ioTasksRefuseCPUOnlyPolicies() throws {
        var g = GraphBuilder()
        g.add("sleep", id: "s", args: ["seconds": .double(0)], run: TaskRunPolicy(maxMemory: 1 << 30))
        #expect(throws: GraphValidationError.self) { try g.build() }
    }

    @Test func backoffDoublesAndIsCapped() {
        #expect(retryDelay(afterAttempt: 1, jitter: 1) == 0.1)
        #expect(retryDelay(afterAttempt: 3, jitter: 1) == 0.4)
        #expect(retryDelay(afterAttempt: 3, jitter: 0.5) == 0.2)
        #expect(retryDelay(afterAttempt: 40, jitter: 1) == 10)
    }
}

@Suite(.serialized) struct IOConcurrencyTests {
    final class InFlight: Sendable {
        let now = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        func enter() {
            let n = now.add(1, ordering: .sequentiallyConsistent).newValue
            var p = peak.load(ordering: .relaxed)
            while n > p {
                let (done, seen) = peak.compareExchange(expected: p, desired: n, ordering: .relaxed)
                if done { break }
                p = seen
            }
        }
        func leave() { now.subtract(1, ordering: .sequentiallyConsistent) }
    }

    @Test func noMoreThanNIOTasksInFlight() throws {
        let counter = InFlight()
        var g = GraphBuilder()
        for k in 0..<24 {
            g.task("blocking", id: "b\(k)", class: .io) { _ in
                counter.enter()
                defer { counter.leave() }
                usleep(15_000)
                return .nothing
            }
            g.asyncTask("waiting", id: "a\(k)") { _ in
                counter.enter()
                defer { counter.leave() }
                try await Task.sleep(nanoseconds: 15_000_000)
                return .nothing
            }
        }
        let r = try runWith(g, ioConcurrency: 4, keep: .none)
        #expect(r.succeeded, "\(r.failures)")
        #expect(counter.peak.load(ordering: .relaxed) == 4, "at most 4 at once, and the bound is reached")
        // Unbounded (the default here is far above 48), all of them overlap.
        let wide = InFlight()
        var h = GraphBuilder()
        for k in 0..<48 {
            h.asyncTask("waiting", id: "a\(k)") { _ in
                wide.enter()
                defer { wide.leave() }
                try await Task.sleep(nanoseconds: 100_000_000)
                return .nothing
            }
        }
        _ = try runWith(h, keep: .none)
        #expect(wide.peak.load(ordering: .relaxed) > 4)
    }

    @Test func tenThousandPendingSleepsUseFewThreads() throws {
        @Sendable func threads() -> Int {
            guard let d = opendir("/proc/self/task") else { return -1 }
            defer { closedir(d) }
            var n = 0
            while let e = readdir(d) { if e.pointee.d_name.0 != 46 { n += 1 } }   // skip "." and ".."
            return n
        }
        var g = GraphBuilder()
        for k in 0..<10_000 { g.sleep(seconds: 0.3, id: "s\(k)") }
        let peak = Atomic<Int>(threads())
        let stop = Atomic<Bool>(false)
        let sampler = startThread(name: "test-sampler") {
            while !stop.load(ordering: .relaxed) {
                let n = threads()
                if n > peak.load(ordering: .relaxed) { peak.store(n, ordering: .relaxed) }
                usleep(2_000)
            }
        }
        var r: RunReport!
        let t = try elapsed { r = try runWith(g, ioConcurrency: 10_000, keep: .none) }
        stop.store(true, ordering: .relaxed)
        pthread_join(sampler, nil)
        #expect(r.succeeded)
        #expect(peak.load(ordering: .relaxed) <= 64, "threads in the whole test process: \(peak.load(ordering: .relaxed))")
        #expect(t < 10, "all sleeps overlap (\(t) s)")
    }
}

@Suite(.serialized) struct ClosureTimeoutTests {
    @Test func blockingAndAsyncClosuresStopAtTheirTimeout() throws {
        let polls = Atomic<Int>(0)
        var g = GraphBuilder()
        g.ioTask("busy", id: "busy", run: TaskRunPolicy(timeout: 0.2)) { input in
            while true {
                try input.checkCancelled()
                polls.add(1, ordering: .relaxed)
                usleep(1_000)
            }
        }
        g.asyncTask("waits", id: "waits", run: TaskRunPolicy(timeout: 0.2, retries: 2)) { _ in
            try await Task.sleep(nanoseconds: 10_000_000_000)
            return .nothing
        }
        var r: RunReport!
        let t = try elapsed { r = try runWith(g) }
        let c = causes(r)
        #expect(c["busy"] == "timed out after 0.2 s")
        #expect(c["waits"] == "timed out after 0.2 s (gave up after 3 attempts)")
        #expect(record(r, "waits").attempt == 3)
        #expect(t < 3, "three attempts of 0.2 s and two short delays, not 10 s sleeps (\(t) s)")
        let before = polls.load(ordering: .relaxed)
        usleep(50_000)
        #expect(polls.load(ordering: .relaxed) == before, "the blocking closure stopped with its attempt")
    }
}
