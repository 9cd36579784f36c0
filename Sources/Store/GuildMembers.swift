import Foundation
import JSONSupport

/// A member of the guild as the bot last saw them.
public struct GuildMemberRecord: Sendable, Equatable {
    public let guildID: String
    public let discordID: String
    public let username: String?
    public let globalName: String?
    public let nick: String?
    public let roleIDs: Set<String>
    public let leftAt: Date?

    public init(
        guildID: String, discordID: String, username: String?, globalName: String?, nick: String?, roleIDs: Set<String>,
        leftAt: Date? = nil
    ) {
        self.guildID = guildID
        self.discordID = discordID
        self.username = username
        self.globalName = globalName
        self.nick = nick
        self.roleIDs = roleIDs
        self.leftAt = leftAt
    }

    init(_ row: Row) throws(StoreError) {
        guildID = try row.string("guild_id")
        discordID = try row.string("discord_id")
        username = row["username"]
        globalName = row["global_name"]
        nick = row["nick"]
        roleIDs = Set(JSON.parse(Array(try row.string("role_ids").utf8))?.array?.compactMap(\.string) ?? [])
        leftAt = row.date("left_at")
    }
}

/// The `guild_members` table: kept by the bot from gateway events and member lists.
public struct GuildMemberStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    static let columns = "guild_id, discord_id, username, global_name, nick, role_ids::text AS role_ids, left_at"

    /// Records members as present (a member who came back is no longer marked as left), and keeps linked
    /// users' Discord names current.
    public func upsert(_ members: [GuildMemberRecord]) throws {
        guard !members.isEmpty else { return }
        try db.transaction { db in
            for member in members {
                try db.query(
                    """
                    INSERT INTO guild_members (guild_id, discord_id, username, global_name, nick, role_ids, left_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6::jsonb, NULL, now())
                    ON CONFLICT (guild_id, discord_id) DO UPDATE SET username = coalesce(excluded.username, guild_members.username),
                        global_name = excluded.global_name, nick = excluded.nick, role_ids = excluded.role_ids,
                        left_at = NULL, updated_at = now()
                    """,
                    [
                        member.guildID, member.discordID, member.username, member.globalName, member.nick,
                        JSON.array(member.roleIDs.sorted().map(JSON.string)).serialized,
                    ])
                try db.query(
                    """
                    UPDATE users SET discord_username = coalesce($2, discord_username), discord_global_name = $3
                    WHERE discord_id = $1
                    """, [member.discordID, member.username, member.globalName])
            }
        }
    }

    /// Marks a member as gone from the guild (Unknown Member, GUILD_MEMBER_REMOVE); nothing is deleted.
    public func markLeft(guildID: String, discordID: String) throws(StoreError) {
        try db.query(
            """
            INSERT INTO guild_members (guild_id, discord_id, left_at) VALUES ($1, $2, now())
            ON CONFLICT (guild_id, discord_id) DO UPDATE SET left_at = coalesce(guild_members.left_at, now()), updated_at = now()
            """, [guildID, discordID])
    }

    /// Members still in the guild (or only `discordID`).
    public func present(guildID: String, discordID: String? = nil) throws(StoreError) -> [GuildMemberRecord] {
        try db.query(
            """
            SELECT \(Self.columns) FROM guild_members
            WHERE guild_id = $1 AND left_at IS NULL AND ($2::text IS NULL OR discord_id = $2) ORDER BY discord_id
            """, [guildID, discordID]
        ).rows.map(GuildMemberRecord.init)
    }

    public func member(guildID: String, discordID: String) throws(StoreError) -> GuildMemberRecord? {
        try db.query("SELECT \(Self.columns) FROM guild_members WHERE guild_id = $1 AND discord_id = $2", [guildID, discordID])
            .first.map(GuildMemberRecord.init)
    }

    /// Marks as left every member of the guild not in `presentIDs` (after a full member list).
    public func markLeft(guildID: String, except presentIDs: Set<String>) throws(StoreError) -> Int {
        try db.query(
            """
            UPDATE guild_members SET left_at = now(), updated_at = now()
            WHERE guild_id = $1 AND left_at IS NULL AND NOT ($2::jsonb ? discord_id) RETURNING discord_id
            """, [guildID, JSON.array(presentIDs.sorted().map(JSON.string)).serialized]
        ).rows.count
    }

    /// Records a change GuildGate made on Discord, before the gateway echoes it.
    public func setRoles(guildID: String, discordID: String, roleIDs: Set<String>) throws(StoreError) {
        try db.query(
            "UPDATE guild_members SET role_ids = $3::jsonb, updated_at = now() WHERE guild_id = $1 AND discord_id = $2",
            [guildID, discordID, JSON.array(roleIDs.sorted().map(JSON.string)).serialized])
    }

    public func setNick(guildID: String, discordID: String, nick: String?) throws(StoreError) {
        try db.query(
            "UPDATE guild_members SET nick = $3, updated_at = now() WHERE guild_id = $1 AND discord_id = $2", [guildID, discordID, nick])
    }
}
