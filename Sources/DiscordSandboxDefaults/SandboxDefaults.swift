/// What discord-sandbox is unless its command line says otherwise: the application, its bot and the one guild the
/// bot is in. guildgate-dev hands them to web and bot as their Discord settings, and tests expect them; the product
/// itself knows nothing of them.
public enum SandboxDefaults {
    /// The application's client id (a snowflake).
    public static let clientID = "100000000000000001"
    /// The application's client secret.
    public static let clientSecret = "sandbox-client-secret"
    /// The bot token accepted as `Authorization: Bot <token>`.
    public static let botToken = "sandbox-bot-token"
    /// The guild the bot is in.
    public static let guildID = "300000000000000003"
    /// The guild's text channels; other channel ids are unknown.
    public static let textChannelIDs = ["300000000000000010", "300000000000000011", "300000000000000012"]
    /// The key the OpenAI-compatible chat backend (`/openai/v1`) accepts as `Authorization: Bearer <key>`.
    public static let chatAPIKey = "sandbox-chat-key"
}
