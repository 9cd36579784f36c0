import Foundation

/// One stretch of a member's presence history: what they showed from `start` until `end` (nil: still).
public struct PresenceInterval: Sendable, Equatable {
    public let status: String
    public let customStatus: String?
    public let activity: String?
    public let start: Date
    public let end: Date?

    public init(status: String, customStatus: String?, activity: String?, start: Date, end: Date?) {
        self.status = status
        self.customStatus = customStatus
        self.activity = activity
        self.start = start
        self.end = end
    }
}

/// The `presence_history` table: written by the triggers of migration 9 as presences change, read by a
/// staff member's page, pruned by the `presence.history_prune` schedule.
public struct PresenceHistoryStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// The member's intervals that overlap [`from`, `to`), oldest first, in `guildID` (any guild when nil).
    public func intervals(discordID: String, guildID: String?, from: Date, to: Date) throws(StoreError) -> [PresenceInterval] {
        try db.query(
            """
            SELECT status, custom_status, activity, started_at, ended_at FROM presence_history
            WHERE discord_id = $1 AND ($2::text IS NULL OR guild_id = $2) AND started_at < $4 AND (ended_at IS NULL OR ended_at > $3)
            ORDER BY started_at, id
            """, [discordID, guildID, from, to]
        ).rows.map { row throws(StoreError) in
            guard let start = row.date("started_at") else { throw .unexpectedResult("presence_history.started_at is not a timestamp") }
            return PresenceInterval(
                status: try row.string("status"), customStatus: row["custom_status"], activity: row["activity"], start: start,
                end: row.date("ended_at"))
        }
    }

    /// Deletes the intervals that ended before `cutoff`; returns how many.
    public func prune(endedBefore cutoff: Date) throws(StoreError) -> Int {
        try db.query("DELETE FROM presence_history WHERE ended_at < $1", [cutoff]).affectedRows
    }
}
