import WireFormats

/// Discord permission bits (a role's, an overwrite's, or what a member has in a channel), and the ones
/// GuildGate's bot asks for when it is invited: each is needed by a feature, nothing more (least privilege).
public struct Permissions: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The bitfield Discord serializes as a decimal string (`"101376"`).
    public init?(discordString: String?) {
        guard let discordString, let value = UInt64(discordString) else { return nil }
        self.init(rawValue: value)
    }

    /// Every permission bit (what a guild owner or an ADMINISTRATOR has).
    public static let all = Permissions(rawValue: .max)
    /// ADMINISTRATOR (1 << 3): every permission, overwrites ignored.
    public static let administrator = Permissions(rawValue: 1 << 3)
    /// VIEW_CHANNEL (1 << 10): see the storage and chat channels and read their messages.
    public static let viewChannel = Permissions(rawValue: 1 << 10)
    /// SEND_MESSAGES (1 << 11): announce uploads, answer commands and relay chat replies.
    public static let sendMessages = Permissions(rawValue: 1 << 11)
    /// ATTACH_FILES (1 << 15): store file parts as message attachments.
    public static let attachFiles = Permissions(rawValue: 1 << 15)
    /// READ_MESSAGE_HISTORY (1 << 16): fetch stored file messages again (download, refresh URLs) and reply.
    public static let readMessageHistory = Permissions(rawValue: 1 << 16)
    /// MANAGE_NICKNAMES (1 << 27): change members' nicknames below the bot's highest role.
    public static let manageNicknames = Permissions(rawValue: 1 << 27)
    /// MANAGE_ROLES (1 << 28): assign the roles below the bot's highest role.
    public static let manageRoles = Permissions(rawValue: 1 << 28)

    /// Exactly what GuildGate's features use: 402754560 (the file storage's four, and MANAGE_ROLES and
    /// MANAGE_NICKNAMES for group ↔ role sync and nickname templates).
    public static let guildGate: Permissions = [
        .viewChannel, .sendMessages, .attachFiles, .readMessageHistory, .manageRoles, .manageNicknames,
    ]

    /// The decimal bitfield, as Discord writes permissions.
    public var description: String { String(rawValue) }

    /// Discord's names of the bits GuildGate uses that are in this set, as the Developer Portal and Server
    /// Settings show them.
    public var names: [String] {
        let named: [(Permissions, String)] = [
            (.viewChannel, "View Channel"), (.sendMessages, "Send Messages"), (.attachFiles, "Attach Files"),
            (.readMessageHistory, "Read Message History"), (.manageNicknames, "Manage Nicknames"), (.manageRoles, "Manage Roles"),
        ]
        return named.filter { contains($0.0) }.map(\.1)
    }
}

/// The link that adds the bot to a server.
public enum BotInvite {
    /// `{authorizeURL}?client_id=…&scope=bot%20applications.commands&permissions=…[&guild_id=…]`.
    /// - Parameter guildID: preselects the server in Discord's dialog.
    public static func url(
        clientID: String, permissions: Permissions = .guildGate,
        authorizeURL: String = "https://discord.com/oauth2/authorize", guildID: String? = nil
    ) -> String {
        var fields: [(name: String, value: String)] = [
            ("client_id", clientID), ("scope", "bot applications.commands"), ("permissions", String(permissions.rawValue)),
        ]
        if let guildID, !guildID.isEmpty { fields.append(("guild_id", guildID)) }
        return FormEncoding.appendQuery(fields, to: authorizeURL)
    }
}
