import Foundation
import JSONSupport

/// What the bot saw of one guild member's presence at one moment.
public struct PresenceRecord: Sendable, Equatable {
    public let guildID: String
    public let discordID: String
    /// online, idle, dnd or offline.
    public let status: String
    public let customStatus: String?
    public let activity: String?
    /// The `client_status` object (desktop/mobile/web → status), as JSON.
    public let clientStatus: JSON
    public let seenAt: Date

    public init(
        guildID: String, discordID: String, status: String, customStatus: String?, activity: String?, clientStatus: JSON, seenAt: Date
    ) {
        self.guildID = guildID
        self.discordID = discordID
        self.status = status
        self.customStatus = customStatus
        self.activity = activity
        self.clientStatus = clientStatus
        self.seenAt = seenAt
    }

    /// A member who left, or who is not online anywhere.
    public static func offline(guildID: String, discordID: String, seenAt: Date) -> PresenceRecord {
        PresenceRecord(
            guildID: guildID, discordID: discordID, status: "offline", customStatus: nil, activity: nil, clientStatus: [:], seenAt: seenAt)
    }
}

/// The `presences` table, written by guildgate-bot in batches.
public struct PresenceStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// Upserts a batch in one statement. A record older than the stored row is ignored, so replayed or
    /// re-delivered events never move a presence back in time. `last_seen_at` follows a member while they
    /// are not offline and stops at the record that took them offline; a change of status, custom status
    /// or activity goes to `presence_history` (the triggers of migration 9).
    public func upsert(_ records: [PresenceRecord]) throws(StoreError) {
        guard !records.isEmpty else { return }
        let rows: JSON = .array(
            records.map { record in
                [
                    "g": .string(record.guildID), "u": .string(record.discordID), "s": .string(record.status),
                    "c": record.customStatus.json, "a": record.activity.json, "cs": record.clientStatus,
                    "t": .string(PostgresTimestamp.format(record.seenAt)),
                ]
            })
        try db.query(
            """
            INSERT INTO presences AS p (guild_id, discord_id, status, custom_status, activity, client_status, updated_at, last_seen_at)
            SELECT g, u, s, c, a, coalesce(cs, '{}'), t, CASE WHEN s <> 'offline' THEN t END
            FROM jsonb_to_recordset($1::jsonb) AS r(g text, u text, s text, c text, a text, cs jsonb, t timestamptz)
            ON CONFLICT (guild_id, discord_id) DO UPDATE SET
                status = EXCLUDED.status, custom_status = EXCLUDED.custom_status, activity = EXCLUDED.activity,
                client_status = EXCLUDED.client_status, updated_at = EXCLUDED.updated_at,
                last_seen_at = CASE WHEN EXCLUDED.status <> 'offline' OR p.status <> 'offline' THEN EXCLUDED.updated_at
                                    ELSE p.last_seen_at END
            WHERE p.updated_at <= EXCLUDED.updated_at
            """, [rows.serialized])
    }

    /// Sets offline every member of `guildID` not seen since `before` (a full member list fetched at
    /// `before` did not include them), last seen now. Returns how many changed.
    public func markOffline(guildID: String, notSeenSince before: Date) throws(StoreError) -> Int {
        try db.query(
            """
            UPDATE presences SET status = 'offline', custom_status = NULL, activity = NULL, client_status = '{}',
                updated_at = now(), last_seen_at = now()
            WHERE guild_id = $1 AND updated_at < $2 AND status <> 'offline'
            """, [guildID, before]
        ).affectedRows
    }
}
