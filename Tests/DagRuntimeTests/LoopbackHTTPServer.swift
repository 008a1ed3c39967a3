@testable import DagRuntime
import Glibc
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 inside the test process: a plain socket, one
/// thread accepting and one thread per connection. Routes:
/// `/hello` 200 with a Content-Length body, `/chunked` 200 chunked, `/missing` 404,
/// `/redirect` 302 to `/hello`, `/loop` 302 to itself, `/hang` reads the request and never
/// answers (until the client goes away), `/partial` promises 100,000 bytes, sends 10 and
/// closes.
final class LoopbackHTTPServer: Sendable {
    let port: UInt16
    private let listener: Int32
    let requests = Atomic<Int>(0)

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                precondition(bind(fd, sa, length) == 0, "bind: \(errnoText())")
                precondition(getsockname(fd, sa, &length) == 0)
            }
        }
        port = UInt16(bigEndian: address.sin_port)
        precondition(listen(fd, 128) == 0)
        listener = fd
        _ = startThread(name: "test-http") { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { if errno == EINTR { continue }; return }
                requests.add(1, ordering: .relaxed)
                _ = startThread(name: "test-http-conn") { Self.serve(c) }
            }
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// A port on 127.0.0.1 where nothing listens.
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                _ = bind(fd, sa, length)
                _ = getsockname(fd, sa, &length)
            }
        }
        close(fd)
        return UInt16(bigEndian: address.sin_port)
    }

    private static func serve(_ c: Int32) {
        defer { close(c) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
            let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { return }
            request += buffer[0..<n]
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        func send(_ text: String) {
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(c, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
        }
        switch path {
        case "/hello":
            send("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nhello, dagrun")
        case "/chunked":
            send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n")
        case "/missing":
            send("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
        case "/redirect":
            send("HTTP/1.1 302 Found\r\nLocation: /hello\r\nContent-Length: 0\r\n\r\n")
        case "/loop":
            send("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n")
        case "/hang":
            // Never answer; return when the client gives up and closes its end.
            while buffer.withUnsafeMutableBytes({ recv(c, $0.baseAddress!, $0.count, 0) }) > 0 {}
        case "/partial":
            send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789")
        default:
            send("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        }
    }
}
