import Foundation

/// One conversation with the model, owned by a Discord account.
public struct Conversation: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// Recorded by the bot from a chat in Discord.
        case discord
        /// Exported from the app through the sync API.
        case app
    }

    public let id: Int
    public let discordID: String
    public let title: String
    public let source: Source
    public let messageCount: Int
    public let createdAt: Date
    public let updatedAt: Date
    /// When `reset` ended a Discord conversation; nil while it is the one the bot continues.
    public let closedAt: Date?

    static let columns = """
        c.id, c.discord_id, c.title, c.source, c.created_at, c.updated_at, c.closed_at,
        (SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = c.id) AS message_count
        """

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        discordID = try row.string("discord_id")
        title = try row.string("title")
        guard let source = Source(rawValue: try row.string("source")), let createdAt = row.date("created_at"),
            let updatedAt = row.date("updated_at")
        else { throw .unexpectedResult("conversation row without source or dates") }
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        closedAt = row.date("closed_at")
        messageCount = row.optionalInt("message_count") ?? 0
    }
}

/// One message of a conversation.
public struct ConversationMessage: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case system, user, assistant
    }

    public let id: Int
    public let role: Role
    public let content: String
    /// The Discord message it was, or was posted as (the first part of a split reply); nil for the app's.
    public let discordMessageID: String?
    public let createdAt: Date

    static let columns = "id, role, content, discord_message_id, created_at"

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        guard let role = Role(rawValue: try row.string("role")), let createdAt = row.date("created_at") else {
            throw .unexpectedResult("conversation message without role or date")
        }
        self.role = role
        content = try row.string("content")
        discordMessageID = row["discord_message_id"]
        self.createdAt = createdAt
    }
}

/// A message to add to a conversation; `createdAt` nil means now.
public struct NewConversationMessage: Sendable, Equatable {
    public let role: ConversationMessage.Role
    public let content: String
    public let createdAt: Date?

    public init(role: ConversationMessage.Role, content: String, createdAt: Date? = nil) {
        self.role = role
        self.content = content
        self.createdAt = createdAt
    }
}

