import CurlHTTP
import Foundation
import JSONSupport
import Synchronization

/// Discord's `GET /oauth2/@me` for in-process tests (`TestApplication(discord:)`): answers from the access
/// tokens a test issued, 401 for any other, and counts the calls. Every other route answers 404, so a test
/// that leads the application elsewhere on Discord fails visibly instead of reaching the shared sandbox.
public final class FakeDiscordOAuth: HTTPTransport, Sendable {
    public struct Grant: Sendable {
        public var applicationID: String
        public var scopes: [String]
        public var userID: String
        public var username: String
        public var expires: Date
    }

    private struct State {
        var grants: [String: Grant] = [:]
        var calls = 0
        var down = false
    }

    private let state = Mutex(State())
    /// The application the tokens are issued to unless a test says otherwise (the app's `DISCORD_CLIENT_ID`).
    public let applicationID: String

    public init(applicationID: String) {
        self.applicationID = applicationID
    }

    /// Issues a token for a new Discord user (or `userID`); returns the token.
    @discardableResult
    public func issue(
        userID: String = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999)), username: String = "app_user",
        scopes: [String] = ["identify"], applicationID: String? = nil, expires: Date = Date().addingTimeInterval(7 * 86400)
    ) -> (token: String, userID: String) {
        let token = "fake" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let grant = Grant(
            applicationID: applicationID ?? self.applicationID, scopes: scopes, userID: userID, username: username, expires: expires)
        state.withLock { $0.grants[token] = grant }
        return (token, userID)
    }

    public func revoke(_ token: String) {
        _ = state.withLock { $0.grants.removeValue(forKey: token) }
    }

    /// While true, every call fails as an unreachable Discord does.
    public func setDown(_ down: Bool) {
        state.withLock { $0.down = down }
    }

    /// How many times `GET /oauth2/@me` was asked.
    public var calls: Int { state.withLock { $0.calls } }

    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        let (grant, down): (Grant?, Bool) = state.withLock { state in
            guard request.method == "GET", request.url.hasSuffix("/oauth2/@me") else { return (nil, state.down) }
            state.calls += 1
            let token = request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            return (token.flatMap { state.grants[$0] }, state.down)
        }
        if down { throw .connectionFailed(host: "discord.invalid", reason: "Discord is down (FakeDiscordOAuth)") }
        guard request.url.hasSuffix("/oauth2/@me") else { return Self.json(404, ["message": "404: Not Found", "code": 0]) }
        guard let grant else { return Self.json(401, ["message": "401: Unauthorized", "code": 0]) }
        return Self.json(
            200,
            [
                "application": ["id": .string(grant.applicationID), "name": "GuildGate"],
                "scopes": .array(grant.scopes.map(JSON.string)),
                "expires": .string(ISO8601Timestamp.format(grant.expires)),
                "user": grant.scopes.contains("identify")
                    ? ["id": .string(grant.userID), "username": .string(grant.username), "discriminator": "0", "global_name": .null]
                    : .null,
            ])
    }

    private static func json(_ status: Int, _ body: JSON) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body.serialized.utf8))
    }
}
