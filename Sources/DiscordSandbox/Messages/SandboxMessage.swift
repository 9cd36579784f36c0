import JSONSupport
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
    /// The user ids a content mentions as `<@id>` or `<@!id>` (docs: `reference` "Message Formatting"), in order, once each.
    static func mentionedIDs(in content: String) -> [String] {
        var ids: [String] = []
        for piece in content.split(separator: "<@", omittingEmptySubsequences: false).dropFirst() {
            let mention = piece.first == "!" ? piece.dropFirst() : piece
            let digits = mention.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, mention.dropFirst(digits.count).first == ">", !ids.contains(String(digits)) else { continue }
            ids.append(String(digits))
        }
        return ids
    }

    let id: String
    /// `id` as a number, for ordering and paging.
    let number: UInt64
    let channelID: String
    let author: SandboxUser
    let content: String
    let embeds: [JSON]
    let components: [JSON]
    /// Only echoed in the create response and MESSAGE_CREATE, as Discord does.
    let nonce: JSON?
    let tts: Bool
    let flags: Int
    let attachments: [SandboxAttachment]
    let timestamp: String
    /// The users the content mentions.
    var mentions: [SandboxUser] = []
    /// Set on a reply: the message it answers.
    var reference: MessageReference?

    /// The message type: 0 DEFAULT, 19 REPLY.
    var type: Int { reference == nil ? 0 : 19 }

    /// Where attachment URLs point and how they are signed.
    struct Rendering {
        let cdn: CDNSigner
        let publicURL: String
        let now: Date
        var includesNonce = false
    }

    /// The message object (docs: `resources/message` "Create Message"), attachment URLs signed afresh. A reply
    /// (type 19) has no `referenced_message`: "the backend did not attempt to fetch the message" ("Message Object").
    func json(_ rendering: Rendering) -> JSON {
        var fields: [(String, JSON)] = [
            ("type", .int(type)),
            ("content", .string(content)),
            ("mentions", .array(mentions.map(\.publicJSON))),
            ("mention_roles", []),
            ("attachments", .array(attachments.map { attachmentJSON($0, rendering) })),
            ("embeds", .array(embeds)),
            ("timestamp", .string(timestamp)),
            ("edited_timestamp", .null),
            ("flags", .int(flags)),
            ("components", .array(components)),
            ("id", .string(id)),
            ("channel_id", .string(channelID)),
            ("author", author.publicJSON),
            ("pinned", false),
            ("mention_everyone", false),
            ("tts", .bool(tts)),
        ]
        if rendering.includesNonce, let nonce { fields.append(("nonce", nonce)) }
        if let reference { fields.append(("message_reference", reference.json)) }
        return .object(fields)
    }

    private func attachmentJSON(_ attachment: SandboxAttachment, _ rendering: Rendering) -> JSON {
        let url = rendering.cdn.signedURL(
            base: rendering.publicURL,
            channelID: channelID,
            attachmentID: attachment.id,
            filename: attachment.filename,
            now: rendering.now
        )
        var fields: [(String, JSON)] = [
            ("id", .string(attachment.id)),
            ("filename", .string(attachment.filename)),
        ]
        if let description = attachment.description { fields.append(("description", .string(description))) }
        if let contentType = attachment.contentType { fields.append(("content_type", .string(contentType))) }
        fields += [
            ("size", .int(attachment.size)),
            ("url", .string(url)),
            ("proxy_url", .string(url)),
        ]
        return .object(fields)
    }
}
