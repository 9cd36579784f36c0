import JSONSupport

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An attachment as Discord describes it; `url` is signed and expires (see ``CDNURL``).
public struct DiscordAttachment: Sendable, Equatable {
    public let id: String
    public let filename: String
    public let size: Int
    public let url: String
}

/// The parts of a message GuildGate reads.
public struct DiscordMessage: Sendable, Equatable {
    public let id: String
    public let channelID: String
    public let content: String
    public let authorID: String?
    public let attachments: [DiscordAttachment]

    init(_ json: JSON) throws(DiscordError) {
        guard let id = json["id"]?.string, let channelID = json["channel_id"]?.string else {
            throw .invalidResponse(status: 200, reason: "a message without id or channel_id")
        }
        self.id = id
        self.channelID = channelID
        content = json["content"]?.string ?? ""
        authorID = json["author"]?["id"]?.string
        attachments = (json["attachments"]?.array ?? []).compactMap { attachment in
            guard let id = attachment["id"]?.string, let url = attachment["url"]?.string else { return nil }
            return DiscordAttachment(
                id: id, filename: attachment["filename"]?.string ?? "", size: attachment["size"]?.integer ?? 0, url: url)
        }
    }
}

/// A file to attach to a new message.
public struct AttachmentUpload: Sendable {
    public let filename: String
    public let bytes: [UInt8]

    public init(filename: String, bytes: [UInt8]) {
        self.filename = filename
        self.bytes = bytes
    }
}

/// Signed CDN attachment URLs (reference §2.5): `ex` is when the URL stops working, in hex Unix seconds.
public enum CDNURL {
    public static func expiry(of url: String) -> Date? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for item in query.split(separator: "&") where item.hasPrefix("ex=") {
            return UInt64(item.dropFirst(3), radix: 16).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
        return nil
    }
}

extension RequestBody {
    /// `multipart/form-data` with `payload_json` and `files[n]`, the shape message create takes with files.
    public static func multipart(payload: JSON, files: [AttachmentUpload]) -> RequestBody {
        let boundary = "guildgate-" + (0..<24).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        var body: [UInt8] = []
        body.reserveCapacity(files.reduce(1024) { $0 + $1.bytes.count + 256 })
        func append(_ text: String) { body.append(contentsOf: Array(text.utf8)) }
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n")
        append(payload.serialized)
        for (index, file) in files.enumerated() {
            let name = file.filename.replacingOccurrences(of: "\"", with: "_").replacingOccurrences(of: "\r", with: "_")
                .replacingOccurrences(of: "\n", with: "_")
            append("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"files[\(index)]\"; filename=\"\(name)\"\r\n")
            append("Content-Type: application/octet-stream\r\n\r\n")
            body.append(contentsOf: file.bytes)
        }
        append("\r\n--\(boundary)--\r\n")
        return RequestBody(bytes: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }
}

extension DiscordClient {
    /// Posts a message, with files as attachments. With a `nonce`, Discord enforces it: a retried request
    /// returns the message the first one created instead of posting a second one.
    public func createMessage(channelID: String, content: String, nonce: String? = nil, files: [AttachmentUpload] = []) throws(DiscordError) -> DiscordMessage {
        var payload: [(String, JSON)] = [("content", .string(content)), ("allowed_mentions", ["parse": []])]
        if let nonce { payload += [("nonce", .string(nonce)), ("enforce_nonce", true)] }
        if !files.isEmpty {
            payload.append(("attachments", .array(files.enumerated().map { index, file in
                ["id": .int(index), "filename": .string(file.filename)]
            })))
        }
        let body: RequestBody = files.isEmpty
            ? .json(Array(JSON.object(payload).serialized.utf8)) : .multipart(payload: .object(payload), files: files)
        return try DiscordMessage(json(send(Route(.post, "/channels/\(channelID)/messages"), body: body)))
    }

    /// Reads a message again: its attachments come with freshly signed URLs.
    public func message(channelID: String, messageID: String) throws(DiscordError) -> DiscordMessage {
        try DiscordMessage(json(send(Route(.get, "/channels/\(channelID)/messages/\(messageID)"))))
    }

    /// Up to `limit` (1…100) messages after `after`, newest first, as Discord lists them.
    public func messages(channelID: String, after: String, limit: Int = 100) throws(DiscordError) -> [DiscordMessage] {
        let list = try json(send(Route(.get, "/channels/\(channelID)/messages?after=\(after)&limit=\(min(max(limit, 1), 100))")))
        var messages: [DiscordMessage] = []
        for item in list.array ?? [] { messages.append(try DiscordMessage(item)) }
        return messages
    }

    /// Deletes a message; one that is already gone (10008 Unknown Message) counts as deleted.
    public func deleteMessage(channelID: String, messageID: String) throws(DiscordError) {
        do {
            try send(Route(.delete, "/channels/\(channelID)/messages/\(messageID)"))
        } catch .api(404, 10008, _) {
            return
        }
    }

    private func json(_ response: HTTPResponse) throws(DiscordError) -> JSON {
        guard let json = JSON.parse(response.body) else { throw .invalidResponse(status: response.status, reason: "not JSON") }
        return json
    }
}

extension DiscordClient {
    /// Fetches an attachment's bytes from the CDN (no token, no rate-limit bucket), retrying connection
    /// failures and 5xx. An expired or revoked URL throws `.api(status: 404 or 403, …)`: re-read the
    /// message for a fresh one.
    public func downloadAttachment(url: String) throws(DiscordError) -> [UInt8] {
        let request = HTTPRequest(method: "GET", url: url, headers: ["User-Agent": configuration.userAgent])
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try transport.send(request)
                if response.isSuccess { return response.body }
                guard RetryPolicy.retriedStatuses.contains(response.status), attempt < retryPolicy.maxAttempts else {
                    throw DiscordError.api(status: response.status, code: 0, message: "the CDN refused the attachment URL")
                }
            } catch let error as HTTPClientError {
                guard attempt < retryPolicy.maxAttempts, retryPolicy.shouldRetry(error, method: .get) else { throw .transport(error) }
            } catch let error as DiscordError {
                throw error
            } catch {
                throw .invalidResponse(status: 0, reason: "\(error)")
            }
            rateLimiter.clock.sleep(for: retryPolicy.delay(beforeRetry: attempt, using: &generator))
        }
    }
}

/// Discord ids carry their creation time: milliseconds since 2015-01-01 in the bits above 22.
public enum Snowflake {
    static let discordEpochMilliseconds: Int64 = 1_420_070_400_000

    /// The smallest id created at `date`: `after=` this lists what was posted since.
    public static func lowerBound(for date: Date) -> String {
        let milliseconds = max(0, Int64(date.timeIntervalSince1970 * 1000) - discordEpochMilliseconds)
        return String(UInt64(milliseconds) << 22)
    }
}
