import JSONSupport
/// Who may do what in the sandbox guild (docs: `developers/topics/permissions`): `@everyone`, the bot's
/// managed role, the owner (not the bot, so the bot's rights come from its role and channel overwrites as
/// on a real server), and each channel's permission overwrites. The control API changes the bot role's
/// permissions and the overwrites to misconfigure the guild the way operators do.
struct GuildPermissions: Sendable {
    /// A user who owns the guild and is nobody the tests log in as.
    static let ownerID = "300000000000000002"
    /// The role Discord creates for a bot when it is invited ("managed").
    static let botRoleID = "300000000000000004"
    /// What GuildGate's invite link asks for (VIEW_CHANNEL, SEND_MESSAGES, ATTACH_FILES, READ_MESSAGE_HISTORY).
    static let invitePermissions: UInt64 = 101_376

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

    static let viewChannel: UInt64 = 1 << 10
    static let sendMessages: UInt64 = 1 << 11
    static let attachFiles: UInt64 = 1 << 15
    static let readMessageHistory: UInt64 = 1 << 16

    var botRolePermissions = invitePermissions
    private(set) var overwrites: [String: [Overwrite]] = [:]

    mutating func setOverwrites(_ list: [Overwrite], channelID: String) {
        overwrites[channelID] = list
    }

    func overwritesJSON(channelID: String) -> JSON {
        .array((overwrites[channelID] ?? []).map(\.json))
    }

    /// What the bot may do in a guild channel, computed as the permissions page prescribes: `@everyone`'s and
    /// its role's bits (the bot is not the owner; ADMINISTRATOR grants everything), then the channel's
    /// `@everyone` overwrite, its role overwrite, its member overwrite. Without VIEW_CHANNEL, nothing.
    func botPermissions(inChannel channelID: String, guildID: String, botID: String) -> UInt64 {
        var permissions = botRolePermissions
        if permissions & (1 << 3) != 0 { return .max }
        for (id, type) in [(guildID, 0), (Self.botRoleID, 0), (botID, 1)] {
            guard let overwrite = overwrites[channelID]?.first(where: { $0.id == id && $0.type == type }) else { continue }
            permissions &= ~(UInt64(overwrite.deny) ?? 0)
            permissions |= UInt64(overwrite.allow) ?? 0
        }
        return permissions & Self.viewChannel == 0 ? 0 : permissions
    }

    /// Refuses what the bot may not do in a guild channel as Discord does: 50001 Missing Access without
    /// VIEW_CHANNEL, 50013 Missing Permissions without another `needed` bit. DM channels are not checked.
    func requireBot(_ needed: UInt64, in channel: SandboxChannel, guildID: String, botID: String) throws(HTTPError) {
        guard !channel.isDirect else { return }
        let granted = botPermissions(inChannel: channel.id, guildID: guildID, botID: botID)
        guard granted & Self.viewChannel != 0 else { throw HTTPError.missingAccess }
        guard granted & needed == needed else { throw HTTPError.missingPermissions }
    }

    /// `@everyone` (id = the guild's) and the bot's role, as `GET /guilds/{guild.id}` lists them.
    func rolesJSON(guildID: String, botName: String) -> JSON {
        [
            Self.role(id: guildID, name: "@everyone", position: 0, permissions: 0, managed: false),
            Self.role(id: Self.botRoleID, name: botName, position: 1, permissions: botRolePermissions, managed: true),
        ]
    }

    private static func role(id: String, name: String, position: Int, permissions: UInt64, managed: Bool) -> JSON {
        [
            "id": .string(id), "name": .string(name), "color": 0,
            "colors": ["primary_color": 0, "secondary_color": .null, "tertiary_color": .null],
            "hoist": false, "icon": .null, "unicode_emoji": .null, "position": .int(position),
            "permissions": .string(String(permissions)), "managed": .bool(managed), "mentionable": false, "flags": 0,
        ]
    }
}
