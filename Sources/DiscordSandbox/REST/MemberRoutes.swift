import JSONSupport
/// Guild members and their roles and nicknames (docs: `resources/guild` "Get Guild Member", "List Guild
/// Members", "Modify Guild Member", "Add Guild Member Role", "Remove Guild Member Role"; the rules:
/// `topics/permissions` "Permission Hierarchy"). Every change is logged for tests and dispatched as
/// GUILD_MEMBER_UPDATE.
enum MemberRoutes {
    /// Adding and removing a member's role count against one bucket per guild.
    static let memberRolesBucket = "guild member roles"

    static var routes: [Route] {
        [
            .discord(.GET, "/guilds/{guild.id}/members", handler: list),
            .discord(.GET, "/guilds/{guild.id}/members/{user.id}", handler: member),
            .discord(.PATCH, "/guilds/{guild.id}/members/{user.id}", rateLimit: .memberModify, handler: modify),
            .discord(
                .PUT, "/guilds/{guild.id}/members/{user.id}/roles/{role.id}", sharedBucket: memberRolesBucket, rateLimit: .memberRoles,
                handler: addRole
            ),
            .discord(
                .DELETE, "/guilds/{guild.id}/members/{user.id}/roles/{role.id}", sharedBucket: memberRolesBucket,
                rateLimit: .memberRoles, handler: removeRole
            ),
        ]
    }

    /// The guild member object; 404 with 10004 Unknown Guild for another guild, 10007 Unknown Member for a
    /// user who is not in it (what GuildGate's sign-in checks for).
    @Sendable
    static func member(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        try context.requireSandboxGuild()
        let userID = try context.snowflake("user.id", field: "user_id")
        guard let member = context.state.withLock({ $0.gateway.guild.member(id: userID) }) else {
            throw HTTPError.unknownGuildMember
        }
        return .json(member.json)
    }

    /// `?limit=1..1000` (default 1) members with ids above `after` (default 0), by id. Only for an application
    /// whose GUILD_MEMBERS privileged intent is enabled ("This endpoint requires the GUILD_MEMBERS Privileged
    /// Intent"; `events/gateway` "HTTP Restrictions"): without it, 403 50001 Missing Access, what Discord answers.
    @Sendable
    static func list(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        try context.requireSandboxGuild()
        let limit = try context.queryLimit(1...1000, default: 1)
        let after = try context.querySnowflake("after") ?? 0
        return .json(
            try context.state.withLock { parts throws(HTTPError) in
                guard parts.gateway.settings.enabledPrivilegedIntents.contains(.guildMembers) else { throw HTTPError.missingAccess }
                return .array(parts.gateway.guild.membersByID(after: after, limit: limit).map(\.json))
            }
        )
    }

    /// `nick` and `roles` → 200 with the member. A new nickname needs MANAGE_NICKNAMES on a member below the
    /// bot who is not the owner; each role added or removed needs MANAGE_ROLES and must be below the bot's
    /// highest role and not managed. Roles the list keeps are not checked.
    @Sendable
    static func modify(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        try context.requireSandboxGuild()
        let userID = try context.snowflake("user.id", field: "user_id")
        let reason = try context.auditLogReason()
        let edit = try MemberPatch(context.request).edit
        let member = try context.state.withLock { parts throws(HTTPError) in
            let guild = parts.gateway.guild
            guard let member = guild.member(id: userID) else { throw HTTPError.unknownGuildMember }
            if case .set = edit.nick { try guild.requireBotMayRename(member) }
            if let roles = edit.roles {
                let changed = roles.filter { !member.roles.contains($0) } + member.roles.filter { !roles.contains($0) }
                for id in changed {
                    guard guild.roles.isAssignable(id), let role = guild.roles.role(id: id) else { throw HTTPError.unknownRole }
                    try guild.requireBotMayAssign(role)
                }
            }
            return parts.gateway.editMember(id: userID, edit, by: .bot, reason: reason, now: .now) ?? member
        }
        return .json(member.json)
    }

    /// 204; a role the member already has changes nothing.
    @Sendable
    static func addRole(_ context: RequestContext) async throws -> SandboxResponse {
        try changeRole(context) { roles, id in roles.contains(id) ? roles : roles + [id] }
    }

    /// 204; a role the member does not have changes nothing.
    @Sendable
    static func removeRole(_ context: RequestContext) async throws -> SandboxResponse {
        try changeRole(context) { roles, id in roles.filter { $0 != id } }
    }

    /// Checks, in Discord's order of resources: the guild (10004), the member (10007), the role (10011), then
    /// the bot's right to assign it (50013); then applies `newRoles` to the member's roles.
    private static func changeRole(
        _ context: RequestContext,
        newRoles: ([String], String) -> [String]
    ) throws(HTTPError) -> SandboxResponse {
        try context.requireBotToken()
        try context.requireSandboxGuild()
        let userID = try context.snowflake("user.id", field: "user_id")
        let roleID = try context.snowflake("role.id", field: "role_id")
        let reason = try context.auditLogReason()
        try context.state.withLock { parts throws(HTTPError) in
            let guild = parts.gateway.guild
            guard let member = guild.member(id: userID) else { throw HTTPError.unknownGuildMember }
            guard guild.roles.isAssignable(roleID), let role = guild.roles.role(id: roleID) else { throw HTTPError.unknownRole }
            try guild.requireBotMayAssign(role)
            let edit = MemberEdit(roles: newRoles(member.roles, roleID))
            _ = parts.gateway.editMember(id: userID, edit, by: .bot, reason: reason, now: .now)
        }
        return SandboxResponse(status: .noContent)
    }
}
