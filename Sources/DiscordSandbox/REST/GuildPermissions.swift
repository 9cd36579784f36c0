import JSONSupport
/// Each channel's permission overwrites, and what the bot may do in a channel given its roles (docs:
/// `topics/permissions`). The control API changes the overwrites to misconfigure the guild the way
/// operators do.
struct GuildPermissions: Sendable {
    struct Overwrite: Sendable, Decodable {
        let id: String
        /// 0 role, 1 member.
        let type: Int
        let allow: String
        let deny: String

        var json: JSON {
            ["id": .string(id), "type": .int(type), "allow": .string(allow), "deny": .string(deny)]
        }
    }

    static let administrator: UInt64 = 1 << 3
    static let viewChannel: UInt64 = 1 << 10
    static let sendMessages: UInt64 = 1 << 11
    static let attachFiles: UInt64 = 1 << 15
    static let readMessageHistory: UInt64 = 1 << 16
    static let manageNicknames: UInt64 = 1 << 27
    static let manageRoles: UInt64 = 1 << 28

    private(set) var overwrites: [String: [Overwrite]] = [:]

    mutating func setOverwrites(_ list: [Overwrite], channelID: String) {
        overwrites[channelID] = list
    }

    func overwritesJSON(channelID: String) -> JSON {
        .array((overwrites[channelID] ?? []).map(\.json))
    }

    /// What the bot may do in a guild channel, computed as the permissions page prescribes: its guild
    /// permissions (ADMINISTRATOR grants everything), then the channel's `@everyone` overwrite, its roles'
    /// overwrites (every deny, then every allow), its member overwrite. Without VIEW_CHANNEL, nothing.
    func botPermissions(inChannel channelID: String, guild: SandboxGuild) -> UInt64 {
        var permissions = guild.botPermissions
        if permissions & Self.administrator != 0 { return .max }
        let channelOverwrites = overwrites[channelID] ?? []
        func apply(_ matching: [Overwrite]) {
            permissions &= ~matching.reduce(0) { $0 | (UInt64($1.deny) ?? 0) }
            permissions |= matching.reduce(0) { $0 | (UInt64($1.allow) ?? 0) }
        }
        let botRoles = guild.member(id: guild.botID)?.roles ?? []
        apply(channelOverwrites.filter { $0.type == 0 && $0.id == guild.id })
        apply(channelOverwrites.filter { $0.type == 0 && botRoles.contains($0.id) })
        apply(channelOverwrites.filter { $0.type == 1 && $0.id == guild.botID })
        return permissions & Self.viewChannel == 0 ? 0 : permissions
    }

    /// Refuses what the bot may not do in a guild channel as Discord does: 50001 Missing Access without
    /// VIEW_CHANNEL, 50013 Missing Permissions without another `needed` bit. DM channels are not checked.
    func requireBot(_ needed: UInt64, in channel: SandboxChannel, guild: SandboxGuild) throws(HTTPError) {
        guard !channel.isDirect else { return }
        let granted = botPermissions(inChannel: channel.id, guild: guild)
        guard granted & Self.viewChannel != 0 else { throw HTTPError.missingAccess }
        guard granted & needed == needed else { throw HTTPError.missingPermissions }
    }
}
