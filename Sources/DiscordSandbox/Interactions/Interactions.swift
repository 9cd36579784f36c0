import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A message an interaction response made: the original response, or a follow-up (docs: `interactions/receiving-and-responding`).
/// They are answers to the invoking user, kept with the interaction, not in the channel's history.
struct InteractionMessage: Sendable {
    /// Message flag of a deferred response that has not been edited yet ("Bot is thinking...").
    static let loadingFlag = 1 << 7

    let id: String
    /// 20 CHAT_INPUT_COMMAND for the original response, 0 DEFAULT for follow-ups.
    let type: Int
    let content: String
    let embeds: [JSON]
    let components: [JSON]
    let flags: Int
    /// Name and size of each file sent with it.
    var files: [JSON]
    let timestamp: String
    var editedTimestamp: String?

    init(id: String, type: Int, draft: MessageDraft, flags: Int, timestamp: String) {
        self.id = id
        self.type = type
        content = draft.content
        embeds = draft.embeds
        components = draft.components
        self.flags = flags
        files = draft.files.map { ["filename": .string($0.filename), "size": .int($0.bytes.readableBytes)] }
        self.timestamp = timestamp
    }

    /// The fields an edit starts from; what the edit gives replaces them.
    var editablePayload: JSON {
        ["content": .string(content), "embeds": .array(embeds), "components": .array(components), "flags": .int(flags)]
    }

    func json(of interaction: SandboxInteraction, bot: SandboxUser) -> JSON {
        [
            "type": .int(type),
            "content": .string(content),
            "mentions": [],
            "mention_roles": [],
            "attachments": .array(files),
            "embeds": .array(embeds),
            "timestamp": .string(timestamp),
            "edited_timestamp": editedTimestamp.json,
            "flags": .int(flags),
            "components": .array(components),
            "id": .string(id),
            "channel_id": .string(interaction.channelID),
            "author": bot.publicJSON,
            "pinned": false,
            "mention_everyone": false,
            "tts": false,
            "application_id": .string(interaction.applicationID),
            "webhook_id": .string(interaction.applicationID),
            "interaction_metadata": [
                "id": .string(interaction.id),
                "type": 2,
                "user": interaction.user.publicJSON,
                "name": .string(interaction.commandName),
                "command_type": 1,
            ],
        ]
    }
}

/// An APPLICATION_COMMAND interaction the sandbox made up, and everything the bot answered to it.
struct SandboxInteraction: Sendable {
    /// The initial response must come within 3 s; the token works for follow-ups for 15 min (docs: `interactions/receiving-and-responding`).
    static let responseDeadline = Duration.seconds(3)
    static let tokenLifetime = Duration.seconds(15 * 60)

    let id: String
    let token: String
    let applicationID: String
    let commandName: String
    let channelID: String
    let user: SandboxUser
    let createdAt: ContinuousClock.Instant
    /// The interaction object as dispatched.
    let json: JSON
    /// The type of the initial response, once there is one.
    var callbackType: Int?
    var original: InteractionMessage?
    var followups: [InteractionMessage] = []
    /// Every response, callback, edit and follow-up in order, for the control API.
    var log: [JSON] = []

    init(
        id: String,
        token: String,
        applicationID: String,
        commandName: String,
        channelID: String,
        user: SandboxUser,
        createdAt: ContinuousClock.Instant,
        json: JSON
    ) {
        self.id = id
        self.token = token
        self.applicationID = applicationID
        self.commandName = commandName
        self.channelID = channelID
        self.user = user
        self.createdAt = createdAt
        self.json = json
    }

    mutating func record(_ kind: String, _ fields: [(String, JSON)]) {
        log.append(.object([("kind", .string(kind))] + fields + [("at", .string(Snowflake.timestamp(Date())))]))
    }
}

/// The interactions made so far, by id and by token.
struct InteractionStore: Sendable {
    private var byID: [String: SandboxInteraction] = [:]
    private var idsByToken: [String: String] = [:]

    mutating func add(_ interaction: SandboxInteraction) {
        byID[interaction.id] = interaction
        idsByToken[interaction.token] = interaction.id
    }

    func interaction(id: String) -> SandboxInteraction? {
        byID[id]
    }

    func interaction(token: String) -> SandboxInteraction? {
        idsByToken[token].flatMap { byID[$0] }
    }

    /// Changes the interaction with this id, if there is one.
    mutating func update<Result>(
        id: String,
        _ change: (inout SandboxInteraction) throws(HTTPError) -> Result
    ) throws(HTTPError) -> Result? {
        guard var interaction = byID[id] else { return nil }
        let result = try change(&interaction)
        byID[id] = interaction
        return result
    }
}
