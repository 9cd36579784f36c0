import Foundation

/// A plain HTTP/1.1 connection to the test stack's nginx (always 127.0.0.1) from a chosen loopback
/// source address, for clients that misbehave on purpose: bodies trickled a byte at a time, responses
/// read slowly, floods from an address of their own (nginx limits per address; 127.0.0.0/8 is all local,
/// so a test can be many clients: misbehaving ones use 127.0.0.20–99, `Browser`s 127.0.0.100–249).
public final class RawHTTP {
    public let descriptor: Int32
    private var received: [UInt8] = []

    /// A parsed response head and as much of the body as was read.
    public struct Reply {
        public let status: Int
        public let headers: [String: String]
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Connects from `source` to 127.0.0.1:`port`; nil when it cannot. A small `receiveBuffer` makes a
    /// client that reads slowly really slow (loopback buffers would otherwise take megabytes).
    public init?(port: Int, from source: String = "127.0.0.1", receiveBuffer: Int32? = nil) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var local = Self.address(source, port: 0)
        var remote = Self.address("127.0.0.1", port: port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, connected == 0 else {
            close(descriptor)
            return nil
        }
    }

    deinit {
        close(descriptor)
    }

    /// Sends all of `bytes`; false when the connection is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    /// Reads until the response head and `Content-Length` bytes of body are in, the peer closes, or
    /// `timeout` passes; nil when no complete head arrived in time. With `bodyLimit`, stops reading the
    /// body after that many bytes (the rest stays unread in the socket).
    public func response(timeout: TimeInterval, bodyLimit: Int = .max) -> Reply? {
        let deadline = Date().addingTimeInterval(timeout)
        var head: (status: Int, headers: [String: String], length: Int)?
        var bodyStart = 0
        while Date() < deadline {
            if head == nil, let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                head = Self.parseHead(received[..<end.lowerBound])
                bodyStart = end.upperBound
                guard head != nil else { return nil }
            }
            if let head, received.count - bodyStart >= min(head.length, bodyLimit) { break }
            var probe = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&probe, 1, min(remaining, 200)) >= 0 else { break }
            guard probe.revents != 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        if head == nil, let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
            head = Self.parseHead(received[..<end.lowerBound])
            bodyStart = end.upperBound
        }
        guard let head else { return nil }
        let body = Array(received[bodyStart...].prefix(min(head.length, bodyLimit)))
        return Reply(status: head.status, headers: head.headers, body: body)
    }

    /// A whole request: `method path` with `headers`, `Host` and `Content-Length` added.
    public static func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> (status: Int, headers: [String: String], length: Int)? {
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        return (status, headers, headers["content-length"].flatMap(Int.init) ?? .max)
    }

    private static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }
}
