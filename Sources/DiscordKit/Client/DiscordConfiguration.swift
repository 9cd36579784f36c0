/// Where Discord is and who GuildGate is there. Empty strings count as "not set". Its descriptions
/// never show the bot token or the client secret.
public struct DiscordConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let defaultAPIBase = "https://discord.com/api/v10"
    public static let defaultUserAgent = "DiscordBot (https://github.com/guildgate/guildgate, 0.1.0) GuildGate"

    /// `https://discord.com/api/v10`, or the sandbox's `http://127.0.0.1:PORT/api/v10` (no trailing `/`).
    public var apiBase: String
    public var botToken: String?
    public var clientID: String?
    public var clientSecret: String?
    /// Discord requires `DiscordBot (url, version)`; Cloudflare may block requests without it.
    public var userAgent: String

    public init(
        apiBase: String = DiscordConfiguration.defaultAPIBase, botToken: String? = nil, clientID: String? = nil,
        clientSecret: String? = nil, userAgent: String = DiscordConfiguration.defaultUserAgent
    ) {
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBase = base
        self.botToken = Self.nonEmpty(botToken)
        self.clientID = Self.nonEmpty(clientID)
        self.clientSecret = Self.nonEmpty(clientSecret)
        self.userAgent = userAgent
    }

    /// `{apiBase}/oauth2/token`.
    public var tokenURL: String { apiBase + "/oauth2/token" }

    public var description: String {
        "DiscordConfiguration(apiBase: \(apiBase), botToken: \(Self.redacted(botToken)), clientID: \(clientID ?? "not set"), "
            + "clientSecret: \(Self.redacted(clientSecret)))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "apiBase": apiBase, "botToken": Self.redacted(botToken), "clientID": clientID ?? "not set",
                "clientSecret": Self.redacted(clientSecret), "userAgent": userAgent,
            ])
    }

    static func redacted(_ secret: String?) -> String {
        secret == nil ? "not set" : "<redacted>"
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.allSatisfy(\.isWhitespace) else { return nil }
        return value
    }
}

/// How a request proves who sends it. Descriptions never show the token.
public struct Authorization: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case none
        case bot
        case bearer(String)
        case basic(clientID: String, secret: String)
    }

    let kind: Kind

    /// No `Authorization` header (interaction callbacks, webhooks with a token in the path).
    public static let none = Authorization(kind: .none)
    /// `Bot <DiscordConfiguration.botToken>`; counts toward the bot's global limit.
    public static let bot = Authorization(kind: .bot)
    /// `Bearer <access token>` of a user's OAuth2 grant.
    public static func bearer(_ accessToken: String) -> Authorization {
        Authorization(kind: .bearer(accessToken))
    }

    public var description: String {
        switch kind {
        case .none: return "none"
        case .bot: return "Bot <redacted>"
        case .bearer: return "Bearer <redacted>"
        case .basic: return "Basic <redacted>"
        }
    }
}
