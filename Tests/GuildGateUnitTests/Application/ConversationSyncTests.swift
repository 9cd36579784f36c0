import Foundation
import GuildGateTesting
import Store
import Testing

@testable import Handlers

/// The conversation sync API in-process, against a fake Discord (`FakeDiscordOAuth`): who may call it,
/// what the token check costs, and what it keeps apart, validates and pages.
@Suite struct ConversationSync {
    static let clientID = "900000000000000042"
    let discord = FakeDiscordOAuth(applicationID: ConversationSync.clientID)
    let app: TestApplication

    init() async throws {
        app = try await TestApplication(overrides: ["DISCORD_CLIENT_ID": Self.clientID], discord: discord)
    }

    static let routes = Application.routes.routes.filter { $0.pattern.hasPrefix("/api/sync/") }

    func api(_ token: String) -> ConversationSyncAPI {
        ConversationSyncAPI(app.client(), token: token)
    }

    func count(_ discordID: String) throws -> Int {
        try ConversationStore(app.database()).count(discordID: discordID)
    }

    @Test func everyRouteIsDeclaredForADiscordTokenWithoutCSRF() {
        #expect(Self.routes.count == 5)
        for route in Self.routes {
            #expect(route.access == .discordToken, "\(route.method) \(route.pattern)")
            #expect(route.method == "GET" || route.csrf == .notNeeded, "\(route.method) \(route.pattern)")
        }
    }

