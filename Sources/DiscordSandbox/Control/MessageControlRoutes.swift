import JSONSupport
import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The control API of channels, messages and the CDN, under `/_sandbox`: what is stored, and the limits.
enum MessageControlRoutes {
    static var routes: [Route] {
        [
            .control(.GET, "/channels") { context in
                let channels = context.state.withLock { parts in
                    parts.channels.allChannels.map { channel in
                        channel.json(
                            guildID: channel.isDirect ? nil : context.configuration.guildID,
                            lastMessageID: parts.channels.lastMessageID(in: channel.id)
                        )
                    }
                }
                return .json(["channels": .array(channels)])
            },
            .control(.GET, "/channels/{channel.id}/messages", handler: storedMessages),
            .control(.GET, "/channels/{channel.id}/typing") { context in
                let channelID = context.parameters["channel.id"] ?? ""
                guard
                    let count = context.state.withLock({ parts in
                        parts.channels.channel(id: channelID).map { _ in parts.channels.typingCount(in: channelID) }
                    })
                else { return .json(["error": "no such channel"], status: .notFound) }
                return .json(["count": .int(count)])
            },
            .control(.GET, "/channels/{channel.id}/attachments/{attachment.id}/raw") { context in
                let channelID = context.parameters["channel.id"] ?? ""
                let attachmentID = context.parameters["attachment.id"] ?? ""
                guard let attachment = context.state.withLock({ $0.channels.attachment(id: attachmentID, in: channelID) }) else {
                    return .json(["error": "no such attachment"], status: .notFound)
                }
                return SandboxResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: attachment.bytes)
            },
            .control(.PUT, "/cdn/ttl") { context in
                let seconds = try context.decodeBody(LifetimeSetting.self).seconds
                context.state.withLock { $0.cdn.lifetimeSeconds = seconds }
                context.logger.info("CDN URL lifetime changed", metadata: ["seconds": "\(seconds)"])
                return .json(["seconds": .int(seconds)])
            },
            .control(.POST, "/cdn/expire") { context in
                context.state.withLock { $0.cdn.revokeIssuedURLs() }
                context.logger.info("CDN URLs issued so far revoked")
                return .json(["ok": true])
            },
            .control(.PUT, "/attachments/limit") { context in
                let bytes = try context.decodeBody(AttachmentLimitSetting.self).bytes
                context.state.withLock { $0.channels.attachmentSizeLimit = bytes }
                context.logger.info("attachment size limit changed", metadata: ["bytes": "\(bytes)"])
                return .json(["bytes": .int(bytes)])
            },
        ]
    }

    /// Every message of a channel, oldest first, with each attachment's size and the SHA-256 of its bytes:
    /// `[{"id", "channel_id", "author_id", "content", "timestamp", "nonce", "type", "mention_ids",
    /// "message_reference" (a reply's, else null), "attachments": [...]}]`.
    @Sendable
    static func storedMessages(_ context: RequestContext) async throws -> SandboxResponse {
        let channelID = context.parameters["channel.id"] ?? ""
        guard
            let messages = context.state.withLock({ parts in
                parts.channels.channel(id: channelID).map { _ in parts.channels.messages(in: channelID) }
            })
        else {
            return .json(["error": "no such channel"], status: .notFound)
        }
        // Hashed outside the lock: the messages hold their bytes, whatever happens to the store meanwhile.
        let list = messages.map { message -> JSON in
            [
                "id": .string(message.id),
                "channel_id": .string(message.channelID),
                "author_id": .string(message.author.id),
                "content": .string(message.content),
                "timestamp": .string(message.timestamp),
                "nonce": message.nonce ?? .null,
                "type": .int(message.type),
                "mention_ids": .array(message.mentions.map { .string($0.id) }),
                "message_reference": message.reference?.json ?? .null,
                "attachments": .array(
                    message.attachments.map { attachment in
                        [
                            "id": .string(attachment.id),
                            "filename": .string(attachment.filename),
                            "description": attachment.description.json,
                            "content_type": attachment.contentType.json,
                            "size": .int(attachment.size),
                            "sha256": .string(attachment.bytes.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) }),
                        ]
                    }
                ),
            ]
        }
        return .json(.array(list))
    }
}

// MARK: - Request bodies

/// `{"seconds": n}`; zero or negative makes every URL handed out from now on expired already.
private struct LifetimeSetting: Decodable {
    let seconds: Int

    private enum CodingKeys: String, CodingKey { case seconds }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seconds = try container.decode(Int.self, forKey: .seconds)
        guard abs(seconds) <= 10 * 365 * 86_400 else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: container, debugDescription: "must be within ±10 years")
        }
    }
}

/// `{"bytes": n}`: the largest file a message may carry, inclusive.
private struct AttachmentLimitSetting: Decodable {
    let bytes: Int

    private enum CodingKeys: String, CodingKey { case bytes }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bytes = try container.decode(Int.self, forKey: .bytes)
        guard bytes >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .bytes, in: container, debugDescription: "must be at least 0")
        }
    }
}
