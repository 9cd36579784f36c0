import Foundation

/// A Server-Sent Events subscriber over a raw socket to the test stack's nginx: sends the request, reads the
/// response head, then the events one at a time as they arrive (nchan writes the stream unchunked).
public final class EventStream {
    /// One event: its `id:` (nil without one) and its `data:` lines joined with line breaks.
    public struct Event: Equatable, Sendable {
        public let id: String?
        public let data: String
    }

    /// The response's status and headers (names in lower case).
    public let status: Int
    public let headers: [String: String]
    private let connection: RawHTTP
    private var buffer: [UInt8] = []

    /// Subscribes to `path` with `headers` (`Accept: text/event-stream` is added); nil when no response head
    /// arrives within `timeout`.
    public init?(port: Int, path: String, headers: [String: String] = [:], timeout: TimeInterval = 5) {
        guard let connection = RawHTTP(port: port) else { return nil }
        self.connection = connection
        let request = RawHTTP.request("GET", path, headers: headers.merging(["Accept": "text/event-stream"]) { mine, _ in mine })
        guard connection.send(request) else { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var head: ArraySlice<UInt8>?
        while head == nil, Date() < deadline, Self.receive(connection, into: &received, until: deadline) {
            guard let end = received.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
            head = received[..<end.lowerBound]
            received.removeSubrange(..<end.upperBound)
        }
        guard let head else { return nil }
        buffer = received
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
    }

    /// The next event with data (comments such as nchan's `: hi` are skipped); nil when none arrives within
    /// `timeout` or the stream ends.
    public func next(timeout: TimeInterval) -> Event? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            while let end = buffer.firstRange(of: Array("\n\n".utf8)) {
                let block = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                if let event = Self.event(block) { return event }
            }
        } while Date() < deadline && Self.receive(connection, into: &buffer, until: deadline)
        return nil
    }

    /// Every event that arrives within `timeout`.
    public func events(within timeout: TimeInterval) -> [Event] {
        let deadline = Date().addingTimeInterval(timeout)
        var events: [Event] = []
        while let event = next(timeout: max(0, deadline.timeIntervalSinceNow)) { events.append(event) }
        return events
    }

    /// Reads what arrives before `deadline`; false when the peer closed or nothing came.
    private static func receive(_ connection: RawHTTP, into buffer: inout [UInt8], until deadline: Date) -> Bool {
        var probe = pollfd(fd: connection.descriptor, events: Int16(POLLIN), revents: 0)
        let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
        guard poll(&probe, 1, remaining) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[0..<count]
        return true
    }

    /// The event of one block of lines; nil for a block of comments only.
    private static func event(_ block: String) -> Event? {
        var id: String?
        var data: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix(":") {
            let (field, value) = line.firstIndex(of: ":").map { (line[..<$0], line[line.index(after: $0)...]) } ?? (line[...], "")
            let text = value.hasPrefix(" ") ? String(value.dropFirst()) : String(value)
            if field == "id" { id = text } else if field == "data" { data.append(text) }
        }
        return data.isEmpty ? nil : Event(id: id, data: data.joined(separator: "\n"))
    }
}
