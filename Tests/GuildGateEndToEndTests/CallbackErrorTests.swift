import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// Every error code of the OAuth callback, produced for real.
    @Suite struct CallbackErrors {
        let stack: TestStack
        let sandbox: SandboxControl
        let browser: Browser

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            try EndToEnd.useFreshDiscordAccount(sandbox, username: "callback_user")
            browser = Browser(baseURL: stack.webURL)
        }

        /// Onboards a new user and returns the sandbox's redirect to our callback (not yet followed).
        func pendingCallback() throws -> (callback: String, token: String) {
            let body = try browser.onboard()
            let token = try #require(body["verification_token"] as? String)
            let approval = try EndToEnd.approve(browser, url: try #require(body["verification_url"] as? String))
            return (try #require(approval.location), token)
        }

        func expectError(_ page: Page, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(page.status == 302, sourceLocation: sourceLocation)
            #expect(page.location == stack.webURL + "/discord/error?error=" + code, sourceLocation: sourceLocation)
        }

        @Test func missingParams() throws {
            expectError(try browser.get("/api/discord/callback"), "missing_params")
            expectError(try browser.get("/api/discord/callback?state=abc"), "missing_params")
            try sandbox.setMode("deny")
            let body = try browser.onboard()
            let denied = try EndToEnd.approve(browser, url: try #require(body["verification_url"] as? String))
            #expect(denied.locationQuery["error"] == "access_denied")
            expectError(try browser.get(try #require(denied.location)), "missing_params")
        }

        @Test func unknownTamperedReusedAndExpiredStatesAreRefused() throws {
            expectError(try browser.get("/api/discord/callback?code=x&state=unknown"), "invalid_token")

            let (tampered, _) = try pendingCallback()
            let state = try #require(URLComponents(string: tampered)?.queryItems?.first { $0.name == "state" }?.value)
            let flipped = String(state.dropLast()) + (state.hasSuffix("A") ? "B" : "A")
            expectError(try browser.get(tampered.replacingOccurrences(of: state, with: flipped)), "invalid_token")

            let (callback, _) = try pendingCallback()
            #expect(try browser.get(callback).location?.contains("/discord/success") == true)
            let approvalAgain = callback
            expectError(try browser.get(approvalAgain), "invalid_token")

            let (expiring, expiringToken) = try pendingCallback()
            try EndToEnd.database(stack).query(
                """
                UPDATE pending_verifications SET expires_at = now() - interval '1 minute'
                WHERE token_hash = sha256(convert_to($1, 'UTF8'))
                """, [expiringToken])
            expectError(try browser.get(expiring), "invalid_token")
        }

        @Test func tokenExchangeFailed() throws {
            let (callback, _) = try pendingCallback()
            try sandbox.fault(
                method: "POST", path: "/api/v10/oauth2/token", status: 400,
                body: #"{"error":"invalid_grant","error_description":"Invalid \"code\" in request."}"#)
            expectError(try browser.get(callback), "token_exchange_failed")
        }

        @Test func noAccessToken() throws {
            let (callback, _) = try pendingCallback()
            try sandbox.fault(method: "POST", path: "/api/v10/oauth2/token", status: 200, body: #"{"token_type":"Bearer"}"#)
            expectError(try browser.get(callback), "no_access_token")
        }

        @Test func userInfoFailed() throws {
            let (callback, _) = try pendingCallback()
            try sandbox.fault(method: "GET", path: "/api/v10/users/@me", status: 401, body: #"{"message":"401: Unauthorized","code":0}"#)
            expectError(try browser.get(callback), "user_info_failed")
        }

        @Test func noDiscordID() throws {
            let (callback, _) = try pendingCallback()
            try sandbox.fault(method: "GET", path: "/api/v10/users/@me", status: 200, body: #"{"username":"ghost"}"#)
            expectError(try browser.get(callback), "no_discord_id")
        }

        @Test func verificationFailedWhenTheDiscordAccountIsLinkedToSomeoneElse() throws {
            try sandbox.setUser(id: "720000000000000002", username: "shared_account")
            let (first, _) = try pendingCallback()
            #expect(try browser.get(first).location?.contains("/discord/success") == true)
            let (second, _) = try pendingCallback()
            expectError(try browser.get(second), "verification_failed&reason=discord_account_linked")
        }

        @Test func serverErrorWhenTheDatabaseFails() throws {
            let (callback, _) = try pendingCallback()
            let db = EndToEnd.database(stack)
            try db.query("ALTER TABLE users RENAME TO users_hidden")
            defer { _ = try? db.query("ALTER TABLE users_hidden RENAME TO users") }
            expectError(try browser.get(callback), "server_error")
        }
    }
}
