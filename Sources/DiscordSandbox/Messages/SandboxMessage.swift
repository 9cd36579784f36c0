import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A file stored with a message; its bytes are kept in memory until the message is deleted.
struct SandboxAttachment: Sendable {
    let id: String
    let filename: String
    let description: String?
    let contentType: String?
    let bytes: ByteBuffer

    var size: Int { bytes.readableBytes }
}

/// A message in a channel, as posted.
struct SandboxMessage: Sendable {
    let id: String
    /// `id` as a number, for ordering and paging.
    let number: UInt64
    let channelID: String
    let author: SandboxUser
    let content: String
    let embeds: [JSONValue]
    let components: [JSONValue]
    /// Only echoed in the create response and MESSAGE_CREATE, as Discord does.
    let nonce: JSONValue?
    let tts: Bool
    let flags: Int
    let attachments: [SandboxAttachment]
    let timestamp: String

    /// Where attachment URLs point and how they are signed.
    struct Rendering {
        let cdn: CDNSigner
        let publicURL: String
        let now: Date
        var includesNonce = false
    }

    /// The message object (reference §2.3), attachment URLs signed afresh.
    func json(_ rendering: Rendering) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("type", 0),
            ("content", .string(content)),
            ("mentions", []),
            ("mention_roles", []),
            ("attachments", .array(attachments.map { attachmentJSON($0, rendering) })),
            ("embeds", .array(embeds)),
            ("timestamp", .string(timestamp)),
            ("edited_timestamp", nil),
            ("flags", .integer(flags)),
            ("components", .array(components)),
            ("id", .string(id)),
            ("channel_id", .string(channelID)),
            ("author", author.publicJSON),
            ("pinned", false),
            ("mention_everyone", false),
            ("tts", .bool(tts)),
        ]
        if rendering.includesNonce, let nonce { fields.append(("nonce", nonce)) }
        return .object(fields)
    }

    private func attachmentJSON(_ attachment: SandboxAttachment, _ rendering: Rendering) -> JSONValue {
        let url = rendering.cdn.signedURL(
            base: rendering.publicURL,
            channelID: channelID,
            attachmentID: attachment.id,
            filename: attachment.filename,
            now: rendering.now
        )
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .string(attachment.id)),
            ("filename", .string(attachment.filename)),
        ]
        if let description = attachment.description { fields.append(("description", .string(description))) }
        if let contentType = attachment.contentType { fields.append(("content_type", .string(contentType))) }
        fields += [
            ("size", .integer(attachment.size)),
            ("url", .string(url)),
            ("proxy_url", .string(url)),
        ]
        return .object(fields)
    }
}
