import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Messages in the guild's text channels and in DM channels (docs: `resources/message` "Create Message"; `resources/message` "Get Channel Message").
enum MessageRoutes {
    static var routes: [Route] {
        [
            .discord(
                .POST,
                "/channels/{channel.id}/messages",
                rateLimit: .messageCreate,
                maxBodySize: MessageDraft.maxRequestSize,
                handler: create
            ),
            .discord(.GET, "/channels/{channel.id}/messages", handler: list),
            .discord(.GET, "/channels/{channel.id}/messages/{message.id}", handler: get),
            .discord(.DELETE, "/channels/{channel.id}/messages/{message.id}", handler: delete),
            .discord(.POST, "/channels/{channel.id}/messages/bulk-delete", handler: bulkDelete),
        ]
    }

    /// Bulk delete refuses messages older than this.
    static let bulkDeleteMaxAge: TimeInterval = 14 * 86_400

    /// Stores the message with its files and dispatches MESSAGE_CREATE. With `enforce_nonce`, a nonce the bot
    /// used in the last few minutes returns that message instead. A `message_reference` makes it a reply.
    @Sendable
    static func create(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let channelID = context.parameters["channel.id"] ?? ""
        let draft = try MessageDraft(context.request)
        let sizeLimit = try context.state.withLock { parts throws(HTTPError) in
            guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
            let needed = GuildPermissions.sendMessages | (draft.files.isEmpty ? 0 : GuildPermissions.attachFiles)
            try context.requireBot(needed, in: channel, parts: parts)
            return parts.channels.attachmentSizeLimit
        }
        try draft.validate(attachmentSizeLimit: sizeLimit)

        let now = Date()
        let instant = ContinuousClock.now
        let bot = context.configuration.botUser
        let (json, messageID, isEarlier) = try context.state.withLock { parts throws(HTTPError) in
            guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
            let rendering = context.rendering(parts, now: now, includesNonce: true)
            if draft.enforcesNonce, let nonce = draft.nonceKey,
                let earlier = parts.channels.message(withNonce: nonce, by: bot.id, now: instant)
            {
                return (earlier.json(rendering), earlier.id, true)
            }
            let reference = try draft.reference?.resolved(in: channel, guildID: context.configuration.guildID, store: parts.channels)
            var message = SandboxMessage(
                draft,
                id: parts.snowflakes.next(now: now),
                attachmentIDs: draft.files.map { _ in parts.snowflakes.next(now: now) },
                channelID: channelID,
                author: bot
            )
            message.reference = reference
            message.mentions = SandboxMessage.mentionedIDs(in: draft.content).compactMap { parts.user(id: $0) }
            parts.channels.post(message, nonce: draft.nonceKey, now: instant)
            parts.gateway.dispatchMessageCreate(message, in: channel, rendering: rendering, now: instant)
            return (message.json(rendering), message.id, false)
        }
        context.logger.info(
            isEarlier ? "returning the message posted with the same nonce" : "message created",
            metadata: [
                "channel_id": "\(channelID)",
                "message_id": "\(messageID)",
                "files": "\(draft.files.count)",
                "file_bytes": "\(draft.totalFileSize)",
            ]
        )
        return .json(json)
    }

    /// `?limit=1..100` (default 50) and at most one of `around`, `before`, `after`; newest first.
    @Sendable
    static func list(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let channelID = context.parameters["channel.id"] ?? ""
        let limit = try context.queryLimit(1...100, default: 50)
        var anchor = MessagePageAnchor.latest
        let anchors: [(name: String, make: (UInt64) -> MessagePageAnchor)] = [
            ("around", MessagePageAnchor.around), ("before", MessagePageAnchor.before), ("after", MessagePageAnchor.after),
        ]
        for (name, makeAnchor) in anchors {
            guard let number = try context.querySnowflake(name) else { continue }
            anchor = makeAnchor(number)
            break
        }
        let now = Date()
        return .json(
            try context.state.withLock { parts throws(HTTPError) in
                guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
                try context.requireBot(GuildPermissions.viewChannel, in: channel, parts: parts)
                // Without READ_MESSAGE_HISTORY "no messages will be returned" (Get Channel Messages).
                guard (try? context.requireBot(GuildPermissions.readMessageHistory, in: channel, parts: parts)) != nil else { return [] }
                let rendering = context.rendering(parts, now: now)
                return .array(parts.channels.page(in: channelID, from: anchor, limit: limit).map { $0.json(rendering) })
            }
        )
    }

