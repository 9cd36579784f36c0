import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Answering interactions (docs: `interactions/receiving-and-responding`): the initial response through the callback route within 3 s, then
/// the original response and follow-ups through the application's webhook for 15 min. None of these need the
/// bot token, as on Discord; the interaction token is the credential.
enum InteractionRoutes {
    static var routes: [Route] {
        [
            .discord(
                .POST,
                "/interactions/{interaction.id}/{interaction.token}/callback",
                maxBodySize: MessageDraft.maxRequestSize,
                handler: callback
            ),
            .discord(.POST, "/webhooks/{webhook.id}/{webhook.token}", maxBodySize: MessageDraft.maxRequestSize, handler: followUp),
            .discord(.GET, "/webhooks/{webhook.id}/{webhook.token}/messages/@original", handler: original),
            .discord(
                .PATCH,
                "/webhooks/{webhook.id}/{webhook.token}/messages/@original",
                maxBodySize: MessageDraft.maxRequestSize,
                handler: editOriginal
            ),
        ]
    }

    /// Callback types an APPLICATION_COMMAND interaction may be answered with.
    private enum CallbackType: Int {
        case channelMessage = 4
        case deferredChannelMessage = 5
        case modal = 9
    }

    /// `{"type": 4, "data": {...}}` (a message, files allowed), `{"type": 5, "data"?: {"flags"?}}` (deferred) or
    /// `{"type": 9, "data": {...}}` (a modal) → 204. Unknown id or token, or later than 3 s: 10062; a second
    /// answer: 40060.
    @Sendable
    static func callback(_ context: RequestContext) async throws -> SandboxResponse {
        let id = context.parameters["interaction.id"] ?? ""
        let token = context.parameters["interaction.token"] ?? ""
        let body = try MessageRequestBody(context.request)
        guard let rawType = body.payload["type"]?.wholeNumber else { throw HTTPError.requiredField("type") }
        guard let type = CallbackType(rawValue: rawType) else {
            throw HTTPError.invalidFormBody(field: "type", code: "BASE_TYPE_CHOICES", message: "Value must be one of {4, 5, 9}.")
        }
        let data: JSON
        switch body.payload["data"] {
        case nil, .null?: data = [:]
        case let given?: data = given
        }
        let now = ContinuousClock.now
        let date = Date()
        try context.state.withLock { parts throws(HTTPError) in
            let limit = parts.channels.attachmentSizeLimit
            let messageID = parts.snowflakes.next(now: date)
            let answered: Void? = try parts.interactions.update(id: id) { interaction throws(HTTPError) in
                guard interaction.token == token else { throw HTTPError.unknownInteraction }
                guard interaction.callbackType == nil else { throw HTTPError.interactionAcknowledged }
                guard now - interaction.createdAt <= SandboxInteraction.responseDeadline else { throw HTTPError.unknownInteraction }
                let timestamp = Snowflake.timestamp(date)
                switch type {
                case .channelMessage:
                    let draft = try MessageDraft(payload: data, files: body.files)
                    try draft.validate(attachmentSizeLimit: limit)
                    interaction.original = InteractionMessage(
                        id: messageID, type: 20, draft: draft, flags: draft.flags, timestamp: timestamp)
                case .deferredChannelMessage:
                    let draft = try MessageDraft(payload: [:], files: [])
                    let flags = data["flags"]?.wholeNumber ?? 0
                    interaction.original = InteractionMessage(
                        id: messageID,
                        type: 20,
                        draft: draft,
                        flags: flags | InteractionMessage.loadingFlag,
                        timestamp: timestamp
                    )
                case .modal:
                    for field in ["custom_id", "title", "components"] where data[field] == nil {
                        throw HTTPError.invalidFormBody(
                            path: ["data", field], code: "BASE_TYPE_REQUIRED", message: "This field is required")
                    }
                }
                interaction.callbackType = rawType
                interaction.record(
                    "callback",
                    [("type", .int(rawType)), ("data", data), ("files", .array(fileSummaries(body.files)))]
                )
            }
            guard answered != nil else { throw HTTPError.unknownInteraction }
        }
        context.logger.info("interaction answered", metadata: ["interaction_id": "\(id)", "type": "\(rawType)"])
        return SandboxResponse(status: .noContent)
    }

