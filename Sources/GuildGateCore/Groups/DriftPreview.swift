import Store

/// The preview `/admin/groups` shows before anything is applied: each linked member present in the guild
/// whose mapped roles differ from their groups', and the exact roles a verify would add and remove, as the
/// bot last saw the guild (`guild_members`).
public struct DriftPreview: Sendable {
    /// A mapped role, named by the group that maps it (imported groups carry their role's name).
    public struct Role: Sendable, Equatable {
        public let id: String
        public let group: String?
    }

    public struct Member: Sendable, Equatable {
        public let discordID: String
        public let userID: Int
        public let username: String?
        public let add: [Role]
        public let remove: [Role]
    }

    public let guildID: String
    public let members: [Member]

    /// `RoleDrift.compute` over the guild's present members, the linked users and the mapped roles.
    public static func load(db: PostgresConnection, guildID: String) throws -> DriftPreview {
        let groups = GroupStore(db)
        let present = try GuildMemberStore(db).present(guildID: guildID)
        let drift = RoleDrift.compute(members: present, linked: try groups.linkedMembers(), mappedRoles: try groups.mappedRoleIDs())
        var roleGroups: [String: String] = [:]
        for group in try groups.all() {
            if let roleID = group.roleID { roleGroups[roleID] = group.name }
        }
        let usernames = Dictionary(present.map { ($0.discordID, $0.username) }, uniquingKeysWith: { first, _ in first })
        return DriftPreview(
            guildID: guildID,
            members: drift.map { member in
                Member(
                    discordID: member.discordID, userID: member.userID, username: usernames[member.discordID] ?? nil,
                    add: member.add.map { Role(id: $0, group: roleGroups[$0]) },
                    remove: member.remove.map { Role(id: $0, group: roleGroups[$0]) })
            })
    }
}
