import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    @Suite struct LogInWithDiscord {
        @Test func loginCreatesASessionAndReturnsToTheLocalPath() throws {
            let (stack, sandbox) = try EndToEnd.stack()
            try sandbox.setUser(id: "730000000000000003", username: "login_user")
            let browser = Browser(baseURL: stack.webURL)
            let start = try browser.get("/login?next=/onboarding")
            #expect(start.status == 302)
            let authorizeURL = try #require(start.location)
            #expect(authorizeURL.hasPrefix(stack.sandboxURL + "/oauth2/authorize?"))
            let callback = try EndToEnd.authorize(browser, url: authorizeURL)
            #expect(callback.status == 302)
            #expect(callback.location == stack.webURL + "/onboarding")
            let cookie = try #require(callback.headers["set-cookie"])
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            let home = try browser.get("/")
            #expect(home.body.contains("You are signed in as login_user"))
            #expect(home.body.contains("Signed in as login_user"), "the header knows the session")
            #expect(!home.body.contains("Log in with Discord</a>"))
            #expect(try browser.get("/onboarding").body.contains("Signed in as login_user"))

            let csrf = try #require(Browser.csrfToken(in: try browser.get("/")))
            #expect(try browser.post("/logout", form: ["csrf_token": csrf]).status == 303)
            let signedOut = try browser.get("/")
            #expect(!signedOut.body.contains("You are signed in"))
            #expect(signedOut.body.contains("Log in with Discord</a>"))
        }

        @Test func aLoginStateIsBoundToTheBrowserThatStartedIt() throws {
            let (stack, _) = try EndToEnd.stack()
            let victim = Browser(baseURL: stack.webURL)
            let approval = try victim.get(try #require(try victim.get("/login").location))
            let attacker = Browser(baseURL: stack.webURL)
            #expect(
                try attacker.get(try #require(approval.location)).location
                    == stack.webURL + "/discord/error?error=invalid_token")
            // The state was consumed by the refused attempt: the victim's own use is refused too.
            #expect(
                try victim.get(try #require(approval.location)).location
                    == stack.webURL + "/discord/error?error=invalid_token")
        }

        @Test func anExpiredLoginStateIsRefused() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let approval = try browser.get(try #require(try browser.get("/login").location))
            try EndToEnd.database(stack).query("UPDATE oauth_states SET expires_at = now() - interval '1 second'")
            #expect(
                try browser.get(try #require(approval.location)).location
                    == stack.webURL + "/discord/error?error=invalid_token")
        }

        @Test func expiredSessionsAndStatesArePrunedWhenNewOnesStart() throws {
            let (stack, _) = try EndToEnd.stack()
            let db = EndToEnd.database(stack)
            try db.query(
                """
                INSERT INTO web_sessions (id_hash, csrf_token, expires_at) VALUES ('\\xdead', 'x', now() - interval '1 day');
                """)
            try db.query(
                """
                INSERT INTO oauth_states (state_hash, session_id_hash, expires_at) VALUES ('\\xbeef', '\\x00', now() - interval '1 hour')
                """)
            #expect(try Browser(baseURL: stack.webURL).get("/login").status == 302)
            #expect(try db.query("SELECT 1 FROM web_sessions WHERE id_hash = '\\xdead'").rows.isEmpty)
            #expect(try db.query("SELECT 1 FROM oauth_states WHERE state_hash = '\\xbeef'").rows.isEmpty)
        }

        @Test func aTamperedSessionCookieIsIgnored() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            _ = try browser.get("/onboarding")
            let cookie = try #require(browser.cookies["gg_session"])
            let forged = Browser(baseURL: stack.webURL)
            let page = try forged.get("/onboarding", headers: ["Cookie": "gg_session=" + cookie.dropLast() + "x"])
            #expect(page.headers["set-cookie"]?.contains("gg_session=") == true)
        }
    }

    @Suite struct AdminLogin {
        @Test func createAdminThenSignInWithThrottling() throws {
            let (stack, _) = try EndToEnd.stack()
            try EndToEnd.database(stack).query("DELETE FROM login_attempts")
            let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
            try EndToEnd.createAdmin(stack, username: username, password: "s3cret-passphrase")

            let browser = Browser(baseURL: stack.webURL)
            #expect(try browser.get("/admin").location == "/admin/login")
            let csrf = try #require(Browser.csrfToken(in: try browser.get("/admin/login")))
            let wrong = try browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": "nope"])
            #expect(wrong.status == 401)
            let right = try browser.post(
                "/admin/login", form: ["csrf_token": csrf, "username": username, "password": "s3cret-passphrase"])
            #expect(right.status == 303)
            #expect(right.location == "/admin")
            #expect(try browser.get("/admin").body.contains(username))

            let intruder = Browser(baseURL: stack.webURL)
            let token = try #require(Browser.csrfToken(in: try intruder.get("/admin/login")))
            var statuses: [Int] = []
            for _ in 0..<6 {
                statuses.append(
                    try intruder.post(
                        "/admin/login", form: ["csrf_token": token, "username": username, "password": "guess"]
                    ).status)
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429])
            let blocked = try intruder.post(
                "/admin/login", form: ["csrf_token": token, "username": username, "password": "s3cret-passphrase"])
            #expect(blocked.status == 429)
        }
    }

    /// Bad input of every kind through nginx: a clear 4xx, nothing changed, nothing crashed.
    @Suite struct BadInput {
        @Test(arguments: [
            ("/api/discord/callback?code=%zz&state=1", 400),
            ("/onboarding?x=%FF", 400),
            ("/%C3%28", 400),
            ("/nowhere", 404),
            ("/api/nowhere", 404),
        ])
        func malformedURLs(_ path: String, _ status: Int) throws {
            let (stack, _) = try EndToEnd.stack()
            let page = try Browser(baseURL: stack.webURL).get(path)
            #expect(page.status == status)
            if path.hasPrefix("/api") {
                #expect(page.headers["content-type"]?.hasPrefix("application/json") == true)
            }
        }

        @Test func brokenJSONWrongTypesAndMediaTypes() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            #expect(try browser.post("/api/user/onboarding", json: #"{"name": "#).status == 400)
            #expect(try browser.post("/api/user/onboarding", json: #"[1,2]"#).status == 400)
            #expect(try browser.post("/api/user/onboarding", json: "\u{FF}").status == 400)
            #expect(try browser.post("/api/user/onboarding", json: #"{"name":1}"#, contentType: "text/plain").status == 415)
            #expect(try browser.send("PUT", "/api/user/onboarding", body: []).status == 405)
        }

        @Test func oversizedBodiesAre413() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let padding = String(repeating: "a", count: 200 * 1024)
            let appLimit = try browser.post("/api/user/onboarding", json: #"{"name":"\#(padding)"}"#)
            #expect(appLimit.status == 413)
            #expect(appLimit.json?["code"] as? String == "payload_too_large")
            let huge = String(repeating: "b", count: 3 * 1024 * 1024)
            #expect(try browser.post("/api/user/onboarding", json: huge).status == 413)
            #expect(try browser.get("/healthz").status == 200)
        }
    }
}
