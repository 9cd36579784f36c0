/// Fixed for the life of the process: the one application the sandbox knows, its guild, and where it is reachable.
struct SandboxConfiguration: Sendable {
    let clientID: String
    let clientSecret: String
    let botToken: String
    /// The one guild the bot is in.
    let guildID: String
    /// The guild's text channels, in channel list order.
    let textChannelIDs: [String]
    /// Base for absolute URLs the sandbox hands out, CDN URLs included, without a trailing slash
    /// (`http://127.0.0.1:8190`).
    let publicURL: String

    init(
        clientID: String,
        clientSecret: String,
        botToken: String,
        guildID: String,
        textChannelIDs: [String],
        publicURL: String
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.botToken = botToken
        self.guildID = guildID
        self.textChannelIDs = textChannelIDs
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// The gateway URL `GET /gateway` reports: the public URL with a WebSocket scheme.
    var gatewayURL: String { webSocketURL(path: GatewayLink.Path.gateway.rawValue) }

    /// READY's `resume_gateway_url`: served like the gateway URL, but a path of its own so tests can see
    /// that a client resumed through it.
    var resumeGatewayURL: String { webSocketURL(path: GatewayLink.Path.resume.rawValue) }

    private func webSocketURL(path: String) -> String {
        if publicURL.hasPrefix("https://") { return "wss://" + publicURL.dropFirst("https://".count) + path }
        if publicURL.hasPrefix("http://") { return "ws://" + publicURL.dropFirst("http://".count) + path }
        return publicURL + path
    }

    /// The application's bot user; its id is the application (client) id, as for real applications.
    var botUser: SandboxUser {
        SandboxUser(id: clientID, username: "sandbox_bot", globalName: nil, isBot: true)
    }
}
