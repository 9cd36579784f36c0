/// Who may do what in the sandbox guild (docs: `developers/topics/permissions`): `@everyone`, the bot's
/// managed role, the owner (not the bot, so the bot's rights come from its role and channel overwrites as
/// on a real server), and each channel's permission overwrites. The control API changes the bot role's
/// permissions and the overwrites to misconfigure the guild the way operators do.
struct GuildPermissions: Sendable {
    /// A user who owns the guild and is nobody the tests log in as.
    static let ownerID = "300000000000000002"
    /// The role Discord creates for a bot when it is invited ("managed").
    static let botRoleID = "300000000000000004"
    /// What the invite link asks for (VIEW_CHANNEL, SEND_MESSAGES, ATTACH_FILES, READ_MESSAGE_HISTORY,
    /// MANAGE_NICKNAMES, MANAGE_ROLES).
    static let invitePermissions: UInt64 = 402_754_560

    struct Overwrite: Sendable, Decodable {
        let id: String
        /// 0 role, 1 member.
        let type: Int
        let allow: String
        let deny: String

        var json: JSONValue {
            ["id": .string(id), "type": .integer(type), "allow": .string(allow), "deny": .string(deny)]
        }
    }

    var botRolePermissions = invitePermissions
    private(set) var overwrites: [String: [Overwrite]] = [:]

    mutating func setOverwrites(_ list: [Overwrite], channelID: String) {
        overwrites[channelID] = list
    }

    func overwritesJSON(channelID: String) -> JSONValue {
        .array((overwrites[channelID] ?? []).map(\.json))
    }

    /// `@everyone` (id = the guild's) and the bot's role, as `GET /guilds/{guild.id}` lists them.
    func rolesJSON(guildID: String, botName: String) -> JSONValue {
        [
            Self.role(id: guildID, name: "@everyone", position: 0, permissions: 0, managed: false),
            Self.role(id: Self.botRoleID, name: botName, position: 1, permissions: botRolePermissions, managed: true),
        ]
    }

    private static func role(id: String, name: String, position: Int, permissions: UInt64, managed: Bool) -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "color": 0, "colors": ["primary_color": 0, "secondary_color": nil, "tertiary_color": nil],
            "hoist": false, "icon": nil, "unicode_emoji": nil, "position": .integer(position),
            "permissions": .string(String(permissions)), "managed": .bool(managed), "mentionable": false, "flags": 0,
        ]
    }
}
