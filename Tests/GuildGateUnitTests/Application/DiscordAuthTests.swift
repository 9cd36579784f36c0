import GuildGateTesting
import Store
import Testing

/// The OAuth flows up to Discord and back, where Discord's answers are not what is tested: state binding
/// and expiry, settings, the invite and the pages the callback leads to. The full flows run end to end.
@Suite struct DiscordAuth {
    let app: TestApplication

    init() async throws {
        app = try await TestApplication()
    }

    /// Our callback as Discord's consent screen sends the browser there after `start` (a redirect to
    /// Discord): the flow's state, and a code.
    static func callback(after start: Page) throws -> String {
        "/api/discord/callback?code=x&state=" + (try #require(start.locationQuery["state"]))
    }

    func errorURL(_ code: String) -> String {
        app.config.webAppBaseURL + "/discord/error?error=" + code
    }

    /// Asserts that `start` sends the browser to Discord's consent screen.
    func expectSentToDiscord(_ start: Page, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(start.status == 302, sourceLocation: sourceLocation)
        #expect(start.location?.hasPrefix(app.config.discordAuthorizeURL + "?") == true, sourceLocation: sourceLocation)
    }

    @Test func aLoginStateIsBoundToTheBrowserThatStartedIt() throws {
        let victim = app.client()
        let start = try victim.get("/login")
        expectSentToDiscord(start)
        let callback = try Self.callback(after: start)
        let attacker = app.client()
        #expect(try attacker.get(callback).location == errorURL("invalid_token"))
        // The state was consumed by the refused attempt: the victim's own use is refused too.
        #expect(try victim.get(callback).location == errorURL("invalid_token"))
    }

    @Test func anExpiredLoginStateIsRefused() throws {
        let browser = app.client()
        let start = try browser.get("/login")
        expectSentToDiscord(start)
        let callback = try Self.callback(after: start)
        app.clock.advance(.seconds(10 * 60 + 1))
        #expect(try browser.get(callback).location == errorURL("invalid_token"))
    }

    @Test func oauthNotConfiguredWhenTheClientSecretIsMissing() async throws {
        let app = try await TestApplication(overrides: ["DISCORD_CLIENT_SECRET": nil])
        let browser = app.client()
        let token = try #require(try browser.onboard()["verification_token"] as? String)
        // Without the secret the flow still starts (the authorize step needs none), bound to this browser.
        let verify = try browser.get("/discord/verify?token=\(token)")
        expectSentToDiscord(verify)
        #expect(browser.cookies["gg_session"] != nil)
        let callback = try browser.get(try Self.callback(after: verify))
        #expect(callback.status == 302)
        #expect(callback.location == errorURL("oauth_not_configured"))
    }

    @Test func inviteCarriesExactlyTheNeededPermissions() throws {
        let page = try app.client().get("/api/discord/invite")
        #expect(page.status == 200)
        let url = try #require(page.json?["invite_url"] as? String)
        #expect(url.hasPrefix(try TestStack.shared().sandboxURL + "/oauth2/authorize?"))
        #expect(url.contains("client_id=100000000000000001"))
        #expect(url.contains("permissions=402754560"))
        #expect(url.contains("scope=bot%20applications.commands"))
    }

    @Test func theSuccessPageEscapesTheUsername() throws {
        let page = try app.client().get("/discord/success?username=%3Cscript%3Ex%3C%2Fscript%3E")
        #expect(page.status == 200)
        #expect(page.body.contains("&lt;script&gt;x&lt;/script&gt;"))
        #expect(!page.body.contains("<script>x"))
    }

    @Test func everyErrorCodeHasAFriendlyPage() throws {
        let browser = app.client()
        for code in [
            "missing_params", "invalid_token", "oauth_not_configured", "token_exchange_failed", "no_access_token",
            "user_info_failed", "no_discord_id", "verification_failed", "not_guild_member", "server_error",
        ] {
            let page = try browser.get("/discord/error?error=" + code)
            #expect(page.status == 200)
            #expect(page.body.contains("<code>\(code)</code>"))
        }
        let unknown = try browser.get("/discord/error?error=%3Cb%3E")
        #expect(unknown.body.contains("<code>server_error</code>"))
    }

    @Test func aNonMemberIsOfferedTheServersInviteWhenOneIsSet() async throws {
        let invite = "https://discord.gg/guild-x"
        let withInvite = try await TestApplication(overrides: ["DISCORD_SERVER_INVITE_URL": invite]).client()
        #expect(try withInvite.get("/discord/error?error=not_guild_member").body.contains(#"href="https://discord.gg/guild-x""#))
        #expect(try !withInvite.get("/discord/error?error=invalid_token").body.contains(invite))
        #expect(try !app.client().get("/discord/error?error=not_guild_member").body.contains("Join the Discord server"))
    }
}
