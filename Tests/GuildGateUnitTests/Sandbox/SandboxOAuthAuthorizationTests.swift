import Foundation
import JSONSupport
import Testing

/// Get Current Authorization Information and Token Revocation (docs: `topics/oauth2`; RFC 7009), with tokens
/// from the control API (`POST /_sandbox/oauth/tokens`).
@Suite struct SandboxOAuthAuthorizationTests {
    let sandbox = InProcessSandbox()
    let ann = "555000000000000010"

    private func issue(scopes: String = #"["identify","guilds"]"#) async -> (access: String, refresh: String) {
        let issued = await sandbox.control(
            .POST, "/oauth/tokens", json: #"{"user_id":"\#(ann)","username":"ann_test","scopes":\#(scopes)}"#)
        return (issued.json?["access_token"]?.string ?? "none", issued.json?["refresh_token"]?.string ?? "none")
    }

    /// A GET of Discord's API with a bearer token.
    private func bearer(_ path: String, token: String) async -> InProcessSandbox.Answer {
        await sandbox.send(.GET, "/api/v10" + path, headers: [("Authorization", "Bearer \(token)"), InProcessSandbox.userAgent])
    }

    private func revoke(
        _ form: String, authorization: String = "Basic " + Data("100000000000000001:sandbox-client-secret".utf8).base64EncodedString()
    )
        async -> InProcessSandbox.Answer
    {
        await sandbox.send(
            .POST, "/api/v10/oauth2/token/revoke",
            headers: [("Authorization", authorization), ("Content-Type", "application/x-www-form-urlencoded"), InProcessSandbox.userAgent],
            body: Array(form.utf8))
    }

    @Test func theCurrentAuthorizationNamesTheApplicationScopesExpiryAndUser() async throws {
        let token = await issue().access
        let info = await bearer("/oauth2/@me", token: token)
        #expect(info.status == 200, "\(info.text)")
        let json = try #require(info.json)
        #expect(json["scopes"] == ["identify", "guilds"] && json["user"]?["id"] == .string(ann) && json["user"]?["username"] == "ann_test")
        let application = try #require(json["application"])
        #expect(application["id"] == .string(InProcessSandbox.clientID) && application["hook"] == true)
        #expect(application["bot_public"] != nil && application["bot_require_code_grant"] == false && application["icon"] == .null)
        #expect(application["verify_key"]?.string?.count == 64 && application["name"]?.string != nil && application["description"] == "")
        let expires = try #require(json["expires"]?.string)
        #expect(expires.hasSuffix("+00:00") && expires > ISO8601DateFormatter().string(from: Date().addingTimeInterval(6 * 86_400)))

        let withoutIdentify = await bearer("/oauth2/@me", token: await issue(scopes: #"["guilds"]"#).access)
        #expect(withoutIdentify.status == 200 && withoutIdentify.json?["user"] == nil)
        let logged = await sandbox.control(.GET, "/requests").json?["requests"]?.array ?? []
        #expect(logged.filter { $0["path"] == "/api/v10/oauth2/@me" }.count == 2, "verifications can be counted")
    }

    @Test func botTokensNoTokenAndUnknownTokensAreUnauthorized() async {
        let unauthorized: JSON = ["message": "401: Unauthorized", "code": 0]
        #expect(await sandbox.bot(.GET, "/oauth2/@me").json == unauthorized)
        #expect(await sandbox.send(.GET, "/api/v10/oauth2/@me", headers: [InProcessSandbox.userAgent]).status == 401)
        let unknown = await bearer("/oauth2/@me", token: "not-a-token")
        #expect(unknown.status == 401 && unknown.json == unauthorized)
    }

    @Test func revokingEndsTheAuthorizationOnEveryRouteAtOnce() async {
        let (access, refresh) = await issue()
        #expect(await bearer("/users/@me", token: access).status == 200)
        #expect(await revoke("token=\(access)&token_type_hint=access_token").status == 200)
        #expect(await bearer("/users/@me", token: access).status == 401)
        #expect(await bearer("/oauth2/@me", token: access).status == 401)
        let refreshed = await sandbox.send(
            .POST, "/api/v10/oauth2/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), InProcessSandbox.userAgent],
            body: Array(
                "grant_type=refresh_token&refresh_token=\(refresh)&client_id=100000000000000001&client_secret=sandbox-client-secret".utf8))
        #expect(refreshed.json?["error"] == "invalid_grant", "the refresh token went with it")

        let second = await issue()
        #expect(await revoke("token=\(second.refresh)&token_type_hint=refresh_token").status == 200)
        #expect(await bearer("/users/@me", token: second.access).status == 401, "a refresh token ends its access token too")
        #expect(await revoke("token=unknown").status == 200, "RFC 7009: an unknown token is not an error")
    }

    @Test func revocationNeedsAClientAndAForm() async {
        let token = await issue().access
        let wrongSecret = "Basic " + Data("100000000000000001:wrong".utf8).base64EncodedString()
        let refused = await revoke("token=\(token)", authorization: wrongSecret)
        #expect(refused.status == 401 && refused.json?["error"] == "invalid_client")
        #expect(await revoke("").json?["error"] == "invalid_request")
        #expect(await revoke("token=\(token)&token_type_hint=id_token").json?["error"] == "unsupported_token_type")
        #expect(await bearer("/users/@me", token: token).status == 200, "nothing was revoked")

        #expect(await sandbox.control(.POST, "/oauth/tokens/revoke", json: #"{"access_token":"\#(token)"}"#).status == 200)
        #expect(await bearer("/users/@me", token: token).status == 401)
        #expect(await sandbox.control(.POST, "/oauth/tokens/revoke", json: #"{"access_token":"\#(token)"}"#).status == 404)
        #expect(await sandbox.control(.POST, "/oauth/tokens", json: #"{"user_id":"x","username":"ann"}"#).status == 400)
    }
}
