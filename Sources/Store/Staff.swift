import Foundation

/// A row of the roster spreadsheet, as imported.
public struct StaffImportRow: Sendable, Equatable {
    public let line: Int
    public let name: String
    public let rank: String
    public let discordID: String
    /// False for a row the spreadsheet marks inactive (an export of the roster does).
    public let active: Bool

    public init(line: Int, name: String, rank: String, discordID: String, active: Bool = true) {
        self.line = line
        self.name = name
        self.rank = rank
        self.discordID = discordID
        self.active = active
    }
}

/// A staff member as the admin panel manages them, active or not.
public struct StaffMember: Sendable, Equatable {
    public let id: Int
    public let name: String
    public let rank: String
    public let discordID: String
    /// Inactive members stay in the table but are left off the roster.
    public let active: Bool
    /// The user who logged in with this Discord account, if any.
    public let userID: Int?
    public let createdAt: Date?
    public let updatedAt: Date?
    /// Whether the member's presence card (`GET /api/presence/{discord_id}`) is public.
    public var presenceCardPublic = false

    static let columns = "id, name, rank, discord_id, active, user_id, created_at, updated_at, presence_card_public"
}

extension StaffMember {
    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        name = try row.string("name")
        rank = try row.string("rank")
        discordID = try row.string("discord_id")
        active = row.bool("active")
        userID = row.optionalInt("user_id")
        createdAt = row.date("created_at")
        updatedAt = row.date("updated_at")
        presenceCardPublic = row.bool("presence_card_public")
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
        try db.transaction { db in try StaffStore(db).upsert(rows) }
    }

    /// `importRows` within a transaction the caller holds (with its audit record, say).
    public func upsert(_ rows: [StaffImportRow]) throws(StoreError) -> (created: Int, updated: Int) {
        var rankOrder: [String: Int] = [:]
        for row in rows where rankOrder[row.rank] == nil { rankOrder[row.rank] = rankOrder.count }
        var created = 0
        var updated = 0
        for row in rows {
            let result = try db.query(
                """
                INSERT INTO staff (name, rank, discord_id, sort_order, active, user_id)
                VALUES ($1, $2, $3, $4, $5, (SELECT id FROM users WHERE discord_id = $3))
                ON CONFLICT (discord_id) DO UPDATE SET name = excluded.name, rank = excluded.rank,
                    sort_order = excluded.sort_order, active = excluded.active, updated_at = now()
                RETURNING (xmax = 0) AS created
                """, [row.name, row.rank, row.discordID, rankOrder[row.rank] ?? 0, row.active])
            if result.first?.bool("created") == true { created += 1 } else { updated += 1 }
        }
        return (created, updated)
    }

    // MARK: - One member at a time (the admin panel)

    /// Everyone, or only the active (or inactive) members: active first, then as the roster orders them.
    public func members(active: Bool? = nil) throws(StoreError) -> [StaffMember] {
        try db.query(
            """
            SELECT \(StaffMember.columns) FROM staff WHERE ($1::boolean IS NULL OR active = $1)
            ORDER BY active DESC, sort_order, rank, lower(name), id
            """, [active]
        ).rows.map(StaffMember.init)
    }

    public func member(id: Int) throws(StoreError) -> StaffMember? {
        try db.query("SELECT \(StaffMember.columns) FROM staff WHERE id = $1", [id]).first.map(StaffMember.init)
    }

    /// A new active member, ranked with the members of the same rank (a new rank comes last); nil when
    /// another member has this Discord id.
    public func create(name: String, rank: String, discordID: String) throws(StoreError) -> StaffMember? {
        do {
            return try db.query(
                """
                INSERT INTO staff (name, rank, discord_id, sort_order, user_id)
                VALUES ($1, $2, $3, \(Self.sortOrder(rank: "$2", excluding: "0")), (SELECT id FROM users WHERE discord_id = $3))
                RETURNING \(StaffMember.columns)
                """, [name, rank, discordID]
            ).first.map(StaffMember.init)
        } catch let error where error.isUniqueViolation {
            return nil
        }
    }

    public enum Update: Sendable, Equatable {
        case updated(StaffMember)
        case notFound
        /// Another member has this Discord id.
        case discordIDTaken
    }

    /// Replaces a member's details, whether they are active and whether their presence card is public.
    public func update(
        id: Int, name: String, rank: String, discordID: String, active: Bool, presenceCardPublic: Bool
    ) throws(StoreError) -> Update {
        do {
            let row = try db.query(
                """
                UPDATE staff SET name = $2, rank = $3, discord_id = $4, active = $5, presence_card_public = $6, updated_at = now(),
                    sort_order = CASE WHEN rank = $3 THEN sort_order ELSE \(Self.sortOrder(rank: "$3", excluding: "$1")) END,
                    user_id = CASE WHEN discord_id = $4 THEN user_id ELSE (SELECT id FROM users WHERE discord_id = $4) END
                WHERE id = $1
                RETURNING \(StaffMember.columns)
                """, [id, name, rank, discordID, active, presenceCardPublic]
            ).first
            return try row.map { row throws(StoreError) in .updated(try StaffMember(row)) } ?? .notFound
        } catch let error where error.isUniqueViolation {
            return .discordIDTaken
        }
    }

    /// The order of `rank` among the others: that of a member already holding it, else after every rank.
    private static func sortOrder(rank: String, excluding id: String) -> String {
        """
        coalesce((SELECT min(sort_order) FROM staff WHERE rank = \(rank) AND id <> \(id)),
                 (SELECT coalesce(max(sort_order) + 1, 0) FROM staff))
        """
    }

    /// Links the staff member with this Discord id to a user who logged in with Discord.
    public func link(discordID: String, userID: Int) throws(StoreError) {
        try db.query("UPDATE staff SET user_id = $2, updated_at = now() WHERE discord_id = $1", [discordID, userID])
    }

    /// Active staff ordered by rank then name, each with the presence seen in `guildID` (offline when none).
    public func roster(guildID: String?) throws(StoreError) -> [RosterEntry] {
        let result = try db.query(
            """
            SELECT s.id, s.name, s.rank, s.discord_id, coalesce(p.status, 'offline') AS status,
                   p.custom_status, p.activity, p.updated_at
            FROM staff s \(Self.presenceJoin(guildID: guildID))
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

    /// The roster's rows as `roster` orders them, read in place (`RosterColumn` gives the positions):
    /// what the roster API writes as JSON without a copy per value. Timestamps come formatted by PostgreSQL
    /// as the API writes them (`2026-11-23T22:36:00.123Z`); every row also carries `rosterVersion` as of
    /// the rows (one statement, one snapshot).
    public func withRosterRows<T>(guildID: String?, _ read: (RawQueryResult) -> T) throws(StoreError) -> T {
        try db.withRawRows(
            """
            SELECT s.id, s.name, s.rank, s.discord_id, coalesce(p.status, 'offline'), p.custom_status, p.activity,
                   \(Self.apiTimestamp("p.updated_at")), \(Self.apiTimestamp("p.last_seen_at")),
                   (SELECT version FROM roster_version)
            FROM staff s \(Self.presenceJoin(guildID: guildID))
            WHERE s.active
            ORDER BY s.sort_order, s.rank, lower(s.name), s.id
            """, guildID.map { [$0] } ?? [], read)
    }

    /// A number that changes whenever a statement writes staff or presences (migration 11's triggers), with
    /// the rows it wrote: whoever writes, and whenever the writer's transaction began.
    public func rosterVersion() throws(StoreError) -> String {
        try db.query("SELECT version FROM roster_version").first?.string("version") ?? "0"
    }

    /// With a guild the presence is one primary-key match (a hash join); without one, the newest of any guild.
    private static func presenceJoin(guildID: String?) -> String {
        guildID == nil
            ? """
            LEFT JOIN LATERAL (
                SELECT status, custom_status, activity, updated_at, last_seen_at FROM presences
                WHERE discord_id = s.discord_id ORDER BY updated_at DESC LIMIT 1
            ) p ON true
            """ : "LEFT JOIN presences p ON p.guild_id = $1 AND p.discord_id = s.discord_id"
    }

    /// `column` (a timestamptz) in UTC with milliseconds, as `ISO8601Timestamp.format` writes it.
    private static func apiTimestamp(_ column: String) -> String {
        #"to_char(\#(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
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
