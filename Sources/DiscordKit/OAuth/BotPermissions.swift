/// Discord permission bits GuildGate's bot asks for when it is invited. Each is needed by a feature;
/// nothing more is requested (least privilege).
public struct BotPermissions: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// VIEW_CHANNEL (1 << 10): see the storage and chat channels and read their messages.
    public static let viewChannel = BotPermissions(rawValue: 1 << 10)
    /// SEND_MESSAGES (1 << 11): announce uploads, answer commands and relay chat replies.
    public static let sendMessages = BotPermissions(rawValue: 1 << 11)
    /// ATTACH_FILES (1 << 15): store file parts as message attachments.
    public static let attachFiles = BotPermissions(rawValue: 1 << 15)
    /// READ_MESSAGE_HISTORY (1 << 16): fetch stored file messages again (download, refresh URLs) and reply.
    public static let readMessageHistory = BotPermissions(rawValue: 1 << 16)
    /// MANAGE_NICKNAMES (1 << 27): the weekly nickname sync (only below the bot's highest role).
    public static let manageNicknames = BotPermissions(rawValue: 1 << 27)
    /// MANAGE_ROLES (1 << 28): group ↔ role sync and role verification (only roles below the bot's).
    public static let manageRoles = BotPermissions(rawValue: 1 << 28)

    /// Exactly what GuildGate uses: 402754560.
    public static let guildGate: BotPermissions = [
        .viewChannel, .sendMessages, .attachFiles, .readMessageHistory, .manageNicknames, .manageRoles,
    ]

    /// The decimal bitfield, as Discord writes permissions.
    public var description: String { String(rawValue) }
}

/// The link that adds the bot to a server.
public enum BotInvite {
    /// `{authorizeURL}?client_id=…&scope=bot%20applications.commands&permissions=…[&guild_id=…]`.
    /// - Parameter guildID: preselects the server in Discord's dialog.
    public static func url(
        clientID: String, permissions: BotPermissions = .guildGate,
        authorizeURL: String = "https://discord.com/oauth2/authorize", guildID: String? = nil
    ) -> String {
        var fields: [(name: String, value: String)] = [
            ("client_id", clientID), ("scope", "bot applications.commands"), ("permissions", String(permissions.rawValue)),
        ]
        if let guildID, !guildID.isEmpty { fields.append(("guild_id", guildID)) }
        return FormEncoding.appendQuery(fields, to: authorizeURL)
    }
}
