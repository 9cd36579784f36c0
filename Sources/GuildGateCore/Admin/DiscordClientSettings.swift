/// The Discord client as an admin edits it at `/admin/client` (seed 004's "Discord client"): each field
/// saved overrides the environment's value; a field left nil falls back to it.
public struct DiscordClientSettings: Sendable, Equatable {
    public enum Field: String, CaseIterable, Sendable {
        case name
        case callbackURL = "callback_url"
        case guildID = "server_id"
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case botToken = "bot_token"
        case inviteURL = "invite_url"
        case nicknameTemplate = "nickname_template"

        /// Secrets are sealed at rest and never shown, echoed or logged.
        public var isSecret: Bool { self == .clientSecret || self == .botToken }

        /// What the admin panel calls the field.
        public var label: String {
            switch self {
            case .name: return "Name"
            case .callbackURL: return "Callback URL"
            case .guildID: return "Server ID"
            case .clientID: return "Client ID"
            case .clientSecret: return "Client secret"
            case .botToken: return "Bot token"
            case .inviteURL: return "Invite link"
            case .nicknameTemplate: return "Nickname template"
            }
        }

        /// The environment variable the field overrides.
        public var environmentName: String {
            switch self {
            case .name: return "GUILDGATE_CLIENT_NAME"
            case .callbackURL: return "DISCORD_REDIRECT_URI"
            case .guildID: return "DISCORD_GUILD_ID"
            case .clientID: return "DISCORD_CLIENT_ID"
            case .clientSecret: return "DISCORD_CLIENT_SECRET"
            case .botToken: return "DISCORD_BOT_TOKEN"
            case .inviteURL: return "DISCORD_SERVER_INVITE_URL"
            case .nicknameTemplate: return "GUILDGATE_NICKNAME_TEMPLATE"
            }
        }
    }

    /// Where a field's effective value comes from.
    public enum Source: String, Sendable {
        case saved
        case environment
        case unset
    }

    public var values: [Field: String]

    public init(_ values: [Field: String] = [:]) {
        self.values = values.filter { !$0.value.isEmpty }
    }

    public subscript(field: Field) -> String? {
        get { values[field] }
        set { values[field] = newValue?.isEmpty == false ? newValue : nil }
    }
}

extension AppConfig {
    /// The settings in effect: each saved field over the environment's value.
    public func overridden(by saved: DiscordClientSettings) -> AppConfig {
        var config = self
        for (field, value) in saved.values { config[field] = value }
        return config
    }

    /// A field's value in these settings.
    public subscript(field: DiscordClientSettings.Field) -> String? {
        get {
            switch field {
            case .name: return clientName
            case .callbackURL: return discordRedirectURI
            case .guildID: return discordGuildID
            case .clientID: return discordClientID
            case .clientSecret: return discordClientSecret
            case .botToken: return discordBotToken
            case .inviteURL: return discordServerInviteURL
            case .nicknameTemplate: return nicknameTemplate
            }
        }
        set {
            switch field {
            case .name: clientName = newValue
            case .callbackURL: discordRedirectURI = newValue ?? webAppBaseURL + AppConfig.callbackPath
            case .guildID: discordGuildID = newValue
            case .clientID: discordClientID = newValue
            case .clientSecret: discordClientSecret = newValue
            case .botToken: discordBotToken = newValue
            case .inviteURL: discordServerInviteURL = newValue
            case .nicknameTemplate: nicknameTemplate = newValue
            }
        }
    }
}
