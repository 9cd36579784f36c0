import DiscordKit

/// Why a run stopped, with the fix an admin can apply: shown on the dashboard until a run gets past it.
public enum GroupRunProblem: Error, Equatable, CustomStringConvertible {
    /// The bot's highest role is not above a role it must give or take.
    case roleAboveBot(roleName: String, botRoleName: String)
    /// The bot's roles lack a permission.
    case missingPermission(String)
    /// List Guild Members needs the Server Members privileged intent.
    case membersIntent

    public var description: String {
        switch self {
        case .roleAboveBot(let role, let botRole):
            return "The bot's role is not above \(role), so Discord refuses to give or take it. "
                + "Fix: move the \(botRole) role above \(role) in Server Settings → Roles."
        case .missingPermission(let permission):
            return "The bot lacks \(permission). Fix: give its role \(permission) in Server Settings → Roles."
        case .membersIntent:
            return "Discord refuses the member list: the Server Members intent is off. "
                + "Fix: Developer Portal → your application → Bot → enable Server Members Intent."
        }
    }

    /// What a 50013 refusal on `roleID` means: which role sits too high, or which permission is missing.
    static func diagnose(roleID: String?, needing permission: Permissions, guild: DiscordGuild, botRoleIDs: [String]) -> GroupRunProblem {
        let botRoles = guild.roles.filter { botRoleIDs.contains($0.id) || $0.id == guild.id }
        let top = botRoles.max { $0.position < $1.position }
        let granted = botRoles.reduce(Permissions()) { $0.union($1.permissions) }
        if !granted.contains(.administrator), !granted.contains(permission) {
            return .missingPermission(permission.names.first ?? "\(permission)")
        }
        if let roleID, let role = guild.roles.first(where: { $0.id == roleID }), role.position >= (top?.position ?? 0) {
            return .roleAboveBot(roleName: role.name, botRoleName: top?.name ?? "GuildGate")
        }
        return .missingPermission(permission.names.first ?? "\(permission)")
    }
}