    /// The message with freshly signed attachment URLs: the documented way to renew them.
    @Sendable
    static func get(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let channelID = context.parameters["channel.id"] ?? ""
        let messageID = context.parameters["message.id"] ?? ""
        let now = Date()
        return .json(
            try context.state.withLock { parts throws(HTTPError) in
                guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
                try context.requireBot(GuildPermissions.readMessageHistory, in: channel, parts: parts)
                guard let message = parts.channels.message(id: messageID, in: channelID) else { throw HTTPError.unknownMessage }
                return message.json(context.rendering(parts, now: now))
            }
        )
    }

    /// 204; the attachments' bytes are let go and their URLs stop working.
    @Sendable
    static func delete(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let channelID = context.parameters["channel.id"] ?? ""
        let messageID = context.parameters["message.id"] ?? ""
        try context.state.withLock { parts throws(HTTPError) in
            guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
            guard parts.channels.delete(id: messageID, in: channelID) != nil else { throw HTTPError.unknownMessage }
            parts.gateway.dispatchMessageDelete(ids: [messageID], in: channel, now: .now)
        }
        context.logger.info("message deleted", metadata: ["channel_id": "\(channelID)", "message_id": "\(messageID)"])
        return SandboxResponse(status: .noContent)
    }

    /// `{"messages": [2...100 ids]}` → 204. Unknown ids are skipped; ids older than two weeks refuse the
    /// whole request; DM channels are refused.
    @Sendable
    static func bulkDelete(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let channelID = context.parameters["channel.id"] ?? ""
        let body = try JSON(discordBody: context.request.body)
        guard case .array(let elements)? = body["messages"] else { throw HTTPError.requiredField("messages") }
        guard elements.count >= 2 else {
            throw HTTPError.invalidFormBody(field: "messages", code: "BASE_TYPE_MIN_LENGTH", message: "Must be 2 or more in length.")
        }
        guard elements.count <= 100 else {
            throw HTTPError.invalidFormBody(field: "messages", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 100 or fewer in length.")
        }
        var ids: [String] = []
        let oldest = Date().addingTimeInterval(-bulkDeleteMaxAge)
        for (index, element) in elements.enumerated() {
            guard case .string(let id) = element, let number = Snowflake.value(id) else {
                throw HTTPError.invalidFormBody(
                    path: ["messages", String(index)],
                    code: "NUMBER_TYPE_COERCE",
                    message: "Value is not snowflake."
                )
            }
            guard Snowflake.date(of: number) >= oldest else { throw HTTPError.bulkDeleteTooOld }
            ids.append(id)
        }
        let deleted = try context.state.withLock { parts throws(HTTPError) in
            guard let channel = parts.channels.channel(id: channelID) else { throw HTTPError.unknownChannel }
            guard !channel.isDirect else { throw HTTPError.directMessageChannel }
            let deleted = ids.filter { parts.channels.delete(id: $0, in: channelID) != nil }
            if !deleted.isEmpty { parts.gateway.dispatchMessageDelete(ids: deleted, in: channel, now: .now) }
            return deleted.count
        }
        context.logger.info("messages bulk-deleted", metadata: ["channel_id": "\(channelID)", "count": "\(deleted)"])
        return SandboxResponse(status: .noContent)
    }
}

extension RequestContext {
    /// How messages are written out for this request: attachment URLs on the public URL, signed now.
    func rendering(_ parts: SandboxState.Parts, now: Date, includesNonce: Bool = false) -> SandboxMessage.Rendering {
        SandboxMessage.Rendering(cdn: parts.cdn, publicURL: configuration.publicURL, now: now, includesNonce: includesNonce)
    }
}

extension SandboxMessage {
    /// A new message from a validated draft; its timestamp is its id's.
    init(_ draft: MessageDraft, id: String, attachmentIDs: [String], channelID: String, author: SandboxUser) {
        let number = Snowflake.value(id) ?? 0
        self.init(
            id: id,
            number: number,
            channelID: channelID,
            author: author,
            content: draft.content,
            embeds: draft.embeds,
            components: draft.components,
            nonce: draft.nonce,
            tts: draft.tts,
            flags: draft.flags,
            attachments: zip(draft.files, attachmentIDs).map { file, attachmentID in
                SandboxAttachment(
                    id: attachmentID,
                    filename: file.filename,
                    description: file.description,
                    contentType: file.contentType,
                    bytes: file.bytes
                )
            },
            timestamp: Snowflake.timestamp(Snowflake.date(of: number))
        )
    }
}

extension RequestContext {
    /// The bot's channel permissions as the guild's roles and overwrites give them (see `GuildPermissions`).
    func requireBot(_ needed: UInt64, in channel: SandboxChannel, parts: SandboxState.Parts) throws(HTTPError) {
        try parts.permissions.requireBot(needed, in: channel, guild: parts.gateway.guild)
    }
}
