import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Channels: the guild's text channels (`--channel-ids`) and DM channels the bot opens (docs: `resources/user` "Create DM"),
/// and the typing indicator (docs: `resources/channel` "Trigger Typing Indicator").
enum ChannelRoutes {
    static var routes: [Route] {
        [
            .discord(.GET, "/channels/{channel.id}") { context in
                try context.requireBotToken()
                let channelID = context.parameters["channel.id"] ?? ""
                return .json(
                    try context.state.withLock { parts throws(HTTPError) in
                        guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
                        return channel.json(
                            guildID: context.configuration.guildID,
                            lastMessageID: parts.channels.lastMessageID(in: channelID),
                            overwrites: parts.permissions.overwritesJSON(channelID: channelID)
                        )
                    }
                )
            },
            .discord(.POST, "/users/@me/channels", handler: openDirectChannel),
            .discord(.POST, "/channels/{channel.id}/typing", handler: triggerTyping),
        ]
    }

    /// Trigger Typing Indicator (docs: `resources/channel`): 204, counted for the control API. It needs what
    /// sending a message needs (VIEW_CHANNEL, SEND_MESSAGES). No TYPING_START is dispatched.
    @Sendable
    static func triggerTyping(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let channelID = context.parameters["channel.id"] ?? ""
        try context.state.withLock { parts throws(HTTPError) in
            guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
            try context.requireBot(GuildPermissions.sendMessages, in: channel, parts: parts)
            parts.channels.recordTyping(in: channelID)
        }
        return SandboxResponse(status: .noContent)
    }

    /// `{"recipient_id": "..."}` → the DM channel with that user, the same one every time. Known users are
    /// the guild's members and the OAuth test user; anyone else (the bot too) is refused with 50033.
    @Sendable
    static func openDirectChannel(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let body = try JSON(discordBody: context.request.body)
        let recipientID: String
        switch body["recipient_id"] {
        case nil, .null?:
            throw HTTPError.requiredField("recipient_id")
        case .string(let id)? where Snowflake.value(id) != nil:
            recipientID = id
        default:
            throw HTTPError.invalidFormBody(field: "recipient_id", code: "NUMBER_TYPE_COERCE", message: "Value is not snowflake.")
        }
        let botID = context.configuration.botUser.id
        let (channel, lastMessageID, isNew) = try context.state.withLock { parts throws(HTTPError) in
            if let existing = parts.channels.directChannel(with: recipientID) {
                return (existing, parts.channels.lastMessageID(in: existing.id), false)
            }
            guard recipientID != botID, let user = parts.user(id: recipientID) else { throw HTTPError.invalidRecipients }
            let channel = parts.channels.openDirectChannel(id: parts.snowflakes.next(now: Date()), with: user)
            return (channel, nil, true)
        }
        if isNew {
            context.logger.info("DM channel opened", metadata: ["channel_id": "\(channel.id)", "recipient_id": "\(recipientID)"])
        }
        return .json(channel.json(guildID: nil, lastMessageID: lastMessageID))
    }
}