/// The `conversations` and `conversation_messages` tables. Every call that reads or changes one
/// conversation takes its owner, so one Discord account never reaches another's.
public struct ConversationStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// How long a title taken from the first message may be, in characters.
    public static let titleLength = 80

    // MARK: - The bot's side

    /// The Discord conversation the bot continues for `discordID`, opened if there is none.
    public func openDiscordConversation(discordID: String) throws(StoreError) -> Conversation {
        let opened = try db.query(
            """
            WITH inserted AS (
                INSERT INTO conversations (discord_id, source) VALUES ($1, 'discord')
                ON CONFLICT (discord_id) WHERE source = 'discord' AND closed_at IS NULL DO NOTHING
                RETURNING id)
            SELECT id FROM inserted
            UNION ALL
            SELECT id FROM conversations WHERE discord_id = $1 AND source = 'discord' AND closed_at IS NULL
            LIMIT 1
            """, [discordID])
        guard let id = try opened.first?.int("id"), let conversation = try conversation(id: id, discordID: discordID) else {
            throw .unexpectedResult("no open conversation after opening one")
        }
        return conversation
    }

    /// Closes the open Discord conversation, so the next message starts a new one; false when none was open.
    @discardableResult
    public func closeDiscordConversation(discordID: String) throws(StoreError) -> Bool {
        try db.query(
            """
            UPDATE conversations SET closed_at = now()
            WHERE discord_id = $1 AND source = 'discord' AND closed_at IS NULL
            RETURNING id
            """, [discordID]
        ).first != nil
    }

    /// Adds a message (a title is taken from the first user message) and marks the conversation updated.
    @discardableResult
    public func append(
        conversationID: Int, role: ConversationMessage.Role, content: String, discordMessageID: String? = nil
    ) throws(StoreError) -> ConversationMessage {
        let result = try db.query(
            """
            WITH added AS (
                INSERT INTO conversation_messages (conversation_id, role, content, discord_message_id)
                VALUES ($1, $2, $3, $4)
                RETURNING \(ConversationMessage.columns)),
            touched AS (
                UPDATE conversations SET updated_at = now(),
                    title = CASE WHEN title = '' AND $2 = 'user' THEN left($3, \(Self.titleLength)) ELSE title END
                WHERE id = $1)
            SELECT * FROM added
            """, [conversationID, role.rawValue, content, discordMessageID])
        guard let row = result.first else { throw .unexpectedResult("message insert returned no row") }
        return try ConversationMessage(row)
    }

    /// The newest `limit` messages of a conversation, oldest first.
    public func recentMessages(conversationID: Int, limit: Int) throws(StoreError) -> [ConversationMessage] {
        try db.query(
            """
            SELECT * FROM (
                SELECT \(ConversationMessage.columns) FROM conversation_messages
                WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) newest
            ORDER BY id
            """, [conversationID, limit]
        ).rows.map(ConversationMessage.init)
    }

    // MARK: - The sync API's side

    /// The owner's conversations, newest first, older than `beforeID` when paging.
    public func list(discordID: String, limit: Int, beforeID: Int? = nil) throws(StoreError) -> [Conversation] {
        try db.query(
            """
            SELECT \(Conversation.columns) FROM conversations c
            WHERE c.discord_id = $1 AND ($2::bigint IS NULL OR c.id < $2)
            ORDER BY c.id DESC LIMIT $3
            """, [discordID, beforeID, limit]
        ).rows.map(Conversation.init)
    }

    public func count(discordID: String) throws(StoreError) -> Int {
        try db.query("SELECT count(*) AS n FROM conversations WHERE discord_id = $1", [discordID]).first?.int("n") ?? 0
    }

    /// The conversation if `discordID` owns it; nil for another's or an unknown id alike.
    public func conversation(id: Int, discordID: String) throws(StoreError) -> Conversation? {
        try db.query(
            "SELECT \(Conversation.columns) FROM conversations c WHERE c.id = $1 AND c.discord_id = $2", [id, discordID]
        ).first.map(Conversation.init)
    }

    /// Every message of a conversation the caller owns, oldest first (empty for another's).
    public func messages(conversationID: Int, discordID: String) throws(StoreError) -> [ConversationMessage] {
        try db.query(
            """
            SELECT m.id, m.role, m.content, m.discord_message_id, m.created_at
            FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.conversation_id = $1 AND c.discord_id = $2 ORDER BY m.id
            """, [conversationID, discordID]
        ).rows.map(ConversationMessage.init)
    }

    /// Deletes a conversation the caller owns; false for another's or an unknown id.
    public func delete(id: Int, discordID: String) throws(StoreError) -> Bool {
        try db.query("DELETE FROM conversations WHERE id = $1 AND discord_id = $2 RETURNING id", [id, discordID]).first != nil
    }

    public enum Import: Sendable, Equatable {
        case created(Conversation)
        /// The same Idempotency-Key with the same request: the conversation it created then.
        case replayed(Conversation)
        /// The same Idempotency-Key with a different request.
        case keyReused
    }

    /// Stores a conversation exported from the app with its messages, in one transaction. With an
    /// idempotency key, a repeat of the request returns the conversation the first one created.
    public func importConversation(
        discordID: String, title: String, messages: [NewConversationMessage], idempotencyKey: String?, requestHash: [UInt8]
    ) throws -> Import {
        try db.transaction { db throws(StoreError) -> Import in
            let inserted = try db.query(
                """
                INSERT INTO conversations (discord_id, title, source, idempotency_key, request_hash)
                VALUES ($1, $2, 'app', $3, $4)
                ON CONFLICT (discord_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING id
                """, [discordID, title, idempotencyKey, ByteA(requestHash)])
            let store = ConversationStore(db)
            guard let id = try inserted.first?.int("id") else {
                let earlier = try db.query(
                    "SELECT id, request_hash FROM conversations WHERE discord_id = $1 AND idempotency_key = $2",
                    [discordID, idempotencyKey])
                guard let row = earlier.first, let id = try? row.int("id") else { throw .unexpectedResult("idempotency key vanished") }
                guard row.bytes("request_hash") == requestHash, let conversation = try store.conversation(id: id, discordID: discordID)
                else {
                    return .keyReused
                }
                return .replayed(conversation)
            }
            for message in messages {
                try db.query(
                    """
                    INSERT INTO conversation_messages (conversation_id, role, content, created_at)
                    VALUES ($1, $2, $3, coalesce($4::timestamptz, now()))
                    """, [id, message.role.rawValue, message.content, message.createdAt])
            }
            guard let conversation = try store.conversation(id: id, discordID: discordID) else {
                throw .unexpectedResult("imported conversation vanished")
            }
            return .created(conversation)
        }
    }
}
