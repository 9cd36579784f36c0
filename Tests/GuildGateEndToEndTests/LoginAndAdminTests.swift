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
    }

    /// `create-admin` on an existing admin resets the password and ends every session of that admin.
    @Suite struct AdminAttacks {
        @Test func resettingAnAdminPasswordEndsItsSessions() throws {
            let (stack, _) = try EndToEnd.stack()
            let db = EndToEnd.database(stack)
            // Every test's browser comes from loopback, which the throttle counts too.
            try db.query("DELETE FROM login_attempts")
            func signIn(_ username: String, password: String) throws -> (Browser, Page) {
                let browser = Browser(baseURL: stack.webURL)
                let csrf = try #require(Browser.csrfToken(in: try browser.get("/admin/login")))
                return (browser, try browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": password]))
            }
            let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
            try EndToEnd.createAdmin(stack, username: username, password: "s3cret-passphrase")
            let (laptop, first) = try signIn(username, password: "s3cret-passphrase")
            #expect(first.status == 303)
            let (phone, second) = try signIn(username, password: "s3cret-passphrase")
            #expect(second.status == 303)
            #expect(try laptop.get("/admin").status == 200)
            let adminID = try #require(try db.query("SELECT id FROM admins WHERE username = $1", [username]).first?.int("id"))
            #expect(try db.query("SELECT count(*) AS n FROM web_sessions WHERE admin_id = $1", [adminID]).first?.int("n") == 2)

            try EndToEnd.createAdmin(stack, username: username, password: "an0ther-passphrase")
            #expect(try laptop.get("/admin").location == "/admin/login")
            #expect(try phone.get("/admin").location == "/admin/login")
            #expect(try db.query("SELECT count(*) AS n FROM web_sessions WHERE admin_id = $1", [adminID]).first?.int("n") == 0)
            #expect(try signIn(username, password: "s3cret-passphrase").1.status == 401)
            #expect(try signIn(username, password: "an0ther-passphrase").1.status == 303)
        }
    }

    /// Bodies over nginx's limit never reach the app (the app's own limits are tested in-process).
    @Suite struct BadInput {
        @Test func oversizedBodiesAre413() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let huge = String(repeating: "b", count: 3 * 1024 * 1024)
            #expect(try browser.post("/api/user/onboarding", json: huge).status == 413)
            #expect(try browser.get("/healthz").status == 200)
        }
    }
}
