import Foundation

/// Gateway intents (docs: `events/gateway` "Gateway Intents"), parsed from names (`GUILDS,GUILD_MEMBERS`) or a number.
public struct GatewayIntents: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let guilds = GatewayIntents(rawValue: 1 << 0)
    public static let guildMembers = GatewayIntents(rawValue: 1 << 1)
    public static let guildModeration = GatewayIntents(rawValue: 1 << 2)
    public static let guildExpressions = GatewayIntents(rawValue: 1 << 3)
    public static let guildIntegrations = GatewayIntents(rawValue: 1 << 4)
    public static let guildWebhooks = GatewayIntents(rawValue: 1 << 5)
    public static let guildInvites = GatewayIntents(rawValue: 1 << 6)
    public static let guildVoiceStates = GatewayIntents(rawValue: 1 << 7)
    public static let guildPresences = GatewayIntents(rawValue: 1 << 8)
    public static let guildMessages = GatewayIntents(rawValue: 1 << 9)
    public static let guildMessageReactions = GatewayIntents(rawValue: 1 << 10)
    public static let guildMessageTyping = GatewayIntents(rawValue: 1 << 11)
    public static let directMessages = GatewayIntents(rawValue: 1 << 12)
    public static let directMessageReactions = GatewayIntents(rawValue: 1 << 13)
    public static let directMessageTyping = GatewayIntents(rawValue: 1 << 14)
    public static let messageContent = GatewayIntents(rawValue: 1 << 15)
    public static let guildScheduledEvents = GatewayIntents(rawValue: 1 << 16)
    public static let autoModerationConfiguration = GatewayIntents(rawValue: 1 << 20)
    public static let autoModerationExecution = GatewayIntents(rawValue: 1 << 21)
    public static let guildMessagePolls = GatewayIntents(rawValue: 1 << 24)
    public static let directMessagePolls = GatewayIntents(rawValue: 1 << 25)

    /// What guildgate-bot asks for unless `DISCORD_GATEWAY_INTENTS` says otherwise (37635).
    public static let guildGateDefault: GatewayIntents = [
        .guilds, .guildMembers, .guildPresences, .guildMessages, .directMessages, .messageContent,
    ]

    /// The intents a bot must switch on in the Developer Portal before it may send them.
    public static let privileged: GatewayIntents = [.guildMembers, .guildPresences, .messageContent]

    static let names: [(String, GatewayIntents)] = [
        ("GUILDS", .guilds), ("GUILD_MEMBERS", .guildMembers), ("GUILD_MODERATION", .guildModeration),
        ("GUILD_EXPRESSIONS", .guildExpressions), ("GUILD_INTEGRATIONS", .guildIntegrations),
        ("GUILD_WEBHOOKS", .guildWebhooks), ("GUILD_INVITES", .guildInvites),
        ("GUILD_VOICE_STATES", .guildVoiceStates), ("GUILD_PRESENCES", .guildPresences),
        ("GUILD_MESSAGES", .guildMessages), ("GUILD_MESSAGE_REACTIONS", .guildMessageReactions),
        ("GUILD_MESSAGE_TYPING", .guildMessageTyping), ("DIRECT_MESSAGES", .directMessages),
        ("DIRECT_MESSAGE_REACTIONS", .directMessageReactions), ("DIRECT_MESSAGE_TYPING", .directMessageTyping),
        ("MESSAGE_CONTENT", .messageContent), ("GUILD_SCHEDULED_EVENTS", .guildScheduledEvents),
        ("AUTO_MODERATION_CONFIGURATION", .autoModerationConfiguration),
        ("AUTO_MODERATION_EXECUTION", .autoModerationExecution),
        ("GUILD_MESSAGE_POLLS", .guildMessagePolls), ("DIRECT_MESSAGE_POLLS", .directMessagePolls),
    ]

    static let all = GatewayIntents(names.map(\.1))

    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case unknownName(String)
        case unknownBits(UInt32)

        public var description: String {
            switch self {
            case .unknownName(let name):
                return "unknown intent \(name); use names such as GUILDS,GUILD_MEMBERS,GUILD_PRESENCES or a number"
            case .unknownBits(let bits):
                return "the intents bitfield has bits Discord does not define (\(bits))"
            }
        }
    }

    /// Parses `37635` or `GUILDS, GUILD_MEMBERS | GUILD_PRESENCES` (commas, spaces or `|` between names).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = UInt32(trimmed) {
            guard GatewayIntents(rawValue: number).isSubset(of: Self.all) else {
                throw .unknownBits(number & ~Self.all.rawValue)
            }
            self.init(rawValue: number)
            return
        }
        var intents: GatewayIntents = []
        for name in trimmed.split(whereSeparator: { $0 == "," || $0 == "|" || $0 == " " }) {
            guard let intent = Self.names.first(where: { $0.0 == name.uppercased() })?.1 else {
                throw .unknownName(String(name))
            }
            intents.insert(intent)
        }
        self = intents
    }

    /// The names of the intents in the set, in bit order.
    public var names: [String] {
        Self.names.filter { contains($0.1) }.map(\.0)
    }

    public var description: String { names.joined(separator: ",") }
}

extension GatewayIntents {
    /// The switches' labels on the Developer Portal's Bot page.
    static let portalNames = [
        "GUILD_PRESENCES": "Presence Intent",
        "GUILD_MEMBERS": "Server Members Intent",
        "MESSAGE_CONTENT": "Message Content Intent",
    ]

    /// Each intent's name, with the Developer Portal's label for the privileged ones:
    /// `GUILD_PRESENCES ("Presence Intent")`.
    public var portalLabels: [String] {
        names.map { name in Self.portalNames[name].map { "\(name) (\"\($0)\")" } ?? name }
    }

    /// The privileged intents the Developer Portal has switched on, read from the application's `flags`
    /// (`GET /applications/@me`): each intent has a full and a "limited" (under 100 servers) flag.
    public static func enabledPrivileged(applicationFlags flags: Int) -> GatewayIntents {
        var enabled: GatewayIntents = []
        if flags & (1 << 12 | 1 << 13) != 0 { enabled.insert(.guildPresences) }
        if flags & (1 << 14 | 1 << 15) != 0 { enabled.insert(.guildMembers) }
        if flags & (1 << 18 | 1 << 19) != 0 { enabled.insert(.messageContent) }
        return enabled
    }
}
