import Foundation
import GuildGateTesting
import GuildGateCore
import Store
import Testing

/// Session cookies: their lifetime, their signature, their flags, and the page header that shows whose
/// session it is.
@Suite struct Sessions {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        // The admin dashboard, one of the pages whose header is checked, asks Discord.
        app = try await TestApplication(overrides: TestApplication.unreachableDiscord)
        db = app.database()
    }

    @Test func anonymousSessionsLiveAnHour() throws {
        let browser = app.client()
        let page = try browser.get("/onboarding")
        #expect(page.headers["set-cookie"]?.contains("Max-Age=3600") == true)
        let cookie = try #require(browser.cookies["gg_session"])
        let id = String(cookie.split(separator: ".")[0])
        let expiry = try #require(
            try db.query(
                """
                SELECT extract(epoch FROM expires_at - now()) AS left FROM web_sessions WHERE id_hash = sha256(convert_to($1, 'UTF8'))
                """, [id]
            ).first?["left"].flatMap(Double.init))
        #expect(expiry <= 3600 && expiry > 3500)

        // 59 minutes later the same session still serves; a minute after its hour it is over.
        app.clock.advance(.seconds(59 * 60))
        #expect(try browser.get("/onboarding").headers["set-cookie"] == nil)
        app.clock.advance(.seconds(2 * 60))
        #expect(try WebSessionStore(db).session(idHash: Secrets.sha256(id), now: app.clock.date) == nil)
    }

    @Test func aTamperedSessionCookieIsIgnored() throws {
        let browser = app.client()
        _ = try browser.get("/onboarding")
        let cookie = try #require(browser.cookies["gg_session"])
        let forged = app.client()
        let page = try forged.get("/onboarding", headers: ["Cookie": "gg_session=" + cookie.dropLast() + "x"])
        #expect(page.headers["set-cookie"]?.contains("gg_session=") == true)
    }

    @Test func cookiesAreSecureBehindHTTPS() async throws {
        let app = try await TestApplication(overrides: ["WEB_APP_BASE_URL": "https://guild.example.org"])
        let browser = app.client()
        let page = try browser.get("/onboarding")
        #expect(page.status == 200)
        let cookie = try #require(page.headers["set-cookie"])
        #expect(cookie.hasPrefix("__Host-gg_session="))
        #expect(cookie.contains("; Secure"))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Lax"))
        #expect(try browser.get("/onboarding").headers["set-cookie"] == nil, "the __Host- cookie names the same session")
    }

    @Test func expiredSessionsAndStatesArePrunedWhenNewOnesStart() throws {
        try db.query(
            """
            INSERT INTO web_sessions (id_hash, csrf_token, expires_at) VALUES ('\\xdead', 'x', now() - interval '1 day');
            """)
        try db.query(
            """
            INSERT INTO oauth_states (state_hash, session_id_hash, expires_at) VALUES ('\\xbeef', '\\x00', now() - interval '1 hour')
            """)
        #expect(try app.client().get("/login").status == 302)
        #expect(try db.query("SELECT 1 FROM web_sessions WHERE id_hash = '\\xdead'").rows.isEmpty)
        #expect(try db.query("SELECT 1 FROM oauth_states WHERE state_hash = '\\xbeef'").rows.isEmpty)
    }

    @Test func thePageHeaderShowsWhoIsSignedIn() throws {
        let stranger = try app.client().get("/")
        #expect(stranger.body.contains("Log in with Discord</a>"))
        #expect(!stranger.body.contains("Signed in as"))

        let member = app.client()
        _ = try member.signInAsMember(username: "header_user")
        for path in ["/", "/onboarding", "/files"] {
            let page = try member.get(path)
            #expect(page.body.contains("Signed in as header_user"), "\(path)")
            #expect(page.body.contains("Log out</button>"), "\(path)")
            #expect(!page.body.contains("Log in with Discord</a>"), "\(path)")
            #expect(!page.body.contains("<a href=\"/admin\">Admin</a>"), "\(path)")
        }

        let admin = app.client()
        try admin.signInAsAdmin()
        let panel = try admin.get("/admin")
        #expect(panel.body.contains("Signed in as admin"))
        #expect(panel.body.contains("<a href=\"/admin\">Admin</a>"))

        let csrf = try #require(TestClient.csrfToken(in: try member.get("/")))
        #expect(try member.post("/logout", form: ["csrf_token": csrf]).status == 303)
        #expect(try member.get("/").body.contains("Log in with Discord</a>"))
    }
}
