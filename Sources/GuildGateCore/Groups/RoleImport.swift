import DiscordKit

/// "Sync groups": which of the guild's roles become groups. Neither `@everyone` (every member holds it; its
/// id is the guild's) nor a role managed by an integration or a bot (nobody can give or take it) is one.
public struct RoleImport: Sendable, Equatable {
    /// A role left out, and why.
    public struct Skipped: Sendable, Equatable {
        public let role: GuildRole
        public let reason: String
    }

    /// The roles to import, highest first (as Server Settings → Roles lists them).
    public let roles: [GuildRole]
    public let skipped: [Skipped]

    public init(guildRoles: [GuildRole], guildID: String) {
        var roles: [GuildRole] = []
        var skipped: [Skipped] = []
        for role in guildRoles.sorted(by: { ($0.position, $0.id) > ($1.position, $1.id) }) {
            if role.id == guildID {
                skipped.append(Skipped(role: role, reason: "@everyone is every member's role"))
            } else if role.managed {
                let manager = role.tags?.botID.map { "the bot \($0)" } ?? "an integration"
                skipped.append(Skipped(role: role, reason: "managed by \(manager): nobody can give or take it"))
            } else {
                roles.append(role)
            }
        }
        self.roles = roles
        self.skipped = skipped
    }
}
