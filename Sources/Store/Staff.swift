import Foundation

/// A row of the roster spreadsheet, as imported.
public struct StaffImportRow: Sendable, Equatable {
    public let line: Int
    public let name: String
    public let rank: String
    public let discordID: String

    public init(line: Int, name: String, rank: String, discordID: String) {
        self.line = line
        self.name = name
        self.rank = rank
        self.discordID = discordID
    }
}

/// A staff member with the presence the bot last saw for them.
public struct RosterEntry: Sendable, Equatable {
    public let id: Int
    public let name: String
    public let rank: String
    public let discordID: String
    public let status: String
    public let customStatus: String?
    public let activity: String?
    public let statusUpdatedAt: Date?
}

/// The `staff` table and the roster view over `staff` + `presences`.
public struct StaffStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// Imports rows in one transaction, idempotent by Discord id. Ranks keep the order in which the
    /// spreadsheet first lists them (senior first, as rosters usually are). Returns (created, updated).
    public func importRows(_ rows: [StaffImportRow]) throws -> (created: Int, updated: Int) {
        var rankOrder: [String: Int] = [:]
        for row in rows where rankOrder[row.rank] == nil { rankOrder[row.rank] = rankOrder.count }
        return try db.transaction { db in
            var created = 0
            var updated = 0
            for row in rows {
                let result = try db.query(
                    """
                    INSERT INTO staff (name, rank, discord_id, sort_order, user_id)
                    VALUES ($1, $2, $3, $4, (SELECT id FROM users WHERE discord_id = $3))
                    ON CONFLICT (discord_id) DO UPDATE SET name = excluded.name, rank = excluded.rank,
                        sort_order = excluded.sort_order, active = true, updated_at = now()
                    RETURNING (xmax = 0) AS created
                    """, [row.name, row.rank, row.discordID, rankOrder[row.rank] ?? 0])
                if result.first?.bool("created") == true { created += 1 } else { updated += 1 }
            }
            return (created, updated)
        }
    }

    /// Links the staff member with this Discord id to a user who logged in with Discord.
    public func link(discordID: String, userID: Int) throws(StoreError) {
        try db.query("UPDATE staff SET user_id = $2, updated_at = now() WHERE discord_id = $1", [discordID, userID])
    }

    /// Active staff ordered by rank then name, each with the presence seen in `guildID` (offline when none).
    public func roster(guildID: String?) throws(StoreError) -> [RosterEntry] {
        // With a guild the presence is one primary-key match (a hash join); without one, the newest of any guild.
        let presence =
            guildID == nil
            ? """
            LEFT JOIN LATERAL (
                SELECT status, custom_status, activity, updated_at FROM presences
                WHERE discord_id = s.discord_id ORDER BY updated_at DESC LIMIT 1
            ) p ON true
            """ : "LEFT JOIN presences p ON p.guild_id = $1 AND p.discord_id = s.discord_id"
        let result = try db.query(
            """
            SELECT s.id, s.name, s.rank, s.discord_id, coalesce(p.status, 'offline') AS status,
                   p.custom_status, p.activity, p.updated_at
            FROM staff s \(presence)
            WHERE s.active
            ORDER BY s.sort_order, s.rank, lower(s.name), s.id
            """, guildID.map { [$0] } ?? [])
        return try result.rows.map { row throws(StoreError) in
            RosterEntry(
                id: try row.int("id"), name: try row.string("name"), rank: try row.string("rank"),
                discordID: try row.string("discord_id"), status: try row.string("status"),
                customStatus: row["custom_status"], activity: row["activity"], statusUpdatedAt: row.date("updated_at"))
        }
    }

    /// Active staff members' ranks by Discord id: what a nickname's `%rank` shows.
    public func ranks() throws(StoreError) -> [String: String] {
        var ranks: [String: String] = [:]
        for row in try db.query("SELECT discord_id, rank FROM staff WHERE active").rows {
            ranks[try row.string("discord_id")] = try row.string("rank")
        }
        return ranks
    }
}
