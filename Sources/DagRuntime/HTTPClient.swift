import Glibc

/// A plain-HTTP/1.1 GET over non-blocking sockets waited on by the ``Reactor``: no thread
/// is held while the server is slow. Name lookup (getaddrinfo, which blocks) runs on the
/// run's blocking pool. One request per connection (`Connection: close`); bodies by
/// `Content-Length`, chunked transfer coding or until the server closes. http:// only:
/// there is no TLS in this build.
enum HTTPClient {
    struct URL: CustomStringConvertible {
        var host: String
        var port: UInt16
        var target: String   // path and query, starting with "/"

        var description: String {
            let h = host.contains(":") ? "[\(host)]" : host
            return "http://\(h)\(port == 80 ? "" : ":\(port)")\(target)"
        }

        /// Parses an http:// URL; nil for anything else.
        init?(_ text: String) {
            guard text.lowercased().hasPrefix("http://") else { return nil }
            var rest = Substring(text.dropFirst(7))
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            target = rest[authorityEnd...].isEmpty ? "/" : String(rest[authorityEnd...])
            if target.hasPrefix("?") { target = "/" + target }
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            var portText: Substring = ""
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { return nil }
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                portText = authority[authority.index(after: colon)...]
            } else {
                host = String(authority)
            }
            guard !host.isEmpty else { return nil }
            if portText.isEmpty { port = 80 } else {
                guard let p = UInt16(portText), p > 0 else { return nil }
                port = p
            }
        }

