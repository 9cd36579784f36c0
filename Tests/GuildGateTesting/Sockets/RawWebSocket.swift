import Foundation
import Testing

/// A WebSocket client over a plain TCP socket (RFC 6455, `ws://` only), to talk to discord-sandbox's gateway
/// the way any client would and see exactly what it answers: the upgrade, text frames, close codes.
public final class RawWebSocket {
    public enum Frame: Equatable {
        case text(String)
        case close(code: UInt16?)
    }

    public struct UpgradeRefused: Error, CustomStringConvertible {
        public let response: String
        public var description: String { "the WebSocket upgrade was refused: \(response.prefix(300))" }
    }

    private let descriptor: Int32
    private var pending: [UInt8] = []

    /// Connects to `ws://127.0.0.1:PORT/path?query` and upgrades; throws ``UpgradeRefused`` with the
    /// server's answer when it does not switch protocols.
    public init(url: String, timeout: TimeInterval = 5) throws {
        let components = try #require(URLComponents(string: url))
        let host = try #require(components.host)
        let port = try #require(components.port)
        var target = components.percentEncodedPath.isEmpty ? "" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        guard connected == 0 else {
            close(descriptor)
            throw UpgradeRefused(response: "cannot connect to \(host):\(port)")
        }
        // An empty path is sent as it is: that is what a client appending a query to a bare URL does.
        write(
            Array(
                """
                GET \(target) HTTP/1.1\r
                Host: \(host):\(port)\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Version: 13\r
                \r

                """.utf8))
        while pending.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
            guard read() else { break }
        }
        guard let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) else {
            close(descriptor)
            throw UpgradeRefused(response: String(decoding: pending, as: UTF8.self))
        }
        let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 101") else {
            // The refusal's body, as long as its Content-Length says: the server may keep the connection open.
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
            while length.map({ pending.count < end.upperBound + $0 }) ?? true, read() {}
            close(descriptor)
            throw UpgradeRefused(response: String(decoding: pending, as: UTF8.self))
        }
        pending.removeSubrange(..<end.upperBound)
    }

    deinit {
        close(descriptor)
    }

    /// Sends a masked text frame.
    public func send(_ text: String) {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        switch payload.count {
        case 0...125: frame.append(0x80 | UInt8(payload.count))
        case 126...65535: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: frame += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xff) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        write(frame)
    }

    /// Sends a gateway payload.
    public func send(op: Int, _ data: String) {
        send(#"{"op":\#(op),"d":\#(data)}"#)
    }

    /// The next text or close frame; nil when the connection ended or nothing came within the timeout.
    public func receive() -> Frame? {
        while true {
            if let frame = takeFrame() {
                switch frame.opcode {
                case 0x1: return .text(String(decoding: frame.payload, as: UTF8.self))
                case 0x8:
                    let code = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : nil
                    return .close(code: code)
                default: continue
                }
            }
            guard read() else { return nil }
        }
    }

    /// The next gateway payload, as JSON; nil at a close frame or the end.
    public func payload() -> [String: Any]? {
        guard case .text(let text)? = receive() else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// Payloads until the dispatch named `event` (returned) or the end (nil).
    public func dispatch(_ event: String) -> [String: Any]? {
        while let payload = payload() {
            if payload["t"] as? String == event { return payload }
        }
        return nil
    }

    /// Reads until the close frame and returns its code (nil when the connection ended without one).
    public func closeCode() -> UInt16? {
        while let frame = receive() {
            if case .close(let code) = frame { return code }
        }
        return nil
    }

    private func takeFrame() -> (opcode: UInt8, payload: [UInt8])? {
        guard pending.count >= 2 else { return nil }
        var length = Int(pending[1] & 0x7f)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard pending.count >= offset + length else { return nil }
        let frame = (pending[0] & 0x0f, Array(pending[offset..<offset + length]))
        pending.removeSubrange(..<(offset + length))
        return frame
    }

    private func read() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        pending += buffer[0..<count]
        return true
    }

    private func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
