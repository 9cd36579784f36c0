/// Fixed for the life of the process: the one application the sandbox knows, its guild, and where it is reachable.
struct SandboxConfiguration: Sendable {
    let clientID: String
    let clientSecret: String
    let botToken: String
    /// The key the OpenAI-compatible chat backend accepts as `Authorization: Bearer <key>`.
    let chatAPIKey: String
    /// The one guild the bot is in.
    let guildID: String
    /// The guild's text channels, in channel list order.
    let textChannelIDs: [String]
    /// Base for absolute URLs the sandbox hands out, CDN URLs included, without a trailing slash
    /// (`http://127.0.0.1:8190`).
    let publicURL: String
    /// READY's `resume_gateway_url`: the resume listener, another port, without a path
    /// (`ws://127.0.0.1:8191`), as Discord's `wss://gateway-us-east1-b.discord.gg`.
    let resumeGatewayURL: String

    init(
        clientID: String,
        clientSecret: String,
        botToken: String,
        chatAPIKey: String,
        guildID: String,
        textChannelIDs: [String],
        publicURL: String,
        resumeAuthority: String
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.botToken = botToken
        self.chatAPIKey = chatAPIKey
        self.guildID = guildID
        self.textChannelIDs = textChannelIDs
        let publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.publicURL = publicURL
        resumeGatewayURL = (publicURL.hasPrefix("https://") ? "wss://" : "ws://") + resumeAuthority
    }

    /// The gateway URL `GET /gateway` reports: the public URL with a WebSocket scheme and no path
    /// (`ws://127.0.0.1:8190`), as Discord's `wss://gateway.discord.gg` (docs: `events/gateway` "Get Gateway Bot").
    var gatewayURL: String {
        if publicURL.hasPrefix("https://") { return "wss://" + publicURL.dropFirst("https://".count) }
        if publicURL.hasPrefix("http://") { return "ws://" + publicURL.dropFirst("http://".count) }
        return publicURL
    }

    /// The application's bot user; its id is the application (client) id, as for real applications.
    var botUser: SandboxUser {
        SandboxUser(id: clientID, username: "sandbox_bot", globalName: nil, isBot: true)
    }
}
