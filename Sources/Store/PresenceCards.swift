import Foundation

/// What a staff member's public presence card shows.
public struct PresenceCard: Sendable, Equatable {
    public let discordID: String
    public let name: String
    /// online, idle, dnd or offline (offline when the bot never saw them).
    public let status: String
    public let customStatus: String?
    public let activity: String?
    /// When they were last not offline; nil when never seen so.
    public let lastSeenAt: Date?

    public init(discordID: String, name: String, status: String, customStatus: String?, activity: String?, lastSeenAt: Date?) {
        self.discordID = discordID
        self.name = name
        self.status = status
        self.customStatus = customStatus
        self.activity = activity
        self.lastSeenAt = lastSeenAt
    }
}

/// Active staff members' presence cards: public only once the member made theirs public (`staff.presence_card_public`).
public struct PresenceCardStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// The card of `discordID` as seen in `guildID` (the newest presence of any guild when nil); nil unless
    /// that member is active staff and, when `onlyPublic`, made their card public.
    public func card(discordID: String, guildID: String?, onlyPublic: Bool = true) throws(StoreError) -> PresenceCard? {
        let row = try db.query(
            """
            SELECT s.discord_id, s.name, coalesce(p.status, 'offline') AS status, p.custom_status, p.activity, p.last_seen_at
            FROM staff s
            LEFT JOIN LATERAL (
                SELECT status, custom_status, activity, last_seen_at FROM presences
                WHERE discord_id = s.discord_id AND ($2::text IS NULL OR guild_id = $2) ORDER BY updated_at DESC LIMIT 1
            ) p ON true
            WHERE s.discord_id = $1 AND s.active AND (s.presence_card_public OR NOT $3)
            """, [discordID, guildID, onlyPublic]
        ).first
        return try row.map { row throws(StoreError) in
            PresenceCard(
                discordID: try row.string("discord_id"), name: try row.string("name"), status: try row.string("status"),
                customStatus: row["custom_status"], activity: row["activity"], lastSeenAt: row.date("last_seen_at"))
        }
    }
}
