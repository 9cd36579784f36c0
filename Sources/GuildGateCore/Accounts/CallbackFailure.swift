/// Why the Discord OAuth callback failed: the `error` code of `/discord/error` (the contract of the
/// Flask onboarding service GuildGate replaces), with what the person should do next.
public enum CallbackFailure: String, Error, CaseIterable, Sendable {
    case missingParams = "missing_params"
    case invalidToken = "invalid_token"
    case oauthNotConfigured = "oauth_not_configured"
    case tokenExchangeFailed = "token_exchange_failed"
    case noAccessToken = "no_access_token"
    case userInfoFailed = "user_info_failed"
    case noDiscordID = "no_discord_id"
    case verificationFailed = "verification_failed"
    case notGuildMember = "not_guild_member"
    case serverError = "server_error"

    public var title: String {
        switch self {
        case .missingParams: return "Discord did not complete the sign-in"
        case .invalidToken: return "This verification link is no longer valid"
        case .oauthNotConfigured: return "Discord sign-in is not set up yet"
        case .tokenExchangeFailed: return "Discord did not accept the sign-in"
        case .noAccessToken: return "Discord sent an incomplete answer"
        case .userInfoFailed: return "We could not read your Discord profile"
        case .noDiscordID: return "Discord did not tell us who you are"
        case .verificationFailed: return "This Discord account is already linked"
        case .notGuildMember: return "This website is for members of our Discord server"
        case .serverError: return "Something went wrong on our side"
        }
    }

    public var advice: String {
        switch self {
        case .missingParams:
            return
                "The sign-in was cancelled or the link was incomplete. Start again from the onboarding page and press Authorize in Discord."
        case .invalidToken:
            return "Verification links work once and expire after 30 minutes. Fill in the onboarding form again to get a new one."
        case .oauthNotConfigured:
            return "The site administrator must set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET. Please let them know."
        case .tokenExchangeFailed:
            return "The authorization expired or was already used. Start the verification again; it only takes a moment."
        case .noAccessToken, .userInfoFailed, .noDiscordID:
            return "This is usually temporary on Discord's side. Wait a minute, then start the verification again."
        case .verificationFailed:
            return
                "That Discord account is linked to another user here. Sign in with a different Discord account, or ask an administrator to unlink it."
        case .notGuildMember:
            return "Join our Discord server with the same Discord account, then log in again."
        case .serverError:
            return "The problem has been logged. Please try again in a few minutes."
        }
    }

    /// The failure for an unknown code on `/discord/error` (so a hand-edited URL still gets a useful page).
    public static func from(code: String?) -> CallbackFailure {
        code.flatMap(CallbackFailure.init(rawValue:)) ?? .serverError
    }
}
