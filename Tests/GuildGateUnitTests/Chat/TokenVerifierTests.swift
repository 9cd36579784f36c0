import CurlHTTP
import DiscordKit
import Foundation
import GuildGateCore
import GuildGateTesting
import Synchronization
import Testing

/// `TokenVerifier` on its own: one call to Discord for threads asking at once, the cache's lifetime and
/// bound, and Discord's documented answer to `GET /oauth2/@me`.
@Suite struct TokenVerifierTests {
    static let applicationID = "159799960412356608"

    static func authorization(user: String = "268473310986240001", expires: Date = Date().addingTimeInterval(3600))
        -> OAuthAuthorization
    {
        OAuthAuthorization(
            applicationID: applicationID, scopes: ["identify"], expires: expires, user: DiscordUser(id: user, username: "discord"))
    }

    @Test func threadsAskingAboutOneTokenAtOnceCostOneCall() throws {
        let verifier = TokenVerifier(cacheSeconds: 60)
        let calls = Atomic<Int>(0)
        let owners = Mutex<[TokenOwner]>([])
        let now = Date()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let owner = try? verifier.verify("same-token", applicationID: Self.applicationID, now: now) { _ throws(DiscordError) in
                calls.add(1, ordering: .relaxed)
                usleep(200_000)  // Discord answering slowly while the other threads ask
                return Self.authorization()
            }
            owners.withLock { $0 += owner.map { [$0] } ?? [] }
        }
        let found = owners.withLock { $0 }
        #expect(found.count == 8 && Set(found.map(\.discordID)) == ["268473310986240001"])
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    @Test func anAnswerIsKeptForTheCacheTimeButNeverPastTheTokensExpiry() throws {
        let verifier = TokenVerifier(cacheSeconds: 60)
        var calls = 0
        let start = Date()
        func verify(at offset: TimeInterval) throws {
            _ = try verifier.verify("token", applicationID: Self.applicationID, now: start.addingTimeInterval(offset)) {
                _ throws(DiscordError) in
                calls += 1
                return Self.authorization(expires: start.addingTimeInterval(90))
            }
        }
        try verify(at: 0)
        try verify(at: 59)
        #expect(calls == 1)
        try verify(at: 61)
        #expect(calls == 2)
        #expect(throws: TokenVerificationError.expired) { try verify(at: 95) }
    }

    @Test func theCacheStaysWithinItsCapacity() throws {
        let verifier = TokenVerifier(cacheSeconds: 60, capacity: 10)
        var calls = 0
        for index in 0..<25 {
            _ = try verifier.verify("token-\(index)", applicationID: Self.applicationID, now: Date()) { _ throws(DiscordError) in
                calls += 1
                return Self.authorization()
            }
        }
        #expect(calls == 25)
        _ = try verifier.verify("token-24", applicationID: Self.applicationID, now: Date()) { _ throws(DiscordError) in
            calls += 1
            return Self.authorization()
        }
        #expect(calls == 25, "the newest entry survives pruning")
    }

    @Test func discordsDocumentedAnswerIsRead() throws {
        let body = """
            {"application": {"id": "159799960412356608", "name": "AIRHORN SOLUTIONS", "icon": "f03590d3eb764081d154a66340ea7d6d",
             "description": "", "hook": true, "bot_public": true, "bot_require_code_grant": false,
             "verify_key": "c8cde6a3c8c6e49d86af3191287b3ce255872be1fff6dc285bdb420c06a2c3c8"},
             "scopes": ["guilds.join", "identify"], "expires": "2021-01-23T02:33:17.017000+00:00",
             "user": {"id": "268473310986240001", "username": "discord", "avatar": "f749bb0cbeeb26ef21eca719337d20f1",
             "discriminator": "0", "global_name": "Discord", "public_flags": 131072}}
            """
        let transport = FakeTransport([DK.json(200, body)])
        let client = DK.client(transport, clock: ManualClock())
        let authorization = try client.currentAuthorization(accessToken: "6qrZcUqja7812RVdnEKjpzOL4CvHBFG")
        #expect(authorization.applicationID == "159799960412356608" && authorization.scopes == ["guilds.join", "identify"])
        #expect(authorization.user?.id == "268473310986240001" && authorization.user?.globalName == "Discord")
        #expect(authorization.expires == Date(timeIntervalSince1970: 1_611_369_197.017))
        #expect(transport.requests.first?.url.hasSuffix("/api/v10/oauth2/@me") == true)
        #expect(transport.requests.first?.headers["Authorization"] == "Bearer 6qrZcUqja7812RVdnEKjpzOL4CvHBFG")
    }
}
