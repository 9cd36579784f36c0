import DiscordKit

/// The Discord URLs GuildGate hands to browsers.
enum DiscordLinks {
    static let scopes = ["identify"]

    /// Where a browser goes to approve GuildGate; `state` comes back to the callback unchanged.
    static func authorizeURL(state: String, config: AppConfig) -> String? {
        guard let clientID = config.discordClientID else { return nil }
        return OAuthAuthorizeURL.build(
            authorizeURL: config.discordAuthorizeURL, clientID: clientID, redirectURI: config.discordRedirectURI,
            scopes: scopes, state: state, prompt: nil)
    }

    /// The verification link of onboarding; without OAuth settings it leads to the page that says so.
    static func verificationURL(state: String, config: AppConfig) -> String {
        authorizeURL(state: state, config: config)
            ?? config.webAppBaseURL + "/discord/error?error=" + CallbackFailure.oauthNotConfigured.rawValue
    }

    /// `DISCORD_BOT_INVITE_URL`, else an invite for the client id with exactly the permissions GuildGate uses.
    static func botInviteURL(config: AppConfig) -> String {
        if let configured = config.discordBotInviteURL { return configured }
        guard let clientID = config.discordClientID else {
            return config.webAppBaseURL + "/discord/error?error=" + CallbackFailure.oauthNotConfigured.rawValue
        }
        return BotInvite.url(clientID: clientID, permissions: .guildGate, authorizeURL: config.discordAuthorizeURL)
    }
}
