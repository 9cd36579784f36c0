import Foundation
import JSONSupport

/// A group of users, mapped to at most one Discord role.
public struct Group: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// Imported from the guild's roles ("Sync groups").
        case discord
        /// Created in the admin panel.
        case local
    }

    public let id: Int
    public let name: String
    public let roleID: String?
    public let source: Source
    public let memberCount: Int

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        name = try row.string("name")
        roleID = row["role_id"]
        source = Source(rawValue: try row.string("source")) ?? .local
        memberCount = row.optionalInt("member_count") ?? 0
    }
}

/// A linked user's membership of the groups that map roles: what verify compares with Discord.
public struct LinkedMember: Sendable, Equatable {
    public let userID: Int
    public let discordID: String
    /// The roles of the user's groups.
    public let roleIDs: Set<String>

    public init(userID: Int, discordID: String, roleIDs: Set<String>) {
        self.userID = userID
        self.discordID = discordID
        self.roleIDs = roleIDs
    }
}

/// The `groups` and `group_members` tables.
public struct GroupStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    static let columns = """
        g.id, g.name, g.role_id, g.source, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count
        """

    public func all() throws(StoreError) -> [Group] {
        try db.query("SELECT \(Self.columns) FROM groups g ORDER BY lower(g.name), g.id").rows.map(Group.init)
    }

    public func group(id: Int) throws(StoreError) -> Group? {
        try db.query("SELECT \(Self.columns) FROM groups g WHERE g.id = $1", [id]).first.map(Group.init)
    }

    /// A local group, mapped to `roleID` when given; nil when the name or the role is taken.
    public func create(name: String, roleID: String?) throws(StoreError) -> Group? {
        let result = try db.query(
            """
            INSERT INTO groups (name, role_id, source) VALUES ($1, $2, 'local') ON CONFLICT DO NOTHING
            RETURNING id, name, role_id, source, 0 AS member_count
            """, [name, roleID])
        return try result.first.map(Group.init)
    }

    /// Maps the group to `roleID` (nil: unmapped); false when another group has that role.
    public func map(groupID: Int, roleID: String?) throws(StoreError) -> Bool {
        do {
            return try db.query("UPDATE groups SET role_id = $2 WHERE id = $1 RETURNING id", [groupID, roleID]).first != nil
        } catch let error where error.isUniqueViolation {
            return false
        }
    }

    public func delete(groupID: Int) throws(StoreError) -> Bool {
        try db.query("DELETE FROM groups WHERE id = $1 RETURNING id", [groupID]).first != nil
    }

    /// Imports roles as groups: a role already mapped keeps its group (renamed to the role's name when the
    /// name is free), a new one gets a group. Returns how many groups were created.
    public func importRoles(_ roles: [(id: String, name: String)]) throws -> Int {
        try db.transaction { db in
            var created = 0
            for role in roles {
                if try db.query(
                    "UPDATE groups SET name = $2 WHERE role_id = $1 AND NOT EXISTS (SELECT 1 FROM groups WHERE name = $2 AND role_id IS DISTINCT FROM $1) RETURNING id",
                    [role.id, role.name]
                ).first != nil {
                    continue
                }
                if try db.query("SELECT 1 FROM groups WHERE role_id = $1", [role.id]).first != nil { continue }
                // A local group of the same name takes the role; otherwise a new group, named apart if needed.
                if try db.query("UPDATE groups SET role_id = $2 WHERE name = $1 AND role_id IS NULL RETURNING id", [role.name, role.id])
                    .first != nil
                {
                    continue
                }
                let name =
                    try db.query("SELECT 1 FROM groups WHERE name = $1", [role.name]).first == nil ? role.name : "\(role.name) (\(role.id))"
                try db.query("INSERT INTO groups (name, role_id, source) VALUES ($1, $2, 'discord')", [name, role.id])
                created += 1
            }
            return created
        }
    }

    /// Adds the user to the group; false when already in it.
    public func add(userID: Int, groupID: Int) throws(StoreError) -> Bool {
        try db.query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING group_id", [groupID, userID]
        ).first != nil
    }

    /// Removes the user from the group; false when not in it.
    public func remove(userID: Int, groupID: Int) throws(StoreError) -> Bool {
        try db.query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 RETURNING group_id", [groupID, userID]).first != nil
    }

    public func groups(userID: Int) throws(StoreError) -> [Group] {
        try db.query(
            """
            SELECT \(Self.columns) FROM groups g JOIN group_members gm ON gm.group_id = g.id
            WHERE gm.user_id = $1 ORDER BY lower(g.name), g.id
            """, [userID]
        ).rows.map(Group.init)
    }

    /// Every role some group maps: the only roles GuildGate ever adds or removes.
    public func mappedRoleIDs() throws(StoreError) -> Set<String> {
        Set(try db.query("SELECT role_id FROM groups WHERE role_id IS NOT NULL").rows.compactMap { $0["role_id"] })
    }

    /// Every user with a linked Discord account (or only `discordID`), with the roles of their groups.
    public func linkedMembers(discordID: String? = nil) throws(StoreError) -> [LinkedMember] {
        try db.query(
            """
            SELECT u.id, u.discord_id, coalesce(json_agg(g.role_id) FILTER (WHERE g.role_id IS NOT NULL), '[]')::text AS role_ids
            FROM users u
            LEFT JOIN group_members gm ON gm.user_id = u.id
            LEFT JOIN groups g ON g.id = gm.group_id
            WHERE u.discord_id IS NOT NULL AND ($1::text IS NULL OR u.discord_id = $1)
            GROUP BY u.id, u.discord_id ORDER BY u.discord_id
            """, [discordID]
        ).rows.map { row throws(StoreError) in
            let roles = JSON.parse(Array(try row.string("role_ids").utf8))?.array?.compactMap(\.string) ?? []
            return LinkedMember(userID: try row.int("id"), discordID: try row.string("discord_id"), roleIDs: Set(roles))
        }
    }

    /// Remote priority: the user's membership of the groups mapping `mappedRoles` becomes what Discord says
    /// (`heldRoles`); local-only groups are untouched. Returns the group names joined and left.
    public func adopt(heldRoles: Set<String>, userID: Int) throws -> (joined: [String], left: [String]) {
        try db.transaction { db in
            let held = JSON.array(heldRoles.sorted().map(JSON.string)).serialized
            let left = try db.query(
                """
                DELETE FROM group_members gm USING groups g
                WHERE gm.group_id = g.id AND gm.user_id = $1 AND g.role_id IS NOT NULL
                  AND NOT ($2::jsonb ? g.role_id)
                RETURNING g.name
                """, [userID, held]
            ).rows.compactMap { $0["name"] }
            let joined = try db.query(
                """
                INSERT INTO group_members (group_id, user_id)
                SELECT g.id, $1 FROM groups g WHERE g.role_id IS NOT NULL AND $2::jsonb ? g.role_id
                ON CONFLICT DO NOTHING
                RETURNING (SELECT name FROM groups WHERE id = group_id) AS name
                """, [userID, held]
            ).rows.compactMap { $0["name"] }
            return (joined.sorted(), left.sorted())
        }
    }

    /// Each user's first group by name: what a nickname's `%group` shows.
    public func firstGroupNames() throws(StoreError) -> [Int: String] {
        var names: [Int: String] = [:]
        for row in try db.query(
            """
            SELECT DISTINCT ON (gm.user_id) gm.user_id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
            ORDER BY gm.user_id, lower(g.name), g.id
            """
        ).rows {
            names[try row.int("user_id")] = try row.string("name")
        }
        return names
    }

    /// A role deleted on Discord: the groups that mapped it keep their members and map nothing.
    public func unmap(roleID: String) throws(StoreError) {
        try db.query("UPDATE groups SET role_id = NULL WHERE role_id = $1", [roleID])
    }
}