        /// A redirect's `Location`, absolute or relative to this URL.
        func resolve(_ location: String) -> URL? {
            if location.lowercased().hasPrefix("http://") { return URL(location) }
            if location.contains("://") { return nil }
            var next = self
            if location.hasPrefix("//") { return URL("http:" + location) }
            if location.hasPrefix("/") {
                next.target = location
            } else {
                let path = target.prefix { $0 != "?" }
                let dir = path[...(path.lastIndex(of: "/") ?? path.startIndex)]
                next.target = String(dir) + location
            }
            return next
        }
    }

    struct Response {
        var status: Int
        var reason: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value
        }
    }

    /// GETs `text`, following up to `maxRedirects` redirects; throws unless the final status is 2xx.
    static func get(_ text: String, maxRedirects: Int, pool: IOExecutor) async throws -> Response {
        guard var url = URL(text) else { throw OpError("'\(text)' is not an http:// URL") }
        var redirects = 0
        while true {
            let response = try await fetch(url, pool: pool)
            switch response.status {
            case 200..<300:
                return response
            case 301, 302, 303, 307, 308:
                guard let location = response.header("location") else {
                    throw OpError("GET \(url): HTTP \(response.status) \(response.reason) without a Location header")
                }
                guard redirects < maxRedirects else {
                    throw OpError("GET \(text): more than \(maxRedirects) redirects (the last to \(location))")
                }
                guard let next = url.resolve(location) else {
                    throw OpError("GET \(url): redirected to '\(location)', which is not an http:// URL")
                }
                redirects += 1
                url = next
            default:
                let from = redirects > 0 ? " (redirected from \(text))" : ""
                throw OpError("GET \(url)\(from): HTTP \(response.status) \(response.reason)")
            }
        }
    }

    /// One request on a fresh connection.
    static func fetch(_ url: URL, pool: IOExecutor) async throws -> Response {
        let addresses = try await pool.run { () throws(OpError) -> [Address] in try lookup(url) }
        var lastError = "no address"
        for address in addresses {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw OpError("GET \(url): socket: \(errnoText())") }
            defer {
                Reactor.shared.forget(fd)
                close(fd)
            }
            let rc = address.bytes.withUnsafeBytes { raw in
                connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if rc != 0 {
                guard errno == EINPROGRESS else { lastError = errnoText(); continue }
                try await Reactor.shared.wait(fd, for: .write)
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
                if soError != 0 { lastError = errnoText(soError); continue }
            }
            return try await exchange(fd, url)
        }
        throw OpError("cannot connect to \(url): \(lastError)")
    }

    struct Address {
        var family: Int32
        var bytes: [UInt8]
    }

    static func lookup(_ url: URL) throws(OpError) -> [Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard rc == 0 else {
            throw OpError("cannot resolve host '\(url.host)' of \(url): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var out: [Address] = []
        var p = list
        while let a = p {
            let raw = UnsafeRawBufferPointer(start: a.pointee.ai_addr, count: Int(a.pointee.ai_addrlen))
            out.append(Address(family: a.pointee.ai_family, bytes: Array(raw)))
            p = a.pointee.ai_next
        }
        return out
    }

    static func exchange(_ fd: Int32, _ url: URL) async throws -> Response {
        let hostHeader = (url.host.contains(":") ? "[\(url.host)]" : url.host) + (url.port == 80 ? "" : ":\(url.port)")
        let request = Array("GET \(url.target) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: dagrun\r\nAccept: */*\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { try await Reactor.shared.wait(fd, for: .write); continue }
                throw OpError("GET \(url): sending the request: \(errnoText())")
            }
            sent += n
        }
        var buffer: [UInt8] = []
        var head: (status: Int, reason: String, headers: [(name: String, value: String)], bodyStart: Int)? = nil
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { try await Reactor.shared.wait(fd, for: .read); continue }
                throw OpError("GET \(url): reading the response: \(errnoText())")
            }
            let closed = n == 0
            buffer.append(contentsOf: chunk[0..<n])
            if head == nil {
                head = try parseHead(buffer, url)
                if head == nil {
                    if closed { throw OpError("GET \(url): the server closed the connection before a complete response header") }
                    continue
                }
            }
            let h = head!
            let response = Response(status: h.status, reason: h.reason, headers: h.headers, body: [])
            if let body = try body(of: response, buffer[h.bodyStart...], closed: closed, url) {
                var full = response
                full.body = body
                return full
            }
            if closed { throw OpError("GET \(url): the connection closed in the middle of the body") }
        }
    }

    /// The status line and headers once `buffer` holds them all (nil until then).
    static func parseHead(_ buffer: [UInt8], _ url: URL) throws(OpError) -> (Int, String, [(name: String, value: String)], Int)? {
        guard buffer.count >= 4 else { return nil }
        var end = -1
        for k in 0...(buffer.count - 4) where buffer[k] == 13 && buffer[k + 1] == 10 && buffer[k + 2] == 13 && buffer[k + 3] == 10 {
            end = k
            break
        }
        guard end >= 0 else {
            if buffer.count > 1 << 20 { throw OpError("GET \(url): response header larger than 1 MiB") }
            return nil
        }
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw OpError("GET \(url): not an HTTP/1.x response: '\(statusLine.prefix(80))'")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(" ")))
        }
        return (status, parts.count > 2 ? String(parts[2]) : "", headers, end + 4)
    }

    /// The whole body when `data` (what followed the header) holds it; nil while more must come.
    static func body(of response: Response, _ data: ArraySlice<UInt8>, closed: Bool, _ url: URL) throws(OpError) -> [UInt8]? {
        if response.status == 204 || response.status == 304 || (100..<200).contains(response.status) { return [] }
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            return try dechunk(data, url)
        }
        if let lengthText = response.header("content-length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw OpError("GET \(url): bad Content-Length '\(lengthText)'")
            }
            if data.count >= length { return Array(data.prefix(length)) }
            if closed {
                throw OpError("GET \(url): the connection closed after \(data.count) of \(length) body bytes")
            }
            return nil
        }
        return closed ? Array(data) : nil
    }

    /// Decodes a chunked body; nil until the last (empty) chunk has arrived.
    static func dechunk(_ data: ArraySlice<UInt8>, _ url: URL) throws(OpError) -> [UInt8]? {
        var out: [UInt8] = []
        var i = data.startIndex
        while true {
            guard let lineEnd = data[i...].firstIndex(of: 10) else { return nil }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self)
                .prefix { $0 != ";" && $0 != "\r" }.trimmingCharacters(" ")
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw OpError("GET \(url): bad chunk size '\(sizeText)'")
            }
            let start = lineEnd + 1
            if size == 0 { return out }
            guard data.endIndex - start >= size + 2 else { return nil }
            out.append(contentsOf: data[start..<(start + size)])
            i = start + size + 2
        }
    }
}

extension Substring {
    func trimmingCharacters(_ c: Character) -> String {
        String(drop { $0 == c }.reversed().drop { $0 == c }.reversed())
    }
}
