import Foundation

/// Writes hand-made FastCGI records straight to the app's socket, bypassing nginx, to check that
/// malformed streams never take the app down.
public enum RawFastCGI {
    public static func record(type: UInt8, requestID: UInt16 = 1, content: [UInt8], declaredLength: UInt16? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt16(content.count)
        return [1, type, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8(length >> 8), UInt8(length & 0xff), 0, 0]
            + content
    }

    public static func beginRequest(keepConnection: Bool = false) -> [UInt8] {
        record(type: 1, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// One name-value pair, with lengths as given (4-byte form when large).
    public static func pair(name: [UInt8], value: [UInt8], nameLength: UInt32? = nil, valueLength: UInt32? = nil) -> [UInt8] {
        func length(_ value: UInt32) -> [UInt8] {
            value < 128
                ? [UInt8(value)]
                : [UInt8((value >> 24) | 0x80), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
        }
        return length(nameLength ?? UInt32(name.count)) + length(valueLength ?? UInt32(value.count)) + name + value
    }

    public static func params(_ values: [(String, String)]) -> [UInt8] {
        let content = values.flatMap { pair(name: Array($0.0.utf8), value: Array($0.1.utf8)) }
        return record(type: 4, content: content) + record(type: 4, content: [])
    }

    public static func stdin(_ body: [UInt8]) -> [UInt8] {
        (body.isEmpty ? [] : record(type: 5, content: body)) + record(type: 5, content: [])
    }

    /// A complete, well-formed GET request.
    /// A GET of `uri`, with the `Cookie` header a browser would send.
    public static func get(_ uri: String, cookies: [String: String] = [:]) -> [UInt8] {
        var parameters = [("REQUEST_METHOD", "GET"), ("REQUEST_URI", uri), ("REMOTE_ADDR", "127.0.0.1"), ("CONTENT_LENGTH", "")]
        if !cookies.isEmpty { parameters.append(("HTTP_COOKIE", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        return beginRequest() + params(parameters) + stdin([])
    }

    /// Connects to the unix socket, sends `bytes`, and returns what came back before the app closed the
    /// connection or `timeout` passed (nil when it could not connect). Like nginx, it never half-closes.
    public static func exchange(socketPath: String, bytes: [UInt8], timeout: TimeInterval = 5) -> [UInt8]? {
        guard let descriptor = connect(socketPath: socketPath) else { return nil }
        defer { close(descriptor) }
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return received
    }

    /// A connected unix socket, or nil.
    public static func connect(socketPath: String) -> Int32? {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// The STDOUT content of a response, concatenated.
    public static func stdout(of response: [UInt8]) -> String {
        String(decoding: stdoutBytes(of: response), as: UTF8.self)
    }

    /// The STDOUT content of a response, concatenated, as bytes.
    public static func stdoutBytes(of response: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index + 8 <= response.count {
            let type = response[index + 1]
            let length = Int(response[index + 4]) << 8 | Int(response[index + 5])
            let padding = Int(response[index + 6])
            let start = index + 8
            guard start + length <= response.count else { break }
            if type == 6 { output.append(contentsOf: response[start..<(start + length)]) }
            index = start + length + padding
        }
        return output
    }
}

extension RawFastCGI {
    /// A whole request as nginx sends it: the params (`headers` as `HTTP_*`, `Content-Type` and the body's length as
    /// the CGI names), then `body` in records of at most 65535 bytes.
    public static func request(_ method: String, _ uri: String, headers: [String: String] = [:], body: [UInt8] = []) -> [UInt8] {
        var parameters = [
            ("REQUEST_METHOD", method), ("REQUEST_URI", uri), ("REMOTE_ADDR", "127.0.0.1"),
            ("CONTENT_LENGTH", body.isEmpty ? "" : String(body.count)),
        ]
        for (name, value) in headers {
            let cgiName = name.uppercased().replacingOccurrences(of: "-", with: "_")
            parameters.append((cgiName == "CONTENT_TYPE" ? cgiName : "HTTP_" + cgiName, value))
        }
        var bytes = beginRequest() + params(parameters)
        for offset in stride(from: 0, to: body.count, by: 65535) {
            bytes += record(type: 5, content: Array(body[offset..<min(offset + 65535, body.count)]))
        }
        return bytes + record(type: 5, content: [])
    }

    /// A response as a client reads it.
    public struct Reply {
        public let status: Int
        /// In order; names as the app wrote them.
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        /// The first value of the header `name` (any case).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }

        public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
    }

    /// Sends a request (`request(…)`) to the app's socket and reads the whole response; nil when it could not
    /// connect or the response has no head.
    public static func call(
        socketPath: String, _ method: String, _ uri: String, headers: [String: String] = [:], body: [UInt8] = [], timeout: TimeInterval = 30
    ) -> Reply? {
        guard let response = exchange(socketPath: socketPath, bytes: request(method, uri, headers: headers, body: body), timeout: timeout)
        else { return nil }
        let output = stdoutBytes(of: response)
        guard let end = output.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        var status = 200
        var fields: [(name: String, value: String)] = []
        for line in String(decoding: output[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" { status = Int(value.prefix(3)) ?? 0 } else { fields.append((name, value)) }
        }
        return Reply(status: status, headers: fields, body: Array(output[end.upperBound...]))
    }
}

extension RawFastCGI {
    /// Writes all of `bytes` to a connected socket.
    public static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }
}
