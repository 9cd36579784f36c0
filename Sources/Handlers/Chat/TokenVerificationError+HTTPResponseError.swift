import GuildGateCore

/// A token the sync API refuses is a 401 that says why (RFC 6750 `invalid_token`); Discord or the settings
/// failing is a 503, since the token may be fine.
extension TokenVerificationError: HTTPResponseError {
    public var status: HTTPStatus { isRefusal ? .unauthorized : .serviceUnavailable }

    public var code: String {
        switch self {
        case .refusedByDiscord, .otherApplication, .missingIdentifyScope, .expired: return "unauthorized"
        case .notConfigured: return "not_configured"
        case .discordUnavailable: return "discord_unavailable"
        }
    }

    public var publicMessage: String {
        switch self {
        case .refusedByDiscord: return "Discord does not accept this access token (expired or revoked): sign in with Discord again."
        case .otherApplication:
            return "This access token was issued to another application: sign in with Discord through this site's application."
        case .missingIdentifyScope: return "This access token lacks the identify scope: sign in with Discord asking for identify."
        case .expired: return "This access token has expired: refresh it or sign in with Discord again."
        case .notConfigured: return "Signing in with Discord is not configured on this server (DISCORD_CLIENT_ID)."
        case .discordUnavailable: return "Discord could not check the access token right now. Please try again shortly."
        }
    }

    public var headers: [(String, String)] {
        isRefusal ? [("WWW-Authenticate", "Bearer realm=\"guildgate\", error=\"invalid_token\"")] : []
    }
}
