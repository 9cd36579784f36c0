import JSONSupport

/// A session that READY started (docs: `events/gateway-events` "Ready", "Resumed").
public struct GatewayReady: Sendable, Equatable {
    public let sessionID: String
    public let resumeURL: String
    public let botUserID: String
    /// The application the bot belongs to (slash commands are registered under it).
    public let applicationID: String?
    /// The guilds the bot is in; each is backfilled by a GUILD_CREATE.
    public let guildIDs: [String]

    public init(sessionID: String, resumeURL: String, botUserID: String, applicationID: String?, guildIDs: [String]) {
        self.sessionID = sessionID
        self.resumeURL = resumeURL
        self.botUserID = botUserID
        self.applicationID = applicationID
        self.guildIDs = guildIDs
    }

    init?(_ data: JSON) {
        guard let sessionID = data["session_id"]?.string, let resumeURL = data["resume_gateway_url"]?.string,
            let botUserID = data["user"]?["id"]?.string
        else { return nil }
        self.sessionID = sessionID
        self.resumeURL = resumeURL
        self.botUserID = botUserID
        applicationID = data["application"]?["id"]?.string
        guildIDs = data["guilds"]?.array?.compactMap { $0["id"]?.string } ?? []
    }
}

/// What the gateway client reports to the bot.
public enum GatewayEvent: Sendable {
    /// A new session: the bot identified (after a start, or after the old session was invalidated).
    case ready(GatewayReady)
    /// The session continued on a new connection; missed dispatches were replayed before this. With the
    /// READY that started it, which this process may not have seen (it took the session over from another).
    case resumed(GatewayReady)
    /// Any other dispatch, with its event name (`PRESENCE_UPDATE`, `GUILD_CREATE`…) and data.
    case dispatch(String, JSON)
    /// The connection ended; the client is reconnecting.
    case disconnected
}

/// Receives the gateway's events in order, one at a time.
public protocol GatewayEventHandler: Sendable {
    func handle(_ event: GatewayEvent) async
}
