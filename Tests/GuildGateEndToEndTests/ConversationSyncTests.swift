import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// The conversation sync API through nginx, with access tokens discord-sandbox issued and checks it
    /// answers (`GET /oauth2/@me`): users kept apart, what a burst of requests costs Discord, revocation
    /// within the cache time, and a bot token refused.
    @Suite struct ConversationSyncTests {
        let stack: TestStack
        let sandbox: SandboxControl

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
        }

        func freshToken(_ username: String) throws -> String {
            try sandbox.issueAccessToken(
                userID: String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999)), username: username)
        }

        func api(_ token: String) -> ConversationSyncAPI {
            ConversationSyncAPI(Browser(baseURL: stack.webURL), token: token)
        }

        @Test func aUserNeverSeesAnothersConversation() throws {
            let alice = api(try freshToken("alice"))
            let bob = api(try freshToken("bob"))
            let id = try #require(try alice.create(title: "Alice's secret"))
            let listed = try #require(try bob.list().json?["conversations"] as? [[String: Any]])
            #expect(!listed.contains { $0["id"] as? Int == id })
            #expect(try bob.conversation(String(id)).status == 404)
            #expect(try bob.delete(String(id)).status == 404)
            #expect(try alice.conversation(String(id)).json?["title"] as? String == "Alice's secret")
        }

        @Test func tenRequestsCostAtMostTwoVerifications() throws {
            let api = api(try freshToken("burst"))
            try sandbox.clearRequests()
            for _ in 0..<10 { #expect(try api.list().status == 200) }
            let checks = try sandbox.requestedPaths().filter { $0.hasSuffix("/oauth2/@me") }
            #expect(checks.count >= 1 && checks.count <= 2, "\(checks.count) calls to /oauth2/@me")
        }

        @Test func aRevokedTokenFailsWithinTheCacheTime() throws {
            let web = try WebProcess(stack: stack, overrides: ["GUILDGATE_TOKEN_CACHE_SECONDS": "2"])
            #expect(web.waitUntilServing())
            let token = try freshToken("revoked")
            func list() -> String {
                let request =
                    RawFastCGI.beginRequest()
                    + RawFastCGI.params([
                        ("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/api/sync/conversations"), ("REMOTE_ADDR", "127.0.0.1"),
                        ("CONTENT_LENGTH", ""), ("HTTP_AUTHORIZATION", "Bearer \(token)"),
                    ]) + RawFastCGI.stdin([])
                return RawFastCGI.stdout(of: RawFastCGI.exchange(socketPath: web.socketPath, bytes: request) ?? [])
            }
            #expect(list().hasPrefix("Status: 200"))
            try sandbox.revokeAccessToken(token)
            let revoked = Date()
            var answer = list()
            while !answer.hasPrefix("Status: 401"), Date().timeIntervalSince(revoked) < 5 {
                usleep(200_000)
                answer = list()
            }
            #expect(answer.hasPrefix("Status: 401"), "\(answer.prefix(200))")
            #expect(Date().timeIntervalSince(revoked) < 3, "refused within the 2 s cache time")
        }

        @Test func aBotTokenIsRefused() throws {
            let botToken = try #require(stack.settings["DISCORD_BOT_TOKEN"])
            let browser = Browser(baseURL: stack.webURL)
            for authorization in ["Bot \(botToken)", "Bearer \(botToken)"] {
                let page = try browser.get("/api/sync/conversations", headers: ["Authorization": authorization])
                #expect(page.status == 401, "\(authorization.prefix(6)): \(page.status)")
                #expect(page.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            }
        }
    }
}
