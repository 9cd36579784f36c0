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
        guard
            let row = try db.query(
                """
                SELECT guild_id, latency_ms, beat_at FROM bot_heartbeats
                WHERE $1::text IS NULL OR guild_id = $1 ORDER BY beat_at DESC LIMIT 1
                """, [guildID]
            ).first,
            let beatAt = row.date("beat_at")
        else { return nil }
        return BotHealth(guildID: try row.string("guild_id"), latencyMS: row.optionalInt("latency_ms"), beatAt: beatAt)
    }
}

/// What guildgate-bot reports of its gateway session in each heartbeat row.
public struct BotHeartbeat: Sendable, Equatable {
    public let guildID: String
    public let sessionStartedAt: Date
    public let latencyMS: Int?
    public let lastEventAt: Date?

    public init(guildID: String, sessionStartedAt: Date, latencyMS: Int?, lastEventAt: Date?) {
        self.guildID = guildID
        self.sessionStartedAt = sessionStartedAt
        self.latencyMS = latencyMS
        self.lastEventAt = lastEventAt
    }
}

extension BotHealthStore {
    /// Writes the bot's heartbeat row for its guild, stamped with the database's clock.
    public func beat(_ heartbeat: BotHeartbeat) throws(StoreError) {
        try db.query(
            """
            INSERT INTO bot_heartbeats (guild_id, session_started_at, latency_ms, last_event_at, beat_at)
            VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (guild_id) DO UPDATE SET session_started_at = EXCLUDED.session_started_at,
                latency_ms = EXCLUDED.latency_ms, last_event_at = EXCLUDED.last_event_at, beat_at = now()
            """, [heartbeat.guildID, heartbeat.sessionStartedAt, heartbeat.latencyMS, heartbeat.lastEventAt])
    }
}
