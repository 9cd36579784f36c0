/// The `intents` bitfield of IDENTIFY (docs: `events/gateway` "Gateway Intents"). Only the bits the sandbox acts on are named.
struct GatewayIntents: OptionSet, Sendable {
    let rawValue: Int

    static let guilds = GatewayIntents(rawValue: 1 << 0)
    static let guildMembers = GatewayIntents(rawValue: 1 << 1)
    static let guildPresences = GatewayIntents(rawValue: 1 << 8)
    static let guildMessages = GatewayIntents(rawValue: 1 << 9)
    static let directMessages = GatewayIntents(rawValue: 1 << 12)
    static let messageContent = GatewayIntents(rawValue: 1 << 15)

    /// Must be switched on in the Developer Portal before a bot may identify with them (else 4014).
    static let privileged: GatewayIntents = [.guildMembers, .guildPresences, .messageContent]

    /// The privileged intents by the names the control API and Discord's docs use.
    static let privilegedNames: [(name: String, intent: GatewayIntents)] = [
        ("GUILD_MEMBERS", .guildMembers), ("GUILD_PRESENCES", .guildPresences), ("MESSAGE_CONTENT", .messageContent),
    ]

    /// The documented bits run from GUILDS (1 << 0) to DIRECT_MESSAGE_POLLS (1 << 25); a bitfield outside
    /// that range is refused with 4013.
    static let validRawValues = 0..<(1 << 26)

    /// The application `flags` (`GET /applications/@me`, READY) that say these privileged intents are
    /// enabled: the "limited" flags, as for an unverified app in fewer than 100 servers.
    var applicationFlags: Int {
        (contains(.guildPresences) ? 1 << 13 : 0) | (contains(.guildMembers) ? 1 << 15 : 0)
            | (contains(.messageContent) ? 1 << 19 : 0)
    }
}
