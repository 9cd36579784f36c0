import Foundation

/// The bot's latest heartbeat row, as the web app reports it.
public struct BotHealth: Sendable, Equatable {
    public let guildID: String
    public let latencyMS: Int?
    public let beatAt: Date
}

/// Reads `bot_heartbeats`, which guildgate-bot writes every few seconds.
public struct BotHealthStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// The newest heartbeat, for `guildID` when given.
    public func latest(guildID: String?) throws(StoreError) -> BotHealth? {
        guard let row = try db.query("""
            SELECT guild_id, latency_ms, beat_at FROM bot_heartbeats
            WHERE $1::text IS NULL OR guild_id = $1 ORDER BY beat_at DESC LIMIT 1
            """, [guildID]).first,
            let beatAt = row.date("beat_at")
        else { return nil }
        return BotHealth(guildID: try row.string("guild_id"), latencyMS: row.optionalInt("latency_ms"), beatAt: beatAt)
    }
}