    @Test func withoutADiscordTokenEveryRouteIs401AndCookiesCountForNothing() throws {
        let member = app.client()
        _ = try member.signInAsMember(username: "cookie_holder")
        let admin = app.client()
        let csrf = try admin.signInAsAdmin()
        let apiToken = try #require(app.config.apiToken)
        let unknown = "fake0000000000000000000000000000"
        let cases: [(any WebClient, [String: String])] = [
            (app.client(), [:]), (member, [:]), (admin, ["X-CSRF-Token": csrf]),
            (app.client(), ["Authorization": "Bot \(unknown)"]), (app.client(), ["Authorization": "Bearer"]),
            (app.client(), ["Authorization": "Bearer two words"]), (app.client(), ["Authorization": "Basic dXNlcjpwYXNz"]),
            (app.client(), ["Authorization": "Bearer \(unknown)"]), (app.client(), ["Authorization": "Bearer \(apiToken)"]),
        ]
        for route in Self.routes {
            for (client, headers) in cases {
                var headers = headers
                headers["Content-Type"] = "application/json"
                let body = route.method == "POST" ? Array(#"{"messages":[{"role":"user","content":"x"}]}"#.utf8) : []
                let page = try client.send(route.method, RouteProtection.path(route), headers: headers, body: body)
                #expect(page.status == 401, "\(route.method) \(route.pattern) with \(headers) answered \(page.status)")
                #expect(page.json?["code"] as? String == "unauthorized")
                #expect(page.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            }
        }
        #expect(discord.calls <= 2, "a refused token is remembered for a few seconds: \(discord.calls) calls")
    }

    @Test func onlyIdentifyTokensOfGuildGatesOwnApplicationThatHaveNotExpiredAreTaken() throws {
        let other = discord.issue(applicationID: "900000000000000043").token
        let noIdentify = discord.issue(scopes: ["guilds"]).token
        let expired = discord.issue(expires: app.clock.date.addingTimeInterval(-1)).token
        for token in [other, noIdentify, expired] {
            let page = try api(token).list()
            #expect(page.status == 401 && page.headers["www-authenticate"]?.contains("invalid_token") == true, "\(page.body)")
        }
        #expect(try api(discord.issue().token).list().status == 200)
    }

    @Test func aDiscordOutageIs503NotA401() throws {
        let token = discord.issue().token
        discord.setDown(true)
        let page = try api(token).list()
        #expect(page.status == 503 && page.json?["code"] as? String == "discord_unavailable")
        discord.setDown(false)
        #expect(try api(token).list().status == 200, "an outage is not remembered")
    }

    @Test func tenRequestsCostOneCallAndARevokedTokenStopsWhenItsEntryExpires() throws {
        let token = discord.issue().token
        let api = api(token)
        for _ in 0..<10 { #expect(try api.list().status == 200) }
        #expect(discord.calls == 1)
        discord.revoke(token)
        app.clock.advance(.seconds(59))
        #expect(try api.list().status == 200, "still within the cache time")
        app.clock.advance(.seconds(2))
        #expect(try api.list().status == 401)
        #expect(discord.calls == 2)
    }

    @Test func anotherUsersConversationIsIndistinguishableFromAnUnknownOne() throws {
        let alice = api(discord.issue(username: "alice").token)
        let (bobToken, bobID) = discord.issue(username: "bob")
        let bob = api(bobToken)
        let id = try #require(try alice.create(title: "Alice's"))
        #expect((try bob.list().json?["conversations"] as? [Any])?.isEmpty == true)
        let unknown = try bob.conversation("999999999")
        #expect(unknown.status == 404)
        for page in [try bob.conversation(String(id)), try bob.delete(String(id))] {
            #expect(page.status == 404 && page.body == unknown.body)
        }
        #expect(try bob.conversation("abc").status == 404)
        #expect(try bob.delete("-1").status == 404)
        #expect(try count(bobID) == 0)
        #expect(try alice.conversation(String(id)).status == 200, "nothing of Alice's was deleted")
    }

    @Test func aConversationIsReadWithItsMessagesAndDeleted() throws {
        let api = api(discord.issue().token)
        let created = try api.create(
            json:
                #"{"title":" Trip ","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Paris?","created_at":"2025-01-31T12:00:00.5+01:00"}]}"#
        )
        #expect(created.status == 201)
        let id = try #require(created.json?["id"] as? Int)
        #expect(created.location == "/api/sync/conversations/\(id)")
        let page = try api.conversation(String(id))
        let json = try #require(page.json)
        #expect(json["title"] as? String == "Trip" && json["source"] as? String == "app" && json["message_count"] as? Int == 2)
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user"])
        #expect(messages[1]["created_at"] as? String == "2025-01-31T11:00:00.500Z")
        #expect(messages[1]["discord_message_id"] is NSNull)
        #expect(try api.delete(String(id)).status == 204)
        #expect(try api.conversation(String(id)).status == 404)
    }

    @Test func theListPagesNewestFirstWithTheBotsDiscordConversations() throws {
        let (token, discordID) = discord.issue()
        let api = api(token)
        let store = ConversationStore(app.database())
        let recorded = try store.openDiscordConversation(discordID: discordID)
        try store.append(conversationID: recorded.id, role: .user, content: "from Discord")
        let ids = try (1...3).map { try #require(try api.create(title: "app \($0)")) }
        let first = try #require(try api.list("?limit=2").json)
        let page1 = try #require(first["conversations"] as? [[String: Any]])
        #expect(page1.compactMap { $0["id"] as? Int } == [ids[2], ids[1]])
        let next = try #require(first["next_before"] as? Int)
        let second = try #require(try api.list("?limit=2&before=\(next)").json)
        let page2 = try #require(second["conversations"] as? [[String: Any]])
        #expect(page2.compactMap { $0["id"] as? Int } == [ids[0], recorded.id])
        #expect(page2.last?["source"] as? String == "discord" && page2.last?["title"] as? String == "from Discord")
        #expect(second["next_before"] is NSNull)
        for query in ["?limit=0", "?limit=101", "?before=x"] {
            #expect(try api.list(query).status == 400, "\(query)")
        }
    }

    @Test func aBadUploadIs400NamingTheFieldAndChangesNothing() throws {
        let (token, discordID) = discord.issue()
        let api = api(token)
        let long = String(repeating: "a", count: 32_001)
        let many = Array(repeating: #"{"role":"user","content":"x"}"#, count: 1001).joined(separator: ",")
        let cases: [(String, String)] = [
            (#"{"messages":[]}"#, "messages"), (#"{"title":"t"}"#, "messages"), (#"{"messages":[\#(many)]}"#, "messages"),
            (#"{"title":7,"messages":[{"role":"user","content":"x"}]}"#, "title"),
            (#"{"title":"\#(String(repeating: "t", count: 201))","messages":[{"role":"user","content":"x"}]}"#, "title"),
            (#"{"messages":[{"role":"bot","content":"x"}]}"#, "messages[0].role"),
            (#"{"messages":[{"role":"user","content":"x"},{"role":"user"}]}"#, "messages[1].content"),
            (#"{"messages":[{"role":"user","content":"\#(long)"}]}"#, "messages[0].content"),
            (#"{"messages":[{"role":"user","content":"x","created_at":"yesterday"}]}"#, "messages[0].created_at"),
            (#"{"messages":["x"]}"#, "messages[0]"),
        ]
        for (body, field) in cases {
            let page = try api.create(json: body)
            #expect(page.status == 400, "\(field): \(page.status)")
            #expect((page.json?["fields"] as? [String: Any])?[field] != nil, "\(field): \(page.body.prefix(300))")
        }
        #expect(try api.create(json: "{nope").status == 400)
        #expect(try api.create(json: "[]").status == 400)
        let key = try api.create(json: #"{"messages":[{"role":"user","content":"x"}]}"#, idempotencyKey: String(repeating: "k", count: 256))
        #expect(key.status == 400 && (key.json?["fields"] as? [String: Any])?["Idempotency-Key"] != nil)
        let plain = try api.client.send(
            "POST", "/api/sync/conversations", headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain"],
            body: Array("x".utf8))
        #expect(plain.status == 415)
        #expect(try count(discordID) == 0)
    }

    @Test func anIdempotencyKeyReplaysItsConversationAndRefusesAnotherBody() throws {
        let (token, discordID) = discord.issue()
        let api = api(token)
        let body = #"{"title":"Once","messages":[{"role":"user","content":"only once"}]}"#
        let first = try api.create(json: body, idempotencyKey: "key-1")
        #expect(first.status == 201)
        let again = try api.create(json: body, idempotencyKey: "key-1")
        #expect(again.status == 200 && again.json?["id"] as? Int == first.json?["id"] as? Int)
        #expect(again.location == first.location)
        let other = try api.create(json: #"{"title":"Twice","messages":[{"role":"user","content":"other"}]}"#, idempotencyKey: "key-1")
        #expect(other.status == 422 && other.json?["code"] as? String == "idempotency_key_reused")
        #expect(try count(discordID) == 1)
        let someoneElse = self.api(discord.issue().token)
        #expect(try someoneElse.create(json: body, idempotencyKey: "key-1").status == 201, "keys are per user")
    }

    @Test func eachTokenHas60RequestsAMinute() throws {
        let api = api(discord.issue().token)
        for _ in 0..<60 { #expect(try api.list().status == 200) }
        let limited = try api.list()
        #expect(limited.status == 429 && limited.json?["code"] as? String == "too_many_requests")
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 > 0)
        #expect(try self.api(discord.issue().token).list().status == 200, "another token has its own limit")
        app.clock.advance(.seconds(60))
        #expect(try api.list().status == 200)
    }

    @Test func theExportHoldsEveryConversationWithItsMessages() throws {
        let (token, discordID) = discord.issue(username: "exporter")
        let api = api(token)
        let ids = try (1...2).map { try #require(try api.create(title: "c\($0)", text: "text \($0)")) }
        let json = try #require(try api.export().json)
        #expect(json["format"] as? String == "guildgate.conversations.v1")
        #expect(json["exported_at"] is String)
        #expect(json["discord_user"] as? [String: String] == ["id": discordID, "username": "exporter"])
        let conversations = try #require(json["conversations"] as? [[String: Any]])
        #expect(conversations.compactMap { $0["id"] as? Int } == ids.reversed())
        let messages = try #require(conversations.last?["messages"] as? [[String: Any]])
        #expect(messages.first?["content"] as? String == "text 1")
    }
}
