import JSONSupport
import WireFormats

/// Guild members, their roles and nicknames (docs: `resources/guild` "Get Guild Member", "List Guild Members",
/// "Modify Guild Member", "Add Guild Member Role", "Remove Guild Member Role"). The changes need MANAGE_ROLES
/// or MANAGE_NICKNAMES and a target below the bot's highest role; a refusal is 50013
/// (``DiscordErrorCode/missingPermissions``), a member who left 10007 (``DiscordErrorCode/unknownMember``), a
/// deleted role 10011 (``DiscordErrorCode/unknownRole``). `reason` goes to the guild's audit log.
extension DiscordClient {
    /// `GET /guilds/{guild.id}/members/{user.id}`.
    public func guildMember(guildID: String, userID: String) throws(DiscordError) -> GuildMember {
        try send(Route(.get, "/guilds/\(guildID)/members/\(userID)"), as: GuildMember.self)
    }

    /// `GET /guilds/{guild.id}/members`: up to `limit` (1–1000) members whose user ids come after `after`, by
    /// user id. Page on with the last member's id until a page is shorter than `limit`. Discord answers 403
    /// 50001 unless the GUILD_MEMBERS privileged intent is enabled for the application.
    public func guildMembers(guildID: String, after: String? = nil, limit: Int = 1000) throws(DiscordError) -> [GuildMember] {
        var query: [(name: String, value: String)] = [("limit", String(limit))]
        if let after { query.append(("after", after)) }
        return try send(Route(.get, FormEncoding.appendQuery(query, to: "/guilds/\(guildID)/members")), as: [GuildMember].self)
    }

    /// `PUT /guilds/{guild.id}/members/{user.id}/roles/{role.id}`; a role the member has already is no error.
    public func addMemberRole(guildID: String, userID: String, roleID: String, reason: String? = nil) throws(DiscordError) {
        try send(Route(.put, "/guilds/\(guildID)/members/\(userID)/roles/\(roleID)"), auditLogReason: reason)
    }

    /// `DELETE /guilds/{guild.id}/members/{user.id}/roles/{role.id}`; a role the member lacks is no error.
    public func removeMemberRole(guildID: String, userID: String, roleID: String, reason: String? = nil) throws(DiscordError) {
        try send(Route(.delete, "/guilds/\(guildID)/members/\(userID)/roles/\(roleID)"), auditLogReason: reason)
    }

    /// `PATCH /guilds/{guild.id}/members/{user.id}` with `nick` (`nil` removes the nickname); the member as it
    /// is now. Make `nick` with ``GuildMember/nickname(_:)``: Discord refuses more than 32 characters with
    /// 50035.
    @discardableResult
    public func setNickname(guildID: String, userID: String, nick: String?, reason: String? = nil) throws(DiscordError) -> GuildMember {
        try send(
            Route(.patch, "/guilds/\(guildID)/members/\(userID)"), body: .json(["nick": nick.json]), auditLogReason: reason,
            as: GuildMember.self)
    }
}
