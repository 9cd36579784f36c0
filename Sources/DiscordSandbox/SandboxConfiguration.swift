/// Fixed for the life of the process: the one application the sandbox knows, and where it is reachable.
struct SandboxConfiguration: Sendable {
    let clientID: String
    let clientSecret: String
    let botToken: String
    /// Base for absolute URLs the sandbox hands out, without a trailing slash (`http://127.0.0.1:8190`).
    let publicURL: String

    init(clientID: String, clientSecret: String, botToken: String, publicURL: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.botToken = botToken
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// The gateway URL `GET /gateway` reports: the public URL with a WebSocket scheme.
    var gatewayURL: String {
        if publicURL.hasPrefix("https://") { return "wss://" + publicURL.dropFirst("https://".count) + "/gateway" }
        if publicURL.hasPrefix("http://") { return "ws://" + publicURL.dropFirst("http://".count) + "/gateway" }
        return publicURL + "/gateway"
    }

    /// The application's bot user; its id is the application (client) id, as for real applications.
    var botUser: SandboxUser {
        SandboxUser(id: clientID, username: "sandbox_bot", globalName: nil, isBot: true)
    }
}
