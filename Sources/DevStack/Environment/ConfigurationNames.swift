/// The settings GuildGate's processes read, by name: what stack.env records and `restart` restores, and which of them
/// `--isolated` keeps out of the caller's environment.
enum ConfigurationNames {
    private static let names: Set = [
        "LOG_LEVEL", "DATABASE_URL", "WEB_APP_BASE_URL", "WEB_URL", "SANDBOX_URL", "HTTP_PORT", "RESPOND_TO_ALL_MESSAGES",
        "BYPASS_AUTH", "SERVER_ID", "CHANNEL_ID",
    ]
    private static let prefixes = ["DISCORD_", "GUILDGATE_", "CHAT_"]

    /// The settings of the caller's own GuildGate (its database, its Discord, its secrets), which an isolated stack
    /// replaces with its own.
    private static let callerSpecific: Set = [
        "DATABASE_URL", "WEB_APP_BASE_URL", "SERVER_ID", "CHANNEL_ID", "GUILDGATE_SECRET_KEY", "GUILDGATE_API_TOKEN",
    ]

    /// A setting of GuildGate's processes: one of the names above, or `DISCORD_`, `GUILDGATE_` or `CHAT_` followed by
    /// capitals, digits and underscores.
    static func contains(_ name: String) -> Bool {
        if names.contains(name) { return true }
        return prefixes.contains { name.hasPrefix($0) && name.utf8.dropFirst($0.utf8.count).allSatisfy(\.isNameCharacter) }
    }

    /// Whether `--isolated` drops `name` from the caller's environment.
    static func isCallerSpecific(_ name: String) -> Bool {
        callerSpecific.contains(name) || name.hasPrefix("DISCORD_")
    }
}
