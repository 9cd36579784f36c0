import JSONSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Someone on Discord writes a message: `POST /_sandbox/users/{user.id}/messages` stores it and dispatches
/// MESSAGE_CREATE as Discord would (docs: `events/gateway-events` "Message Create"; `resources/message`
/// "Message Object"). Messages are stored and dispatched under the state lock, so each channel's order is
/// its ids' order however many arrive at once.
enum UserMessageControlRoutes {
    static var routes: [Route] {
        [.control(.POST, "/users/{user.id}/messages", handler: post)]
    }

    /// `{"content", "username"?, "channel_id"? (a guild text channel; default the user's DM channel with the
    /// bot, opened if needed), "mention_bot"?}` → `{"id", "channel_id"}`. A user the sandbox does not know
    /// is `username` (default `user_<id>`); in a guild channel the author must be a member of the guild.
    @Sendable
    static func post(_ context: RequestContext) async throws -> SandboxResponse {
        let userID = context.parameters["user.id"] ?? ""
        let body = try context.decodeBody(UserMessage.self)
        let bot = context.configuration.botUser
        guard Snowflake.value(userID) != nil, userID != bot.id else {
            throw HTTPError.control("the user id must be a snowflake and not the bot's")
        }
        let content = body.mentionsBot ? "<@\(bot.id)> \(body.content)" : body.content
        guard !content.allSatisfy(\.isWhitespace), content.unicodeScalars.count <= MessageDraft.maxContentLength else {
            throw HTTPError.control("content must be 1 to \(MessageDraft.maxContentLength) characters and not only whitespace")
        }
        let now = Date()
        let (messageID, channelID) = try context.state.withLock { parts throws(HTTPError) in
            let author = parts.user(id: userID) ?? SandboxUser(id: userID, username: body.username ?? "user_\(userID)", globalName: nil)
            let channel = try channel(for: author, requested: body.channelID, parts: &parts, now: now)
            let id = parts.snowflakes.next(now: now)
            var message = SandboxMessage(
                id: id,
                number: Snowflake.value(id) ?? 0,
                channelID: channel.id,
                author: author,
                content: content,
                embeds: [],
                components: [],
                nonce: nil,
                tts: false,
                flags: 0,
                attachments: [],
                timestamp: Snowflake.timestamp(now)
            )
            message.mentions = SandboxMessage.mentionedIDs(in: content).compactMap { parts.user(id: $0) }
            parts.channels.post(message, nonce: nil, now: .now)
            parts.gateway.dispatchMessageCreate(message, in: channel, rendering: context.rendering(parts, now: now), now: .now)
            return (id, channel.id)
        }
        context.logger.info(
            "user message posted", metadata: ["user_id": "\(userID)", "channel_id": "\(channelID)", "message_id": "\(messageID)"])
        return .json(["id": .string(messageID), "channel_id": .string(channelID)])
    }

    private static func channel(
        for author: SandboxUser,
        requested channelID: String?,
        parts: inout SandboxState.Parts,
        now: Date
    ) throws(HTTPError) -> SandboxChannel {
        guard let channelID else {
            return parts.channels.directChannel(with: author.id)
                ?? parts.channels.openDirectChannel(id: parts.snowflakes.next(now: now), with: author)
        }
        guard let channel = parts.channels.channel(id: channelID), !channel.isDirect else {
            throw HTTPError.control("channel_id must be one of the guild's text channels")
        }
        guard parts.gateway.guild.member(id: author.id) != nil else {
            throw HTTPError.control("user \(author.id) is not a member of the guild: add them with POST /_sandbox/guild/members")
        }
        return channel
    }
}

// MARK: - Request bodies

private struct UserMessage: Decodable {
    let content: String
    let username: String?
    let channelID: String?
    let mentionsBot: Bool

    private enum CodingKeys: String, CodingKey {
        case content, username
        case channelID = "channel_id"
        case mentionsBot = "mention_bot"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        content = try container.decode(String.self, forKey: .content)
        username = try container.decodeIfPresent(String.self, forKey: .username)
        channelID = try container.decodeIfPresent(String.self, forKey: .channelID)
        mentionsBot = try container.decodeIfPresent(Bool.self, forKey: .mentionsBot) ?? false
    }
}
