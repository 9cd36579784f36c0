/// Why an admin's change to groups was refused. Nothing was changed.
public enum GroupAdministrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownGroup(Int)
    /// No user has linked this Discord account (they log in with Discord on the website first).
    case unknownMember(discordID: String)
    case nameTaken(String)
    /// Another group maps the role: a role has one group, so verify never fights itself.
    case roleTaken(roleID: String, group: String)
    /// The guild has no such role (deleted, or an id from another server).
    case unknownRole(String)
    /// `@everyone` cannot be given or taken.
    case everyoneRole
    /// A role managed by an integration or a bot cannot be given or taken.
    case managedRole(name: String)
    /// The server id is not set: there are no roles to import or compare.
    case noGuild

    public var description: String {
        switch self {
        case .unknownGroup(let id):
            return "There is no group \(id)."
        case .unknownMember(let discordID):
            return "No user has linked the Discord account \(discordID): they log in with Discord on the website first."
        case .nameTaken(let name):
            return "A group named \(name) already exists."
        case .roleTaken(let roleID, let group):
            return "The role \(roleID) is already mapped to the group \(group): a role belongs to one group."
        case .unknownRole(let roleID):
            return
                "The server has no role \(roleID): run Sync groups to see its roles, or copy the id again (right-click the role → Copy Role ID)."
        case .everyoneRole:
            return "@everyone cannot be mapped: every member holds it."
        case .managedRole(let name):
            return "The role \(name) is managed by an integration or a bot: nobody can give or take it."
        case .noGuild:
            return "The server id is not set: set it at /admin/client (or DISCORD_GUILD_ID) first."
        }
    }
}
