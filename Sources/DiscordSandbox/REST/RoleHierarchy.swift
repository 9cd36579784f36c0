/// What the bot may do to members and their roles (docs: `topics/permissions` "Permission Hierarchy"): it
/// needs the permission from its roles, and it only manages what is below its highest role. Refusals are
/// 403 50013 Missing Permissions, as Discord's.
extension SandboxGuild {
    /// The bot's guild-wide permissions: `@everyone`'s and its roles' bits; ADMINISTRATOR grants all. The bot
    /// is never the owner.
    var botPermissions: UInt64 {
        let granted = roles.permissions(of: member(id: botID)?.roles ?? [])
        return granted & GuildPermissions.administrator != 0 ? .max : granted
    }

    /// The highest role a member holds, `@everyone` for a member without roles.
    func topRole(of member: GuildMember) -> SandboxRole {
        roles.highest(of: member.roles)
    }

    /// Adding or removing `role`: MANAGE_ROLES, and the role below the bot's highest role ("A bot can grant
    /// roles to other users that are of a lower position than its own highest role"). A managed role belongs
    /// to its integration and nobody assigns or removes it.
    func requireBotMayAssign(_ role: SandboxRole) throws(HTTPError) {
        guard botPermissions & GuildPermissions.manageRoles != 0, !role.isManaged, role.position < botTopPosition else {
            throw HTTPError.missingPermissions
        }
    }

    /// Changing `member`'s nickname: MANAGE_NICKNAMES, not the guild's owner, and the member's highest role
    /// below the bot's ("A bot can only kick, ban, and edit nicknames for users whose highest role is lower
    /// than the bot's highest role"; the bot itself included).
    func requireBotMayRename(_ member: GuildMember) throws(HTTPError) {
        guard botPermissions & GuildPermissions.manageNicknames != 0, member.id != Self.ownerID,
            topRole(of: member).position < botTopPosition
        else { throw HTTPError.missingPermissions }
    }

    private var botTopPosition: Int {
        member(id: botID).map { topRole(of: $0).position } ?? 0
    }
}
