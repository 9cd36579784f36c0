import DiscordKit
import JSONSupport
import Store

/// What an admin (or a script with the API token) does to groups: import the guild's roles, create, map
/// and delete groups, add and remove members, ask for a verify. Each change is written with its audit entry
/// in one transaction; a membership change also queues a verify of that member, so Discord follows within
/// seconds instead of at the next scheduled run.
public struct GroupAdministration {
    let db: PostgresConnection
    let actor: AuditActor

    public init(db: PostgresConnection, actor: AuditActor) {
        self.db = db
        self.actor = actor
    }

    /// A user added to or removed from a group.
    public struct MembershipChange: Sendable {
        public let group: Group
        public let user: User
        /// False when the user already was (or was not) in the group: nothing was written.
        public let changed: Bool
        /// The verify of this member queued with the change.
        public let job: Job?
    }

    // MARK: - Groups

    /// Imports the roles as groups mapped to them (`GroupStore.importRoles`); returns how many groups were new.
    @discardableResult
    public func importRoles(_ roleImport: RoleImport) throws -> Int {
        // The import is a transaction of its own (transactions do not nest); the entry follows it.
        let created = try GroupStore(db).importRoles(roleImport.roles.map { ($0.id, $0.name) })
        try audit(
            db, "groups.import", target: nil,
            [
                "created": .int(created), "roles": .array(roleImport.roles.map { .string($0.name) }),
                "skipped": .array(roleImport.skipped.map { .string($0.role.name) }),
            ])
        return created
    }

    /// A local group, mapped to `role` when given.
    public func createGroup(name: String, role: GuildRole?) throws -> Group {
        try db.transaction { db in
            let groups = GroupStore(db)
            if let role, let holder = try groups.all().first(where: { $0.roleID == role.id }) {
                throw GroupAdministrationError.roleTaken(roleID: role.id, group: holder.name)
            }
            guard let group = try groups.create(name: name, roleID: role?.id) else { throw GroupAdministrationError.nameTaken(name) }
            try audit(db, "group.create", target: AuditTarget.group(group.id), ["group": .string(name), "role_id": (role?.id).json])
            return group
        }
    }

    /// Maps the group to `role`, or unmaps it (nil): GuildGate then never touches that role again.
    public func mapRole(groupID: Int, role: GuildRole?) throws -> Group {
        try db.transaction { db in
            let groups = GroupStore(db)
            let group = try Self.group(groupID, in: groups)
            // Checked first: a unique violation would abort the transaction.
            if let role, let holder = try groups.all().first(where: { $0.roleID == role.id && $0.id != groupID }) {
                throw GroupAdministrationError.roleTaken(roleID: role.id, group: holder.name)
            }
            guard try groups.map(groupID: groupID, roleID: role?.id) else { throw GroupAdministrationError.unknownGroup(groupID) }
            try audit(
                db, role == nil ? "group.unmap" : "group.map", target: AuditTarget.group(groupID),
                ["group": .string(group.name), "role_id": (role?.id ?? group.roleID).json])
            return try Self.group(groupID, in: groups)
        }
    }

    /// Deletes the group and its memberships; members keep the role on Discord (it is no longer mapped).
    public func deleteGroup(groupID: Int) throws {
        try db.transaction { db in
            let groups = GroupStore(db)
            let group = try Self.group(groupID, in: groups)
            _ = try groups.delete(groupID: groupID)
            try audit(
                db, "group.delete", target: AuditTarget.group(groupID),
                ["group": .string(group.name), "role_id": group.roleID.json, "members": .int(group.memberCount)])
        }
    }

    // MARK: - Members

    /// Adds the user who linked `discordID` to the group.
    public func addMember(groupID: Int, discordID: String) throws -> MembershipChange {
        try changeMembership(groupID: groupID, discordID: discordID, action: "group.join") { groups, user in
            try groups.add(userID: user.id, groupID: groupID)
        }
    }

    /// Removes the user who linked `discordID` from the group.
    public func removeMember(groupID: Int, discordID: String) throws -> MembershipChange {
        try changeMembership(groupID: groupID, discordID: discordID, action: "group.leave") { groups, user in
            try groups.remove(userID: user.id, groupID: groupID)
        }
    }

    private func changeMembership(
        groupID: Int, discordID: String, action: String, _ change: (GroupStore, User) throws -> Bool
    ) throws -> MembershipChange {
        try db.transaction { db in
            let groups = GroupStore(db)
            let group = try Self.group(groupID, in: groups)
            guard let user = try UserStore(db).user(discordID: discordID) else {
                throw GroupAdministrationError.unknownMember(discordID: discordID)
            }
            guard try change(groups, user) else { return MembershipChange(group: group, user: user, changed: false, job: nil) }
            let job = try JobStore(db).enqueue(.groupsVerify(discordID: discordID, requestedBy: actor.description))
            try audit(
                db, action, target: AuditTarget.member(discordID),
                ["group_id": .int(group.id), "group": .string(group.name), "user_id": .int(user.id), "job_id": .int(job.id)])
            return MembershipChange(group: try Self.group(groupID, in: groups), user: user, changed: true, job: job)
        }
    }

    /// Queues a verify of every linked member.
    public func verifyAll() throws -> Job {
        try db.transaction { db in
            let job = try JobStore(db).enqueue(.groupsVerify(discordID: nil, requestedBy: actor.description))
            try audit(db, "groups.verify", target: nil, ["job_id": .int(job.id)])
            return job
        }
    }

    // MARK: - Roles

    /// The role `roleID` of the guild's `roles`, when a group may map it.
    public static func assignableRole(_ roleID: String, in roles: [GuildRole], guildID: String) throws(GroupAdministrationError)
        -> GuildRole
    {
        guard roleID != guildID else { throw .everyoneRole }
        guard let role = roles.first(where: { $0.id == roleID }) else { throw .unknownRole(roleID) }
        guard !role.managed else { throw .managedRole(name: role.name) }
        return role
    }

    // MARK: -

    private static func group(_ id: Int, in groups: GroupStore) throws -> Group {
        guard let group = try groups.group(id: id) else { throw GroupAdministrationError.unknownGroup(id) }
        return group
    }

    private func audit(_ db: PostgresConnection, _ action: String, target: String?, _ detail: JSON) throws {
        try AuditLogStore(db).record(actor: actor, action: action, target: target, detail: detail)
    }
}
