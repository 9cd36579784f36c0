import CurlHTTP
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

/// A message being put together, its attachments written straight into the request body as they come,
/// so a message of two 10 MiB parts costs 20 MiB once, not once per copy. The multipart form puts the files
/// first and `payload_json` last, as discord.js does.
public struct MessageDraft: Sendable {
    private let content: String
    private let nonce: String
    private let replyTo: String?
    private let boundary = "guildgate-" + (0..<24).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
    private var body: [UInt8] = []
    public private(set) var filenames: [String] = []

    /// Discord enforces the `nonce` (a fresh random one unless given): a request retried after a lost answer
    /// (a 5xx, a timeout) returns the message the first one created instead of posting a second one. A nonce
    /// of its own lets a later call (an upload resumed) find its earlier post too. With `replyingTo`, the
    /// message is a reply to that one (posted without the reference if it was deleted meanwhile).
    public init(
        content: String, nonce: String = MessageDraft.randomNonce(), replyingTo messageID: String? = nil,
        reservingCapacity capacity: Int = 0
    ) {
        self.content = content
        self.nonce = nonce
        replyTo = messageID
        body.reserveCapacity(capacity)
    }

    /// Starts a file; its bytes follow with `append`, then `endFile`.
    public mutating func beginFile(filename: String) {
        let safe = String(filename.map { $0 == "\"" || $0 == "\r" || $0 == "\n" ? "_" : $0 })
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"files[\(filenames.count)]\"; filename=\"\(safe)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        filenames.append(filename)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    public mutating func endFile() {
        body += Array("\r\n".utf8)
    }

    /// A random nonce of at most 22 characters (Discord takes up to 25).
    public static func randomNonce() -> String {
        "gg" + String(UInt64.random(in: .min ... .max), radix: 36) + String(UInt32.random(in: .min ... .max), radix: 36)
    }

    /// The finished request body: JSON without files, multipart with them. The draft is left empty; the
    /// body takes over its buffer rather than copying it.
    public mutating func finish() -> RequestBody {
        var payload: [(String, JSON)] = [("content", .string(content)), ("allowed_mentions", ["parse": []])]
        payload += [("nonce", .string(nonce)), ("enforce_nonce", true)]
        if let replyTo { payload.append(("message_reference", ["message_id": .string(replyTo), "fail_if_not_exists": false])) }
        guard !filenames.isEmpty else { return .json(JSON.object(payload)) }
        payload.append(
            (
                "attachments",
                .array(
                    filenames.enumerated().map { index, name in
                        ["id": .int(index), "filename": .string(name)]
                    })
            ))
        var bytes: [UInt8] = []
        swap(&bytes, &body)
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n".utf8)
        bytes += Array(JSON.object(payload).serialized.utf8)
        bytes += Array("\r\n--\(boundary)--\r\n".utf8)
        return RequestBody(bytes: bytes, contentType: "multipart/form-data; boundary=\(boundary)")
    }
}

/// Signed CDN attachment URLs (docs: `reference` "Signed Attachment CDN URLs"): `ex` is when the URL stops working, in hex Unix seconds.
public enum CDNURL {
    public static func expiry(of url: String) -> Date? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for item in query.split(separator: "&") where item.hasPrefix("ex=") {
            return UInt64(item.dropFirst(3), radix: 16).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
        return nil
    }
}

extension DiscordClient {
    /// Posts a message built with ``MessageDraft`` (the same body may be sent again after a failure).
    public func createMessage(channelID: String, body: RequestBody) throws(DiscordError) -> DiscordMessage {
        try DiscordMessage(json(send(Route(.post, "/channels/\(channelID)/messages"), body: body)))
    }

    /// Posts text that mentions nobody, as a reply to `messageID` when given.
    @discardableResult
    public func sendMessage(_ content: String, channelID: String, replyingTo messageID: String? = nil) throws(DiscordError)
        -> DiscordMessage
    {
        var draft = MessageDraft(content: content, replyingTo: messageID)
        return try createMessage(channelID: channelID, body: draft.finish())
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

    /// Shows "typing…" in the channel for 10 s or until the bot's next message there (docs: `resources/channel`
    /// "Trigger Typing Indicator"), for a reply that takes a while.
    public func triggerTyping(channelID: String) throws(DiscordError) {
        try send(Route(.post, "/channels/\(channelID)/typing"))
    }

    /// Deletes a message; one that is already gone (10008 Unknown Message) counts as deleted.
    public func deleteMessage(channelID: String, messageID: String) throws(DiscordError) {
        do {
            try send(Route(.delete, "/channels/\(channelID)/messages/\(messageID)"))
        } catch .api(404, 10008, _) {
            return
        }
    }
}

extension DiscordClient {
    /// Fetches an attachment's bytes from the CDN (no token, no rate-limit bucket), all of them or only `bytes`
    /// (a `Range` request; a CDN that sends the whole file anyway is cut to the range), retrying connection
    /// failures and 5xx. An expired or revoked URL throws `.api(status: 404 or 403, …)`: re-read the
    /// message for a fresh one.
    public func downloadAttachment(url: String, bytes: Range<Int>? = nil) throws(DiscordError) -> [UInt8] {
        var request = HTTPRequest(method: "GET", url: url, headers: ["User-Agent": configuration.userAgent])
        if let bytes, !bytes.isEmpty { request.headers.add(name: "Range", value: "bytes=\(bytes.lowerBound)-\(bytes.upperBound - 1)") }
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try transport.send(request)
                if response.isSuccess {
                    guard let bytes, response.status != 206 else { return response.body }
                    return Array(response.body[min(bytes.lowerBound, response.body.count)..<min(bytes.upperBound, response.body.count)])
                }
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
