import DiscordKit
import GuildGateCore
import Store

/// What the groups page's forms and the JSON API both do, from input already read to result: the HTTP side of
/// `GroupAdministration` (who acts, the server's roles from Discord, input checks).
struct GroupCommands {
    let context: RequestContext

    init(_ context: RequestContext) {
        self.context = context
    }

    private func administration() throws -> GroupAdministration {
        GroupAdministration(db: context.db, actor: try context.auditActor())
    }

    private func guildID() throws -> String {
        guard let guildID = context.config.discordGuildID else { throw GroupAdministrationError.noGuild }
        return guildID
    }

    /// The server's roles, from Discord.
    private func guildRoles(_ guildID: String) throws -> [GuildRole] {
        do {
            return try context.adminDiscord().guildRoles(guildID: guildID)
        } catch {
            throw DiscordCallError("read the server's roles", error)
        }
    }

    /// "Sync groups": imports the server's roles as groups.
    func sync() throws -> (RoleImport, created: Int) {
        let guildID = try guildID()
        let roles = RoleImport(guildRoles: try guildRoles(guildID), guildID: guildID)
        let created = try administration().importRoles(roles)
        context.logger.info("groups synced with the server's roles", metadata: ["roles": "\(roles.roles.count)", "created": "\(created)"])
        return (roles, created)
    }

    func create(name: String, roleID: String?) throws -> Group {
        try administration().createGroup(name: name, role: try role(roleID))
    }

    /// Maps the group to the role `roleID`, or unmaps it (nil).
    func map(groupID: Int, roleID: String?) throws -> Group {
        try administration().mapRole(groupID: groupID, role: try role(roleID))
    }

    func delete(groupID: Int) throws {
        try administration().deleteGroup(groupID: groupID)
    }

    func addMember(groupID: Int, discordID: String) throws -> GroupAdministration.MembershipChange {
        try administration().addMember(groupID: groupID, discordID: discordID)
    }

    func removeMember(groupID: Int, discordID: String) throws -> GroupAdministration.MembershipChange {
        try administration().removeMember(groupID: groupID, discordID: discordID)
    }

    func verifyAll() throws -> Job {
        try administration().verifyAll()
    }

    func drift() throws -> DriftPreview {
        try DriftPreview.load(db: context.db, guildID: try guildID())
    }

    /// The server's role `roleID` when a group may map it; nil for none. Asks Discord only for a well-formed id.
    private func role(_ roleID: String?) throws -> GuildRole? {
        guard let roleID else { return nil }
        let guildID = try guildID()
        return try GroupAdministration.assignableRole(roleID, in: try guildRoles(guildID), guildID: guildID)
    }

    // MARK: - Input

    /// A group name: 1 to 100 characters.
    static func name(_ text: String?) throws(HTTPError) -> String {
        var validator = FieldValidator()
        let name = validator.text("name", text, maxLength: 100)
        try validator.check()
        return name
    }

    /// A role id, or nil when none is given (empty).
    static func roleID(_ text: String?) throws(HTTPError) -> String? {
        try optionalDiscordID(text, field: "role_id")
    }

    /// A Discord id from a path or a form.
    static func discordID(_ text: String?, field: String = "discord_id") throws(HTTPError) -> String {
        guard let id = try optionalDiscordID(text, field: field) else { throw .validation([FieldError(field, "is required")]) }
        return id
    }

    private static func optionalDiscordID(_ text: String?, field: String) throws(HTTPError) -> String? {
        let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !trimmed.isEmpty else { return nil }
        guard DiscordID.isValid(trimmed) else { throw .validation([FieldError(field, "is not a Discord id: \(DiscordID.howToCopy)")]) }
        return trimmed
    }
}
