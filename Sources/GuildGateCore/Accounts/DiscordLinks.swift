import DiscordKit
import WireFormats

/// The Discord URLs GuildGate hands to browsers.
public enum DiscordLinks {
    public static let scopes = ["identify"]

    /// Where a browser goes to approve GuildGate; `state` comes back to the callback unchanged, and the
    /// PKCE challenge belongs to the verifier the callback derives from it (`pkceKey`).
    public static func authorizeURL(state: String, config: AppConfig, pkceKey: [UInt8]) -> String? {
        guard let clientID = config.discordClientID else { return nil }
        return OAuthAuthorizeURL.build(
            authorizeURL: config.discordAuthorizeURL, clientID: clientID, redirectURI: config.discordRedirectURI,
            scopes: scopes, state: state, codeChallenge: PKCE(state: state, key: pkceKey).challenge)
    }

    /// The verification link of onboarding: GuildGate's `/discord/verify`, which binds the flow to the
    /// browser that opens it before sending it to Discord; without OAuth settings, the page that says so.
    public static func verificationURL(token: String, config: AppConfig) -> String {
        guard config.discordClientID != nil else { return errorURL(.oauthNotConfigured, config: config) }
        return config.webAppBaseURL + "/discord/verify?token=" + FormEncoding.encode(token)
    }

    public static func errorURL(_ failure: CallbackFailure, reason: VerificationRefusal? = nil, config: AppConfig) -> String {
        config.webAppBaseURL + "/discord/error?error=" + failure.rawValue + (reason.map { "&reason=" + $0.rawValue } ?? "")
    }

    /// `DISCORD_BOT_INVITE_URL`, else an invite for the client id with exactly the permissions GuildGate uses.
    public static func botInviteURL(config: AppConfig) -> String {
        if let configured = config.discordBotInviteURL { return configured }
        guard let clientID = config.discordClientID else { return errorURL(.oauthNotConfigured, config: config) }
        return BotInvite.url(clientID: clientID, permissions: .guildGate, authorizeURL: config.discordAuthorizeURL)
    }
}
