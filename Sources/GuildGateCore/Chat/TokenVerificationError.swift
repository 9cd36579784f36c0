/// Why the sync API did not accept a Discord access token.
public enum TokenVerificationError: Error, Equatable {
    /// Discord does not know the token (expired, revoked, never issued).
    case refusedByDiscord
    /// The token was issued to another application than GuildGate's (`DISCORD_CLIENT_ID`).
    case otherApplication
    /// The token lacks the `identify` scope, so it names no user.
    case missingIdentifyScope
    /// The token's own `expires` has passed.
    case expired
    /// `DISCORD_CLIENT_ID` is not set: no token can be checked against GuildGate's application.
    case notConfigured
    /// Discord could not answer (unreachable, rate limited, failing): the token may be fine.
    case discordUnavailable(String)

    /// Whether the token itself was refused (as opposed to Discord or the settings failing).
    public var isRefusal: Bool {
        switch self {
        case .refusedByDiscord, .otherApplication, .missingIdentifyScope, .expired: return true
        case .notConfigured, .discordUnavailable: return false
        }
    }
}