    /// A follow-up message (files allowed) → the message.
    @Sendable
    static func followUp(_ context: RequestContext) async throws -> SandboxResponse {
        let body = try MessageRequestBody(context.request)
        let draft = try MessageDraft(payload: body.payload, files: body.files)
        let date = Date()
        let bot = context.configuration.botUser
        let (json, interactionID) = try context.state.withLock { parts throws(HTTPError) in
            try draft.validate(attachmentSizeLimit: parts.channels.attachmentSizeLimit)
            let interaction = try webhookInteraction(context, parts: parts)
            guard interaction.callbackType != nil else { throw HTTPError.unknownWebhook }
            let message = InteractionMessage(
                id: parts.snowflakes.next(now: date),
                type: 0,
                draft: draft,
                flags: draft.flags,
                timestamp: Snowflake.timestamp(date)
            )
            _ = try parts.interactions.update(id: interaction.id) { interaction throws(HTTPError) in
                interaction.followups.append(message)
                interaction.record(
                    "followup",
                    [("message_id", .string(message.id)), ("data", body.payload), ("files", .array(fileSummaries(body.files)))]
                )
            }
            return (message.json(of: interaction, bot: bot), interaction.id)
        }
        context.logger.info("interaction follow-up sent", metadata: ["interaction_id": "\(interactionID)"])
        return .json(json)
    }

    @Sendable
    static func original(_ context: RequestContext) async throws -> SandboxResponse {
        let bot = context.configuration.botUser
        return .json(
            try context.state.withLock { parts throws(HTTPError) in
                let interaction = try webhookInteraction(context, parts: parts)
                guard let original = interaction.original else { throw HTTPError.unknownMessage }
                return original.json(of: interaction, bot: bot)
            }
        )
    }

    /// Edits the original response: the fields given replace the message's; a deferred response stops loading.
    @Sendable
    static func editOriginal(_ context: RequestContext) async throws -> SandboxResponse {
        let body = try MessageRequestBody(context.request)
        let date = Date()
        let bot = context.configuration.botUser
        let (json, interactionID) = try context.state.withLock { parts throws(HTTPError) in
            let limit = parts.channels.attachmentSizeLimit
            let interaction = try webhookInteraction(context, parts: parts)
            guard let original = interaction.original else { throw HTTPError.unknownMessage }
            let draft = try MessageDraft(payload: original.editablePayload.merging(body.payload), files: body.files)
            try draft.validate(attachmentSizeLimit: limit)
            var edited = InteractionMessage(
                id: original.id,
                type: original.type,
                draft: draft,
                flags: draft.flags & ~InteractionMessage.loadingFlag,
                timestamp: original.timestamp
            )
            if body.files.isEmpty { edited.files = original.files }
            edited.editedTimestamp = Snowflake.timestamp(date)
            _ = try parts.interactions.update(id: interaction.id) { interaction throws(HTTPError) in
                interaction.original = edited
                interaction.record(
                    "edit_original",
                    [("message_id", .string(edited.id)), ("data", body.payload), ("files", .array(fileSummaries(body.files)))]
                )
            }
            return (edited.json(of: interaction, bot: bot), interaction.id)
        }
        context.logger.info("interaction response edited", metadata: ["interaction_id": "\(interactionID)"])
        return .json(json)
    }

    /// The interaction a webhook route's id and token name: unknown → 10015; token older than 15 min → 50027.
    private static func webhookInteraction(
        _ context: RequestContext,
        parts: SandboxState.Parts
    ) throws(HTTPError) -> SandboxInteraction {
        guard let interaction = parts.interactions.interaction(token: context.parameters["webhook.token"] ?? ""),
            interaction.applicationID == context.parameters["webhook.id"]
        else { throw HTTPError.unknownWebhook }
        guard ContinuousClock.now - interaction.createdAt <= SandboxInteraction.tokenLifetime else {
            throw HTTPError.invalidWebhookToken
        }
        return interaction
    }

    private static func fileSummaries(_ files: [DraftFile]) -> [JSON] {
        files.map { ["filename": .string($0.filename), "size": .int($0.bytes.readableBytes)] }
    }
}
