@testable import DiscordKit
import CurlHTTP
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 for testing the real libcurl client: one connection at
/// a time, `Connection: close`, canned answers chosen by path.
final class DKLoopbackServer: Sendable {
    struct Received: Sendable {
        let head: String
        let body: [UInt8]
        var requestLine: String { String(head.prefix { $0 != "\r\n" && $0 != "\r" }) }
        func header(_ name: String) -> String? {
            for line in head.components(separatedBy: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    let port: UInt16
    private let listener: Int32
    private let received = Mutex<[Received]>([])
    private let stopped = Mutex(false)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var requests: [Received] { received.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while !stopped.withLock({ $0 }) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        var contentLength = 0
        while true {
            if let end = headEnd, data.count >= end + contentLength { break }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            data += buffer[0..<count]
            if headEnd == nil, let range = findHeadEnd(data) {
                headEnd = range
                let head = String(decoding: data[0..<range], as: UTF8.self)
                contentLength = Received(head: head, body: []).header("Content-Length").flatMap { Int($0) } ?? 0
            }
        }
        let end = headEnd!
        let request = Received(head: String(decoding: data[0..<end], as: UTF8.self), body: Array(data[end..<(end + contentLength)]))
        received.withLock { $0.append(request) }
        write(connection, answer(request))
    }

    private func findHeadEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10
        {
            return index + 4
        }
        return nil
    }

    private func answer(_ request: Received) -> [UInt8] {
        let target = request.requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        switch target {
        case "/hello":
            return response(
                "200 OK", ["Content-Type: text/plain", "x-ratelimit-bucket: abc123", "Set-Cookie: a=1", "Set-Cookie: b=2"], "hello")
        case "/echo":
            let echoed =
                "\(request.requestLine)|\(request.header("Content-Type") ?? "-")|\(request.header("User-Agent") ?? "-")|"
                + String(decoding: request.body, as: UTF8.self)
            return response("201 Created", ["Content-Type: text/plain"], echoed)
        case "/redirect":
            return response("302 Found", ["Location: /hello"], "")
        case "/missing":
            return response("404 Not Found", ["Content-Type: application/json"], #"{"message":"404: Not Found","code":0}"#)
        case "/big":
            return response("200 OK", [], String(repeating: "x", count: 5000))
        case "/slow":
            usleep(1_500_000)
            return response("200 OK", [], "late")
        default:
            return response("500 Internal Server Error", [], "unexpected")
        }
    }

    private func response(_ status: String, _ headers: [String], _ body: String) -> [UInt8] {
        let head = (["HTTP/1.1 \(status)", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers).joined(separator: "\r\n")
        return Array((head + "\r\n\r\n" + body).utf8)
    }

    private func write(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            #if os(Linux)
                let flags = Int32(MSG_NOSIGNAL)
            #else
                let flags: Int32 = 0
            #endif
            let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, flags) }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}

extension DiscordKitTests {
    @Suite struct HTTPClientTests {
        /// One walk through real libcurl against a real socket: status, headers, body, methods, redirects,
        /// the size limit, a timeout and a refused connection.
        @Test func realCurlAgainstALoopbackServer() throws {
            let server = try DKLoopbackServer()
            defer { server.stop() }
            let base = "http://127.0.0.1:\(server.port)"
            let client = HTTPClient(configuration: .init(connectTimeout: .seconds(2), timeout: .seconds(5), maxResponseBytes: 1000))

            let hello = try client.send(HTTPRequest(method: "GET", url: base + "/hello"))
            #expect(hello.status == 200)
            #expect(String(decoding: hello.body, as: UTF8.self) == "hello")
            #expect(hello.headers["X-RateLimit-Bucket"] == "abc123", "header lookup ignores case")
            #expect(hello.headers.values("set-cookie") == ["a=1", "b=2"])
            #expect(hello.headers["content-length"] == "5")

            let echo = try client.send(
                HTTPRequest(
                    method: "POST", url: base + "/echo",
                    headers: [
                        ("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", DiscordConfiguration.defaultUserAgent),
                    ],
                    body: Array("a=1&b=%20".utf8)))
            #expect(echo.status == 201)
            #expect(
                String(decoding: echo.body, as: UTF8.self)
                    == "POST /echo HTTP/1.1|application/x-www-form-urlencoded|\(DiscordConfiguration.defaultUserAgent)|a=1&b=%20")
            let echoed = try #require(server.requests.last)
            #expect(echoed.header("Content-Length") == "9")
            #expect(echoed.header("Expect") == nil, "no 100-continue round trip")

            let put = try client.send(HTTPRequest(method: "PUT", url: base + "/echo"))
            #expect(String(decoding: put.body, as: UTF8.self).hasPrefix("PUT /echo HTTP/1.1|"))
            #expect(server.requests.last?.header("Content-Length") == "0")

            let redirect = try client.send(HTTPRequest(method: "GET", url: base + "/redirect"))
            #expect(redirect.status == 302, "redirects are returned, not followed")
            #expect(redirect.headers["Location"] == "/hello")

            let missing = try client.send(HTTPRequest(method: "DELETE", url: base + "/missing"))
            #expect(missing.status == 404)
            #expect(server.requests.last?.requestLine == "DELETE /missing HTTP/1.1")

            #expect(throws: HTTPClientError.responseTooLarge(limit: 1000)) {
                try client.send(HTTPRequest(method: "GET", url: base + "/big"))
            }

            let started = ContinuousClock.now
            #expect {
                try client.send(HTTPRequest(method: "GET", url: base + "/slow", timeout: .milliseconds(300)))
            } throws: { error in
                guard case HTTPClientError.timedOut(_, _, true) = error else { return false }
                return true
            }
            #expect(ContinuousClock.now - started < .seconds(1.4), "the per-request timeout cut the wait short")

            // The client is still usable after failures.
            #expect(try client.send(HTTPRequest(method: "GET", url: base + "/hello")).status == 200)

            let closedPort = try DKLoopbackServer()
            let refusedURL = "http://127.0.0.1:\(closedPort.port)/hello"
            closedPort.stop()
            #expect {
                try client.send(HTTPRequest(method: "GET", url: refusedURL))
            } throws: { error in
                guard case HTTPClientError.connectionFailed(let host, _) = error else { return false }
                return host == "127.0.0.1:\(closedPort.port)"
            }

            #expect(throws: HTTPClientError.self) {
                try client.send(HTTPRequest(method: "GET", url: base + "/hello", headers: [("X-Evil", "a\r\nInjected: 1")]))
            }
            #expect(throws: HTTPClientError.self) { try client.send(HTTPRequest(method: "GET", url: "ftp://127.0.0.1/")) }
        }
    }
}
