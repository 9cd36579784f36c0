import Foundation

/// A personality's system prompt, as an admin last saved it.
public struct ChatPersonality: Sendable, Equatable {
    public let name: String
    public let prompt: String
    public let updatedAt: Date?
    public let updatedBy: String?

    init(_ row: Row) throws(StoreError) {
        name = try row.string("name")
        prompt = try row.string("prompt")
        updatedAt = row.date("updated_at")
        updatedBy = row["updated_by"]
    }
}

/// The `chat_personalities` table: one system prompt per personality onboarding offers.
public struct ChatPersonalityStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func all() throws(StoreError) -> [ChatPersonality] {
        try db.query("SELECT name, prompt, updated_at, updated_by FROM chat_personalities ORDER BY name").rows.map(ChatPersonality.init)
    }

    public func personality(name: String) throws(StoreError) -> ChatPersonality? {
        try db.query("SELECT name, prompt, updated_at, updated_by FROM chat_personalities WHERE name = $1", [name]).first.map(
            ChatPersonality.init)
    }

    /// Saves a prompt; false when there is no such personality.
    public func update(name: String, prompt: String, by actor: String) throws(StoreError) -> Bool {
        try db.query(
            "UPDATE chat_personalities SET prompt = $2, updated_at = now(), updated_by = $3 WHERE name = $1 RETURNING name",
            [name, prompt, actor]
        ).first != nil
    }
}
