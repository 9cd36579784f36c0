import Crypto
import Foundation
import JSONSupport
import Testing
import WireFormats

/// The control API (`/_sandbox/…`) the end-to-end tests steer discord-sandbox with: each test checks that a
/// call does to Discord's side what docs/SANDBOX.md says, in-process.
@Suite struct SandboxControlTests {
    let sandbox = InProcessSandbox()
    let channel = InProcessSandbox.channelID

    @Test func faultsHitTheRequestsTheyNameAndThenStop() async {
        let armed = await sandbox.control(
            .POST, "/faults", json: #"{"method":"GET","path":"/users/@me","kind":"status","status":503,"count":1}"#)
        #expect(armed.status == 200 && armed.json?["faults"]?.array?.count == 1, "\(armed.text)")
        #expect(await sandbox.bot(.GET, "/users/@me").status == 503)
        #expect(await sandbox.bot(.GET, "/users/@me").status == 200, "a fault with a count ends")

        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/channels/{id}/messages","kind":"reset","count":1}"#)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"x"}"#).status == 0, "reset")
        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/gateway/*","kind":"status","status":502,"probability":1}"#)
        #expect(await sandbox.bot(.GET, "/gateway/bot").status == 502)
        let cleared = await sandbox.control(.DELETE, "/faults")
        #expect(cleared.text == #"{"faults":[]}"#)
        #expect(await sandbox.bot(.GET, "/gateway/bot").status == 200)
        #expect(await sandbox.control(.POST, "/faults", json: #"{"kind":"status"}"#).status == 400, "no path")
    }

    @Test func aLostAnswerMakesTheChangeAndAnswersTheStatusInstead() async {
        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/channels/{id}/messages","kind":"lost_answer","status":502}"#)
        let lost = await sandbox.bot(
            .POST, "/channels/\(channel)/messages", json: #"{"content":"once","nonce":"n-1","enforce_nonce":true}"#)
        #expect(lost.status == 502, "\(lost.text)")
        let retried = await sandbox.bot(
            .POST, "/channels/\(channel)/messages", json: #"{"content":"once","nonce":"n-1","enforce_nonce":true}"#)
        #expect(retried.status == 200, "\(retried.text)")
        let stored = await sandbox.control(.GET, "/channels/\(channel)/messages")
        #expect(stored.json?.array?.filter { $0["content"]?.string == "once" }.count == 1, "\(stored.text)")
    }

    @Test func rateLimitsCanBeSwitchedOffAndOn() async throws {
        for _ in 0..<5 { #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"hi"}"#).status == 200) }
        let limited = await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"hi"}"#)
        #expect(limited.status == 429 && limited.headers.first(name: "X-RateLimit-Remaining") == "0", "\(limited.text)")
        #expect(limited.json?["retry_after"]?.number.map { $0 > 0 && $0 <= 5 } == true)
        #expect(await sandbox.control(.GET, "/ratelimits").json?["limited_requests"]?.wholeNumber == 1)

        let off = await sandbox.control(.PUT, "/ratelimits", json: #"{"enabled":false}"#)
        #expect(off.json?["enabled"] == .bool(false))
        for _ in 0..<8 {
            let sent = await sandbox.bot(.POST, "/channels/300000000000000011/messages", json: #"{"content":"hi"}"#)
            #expect(sent.status == 200 && sent.headers.first(name: "X-RateLimit-Limit") == nil)
        }
        _ = await sandbox.control(.PUT, "/ratelimits", json: #"{"enabled":true}"#)
        let tight = await sandbox.control(.PUT, "/ratelimits", json: #"{"route":"GET /users/@me","limit":1,"window_ms":60000}"#)
        #expect(tight.status == 200, "\(tight.text)")
        #expect(await sandbox.bot(.GET, "/users/@me").headers.first(name: "X-RateLimit-Limit") == "1")
        #expect(await sandbox.bot(.GET, "/users/@me").status == 429)
        #expect(await sandbox.control(.PUT, "/ratelimits", json: #"{"route":"GET /nowhere","limit":1}"#).status == 400)
    }

    @Test func resetForgetsMessagesFaultsLimitsAndTheOAuthUser() async {
        let defaultUser = await sandbox.control(.GET, "/oauth/user").json?["id"]
        _ = await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"before"}"#)
        _ = await sandbox.control(.PUT, "/oauth/user", json: #"{"id":"555000000000000001","username":"ann_test"}"#)
        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/gateway/bot","kind":"status","status":500,"count":5}"#)
        _ = await sandbox.control(.PUT, "/ratelimits", json: #"{"enabled":false}"#)
        #expect(await sandbox.control(.GET, "/channels/\(channel)/messages").json?.array?.count == 1)

        #expect(await sandbox.control(.POST, "/reset").text == #"{"ok":true}"#)
        #expect(await sandbox.control(.GET, "/channels/\(channel)/messages").text == "[]")
        #expect(await sandbox.control(.GET, "/faults").text == #"{"faults":[]}"#)
        #expect(await sandbox.control(.GET, "/ratelimits").json?["enabled"] == .bool(true))
        #expect(await sandbox.control(.GET, "/oauth/user").json?["id"] == defaultUser)
        #expect(await sandbox.bot(.GET, "/gateway/bot").status == 200)
    }

    @Test func theOAuthUserAndConsentModeDecideTheAuthorization() async throws {
        let user = #"{"id":"555000000000000001","username":"ann_test","global_name":"Ann","email":"ann@example.org"}"#
        #expect(await sandbox.control(.PUT, "/oauth/user", json: user).status == 200)
        let verifier = String(repeating: "v", count: 43)
        let approved = await authorize(verifier: verifier)
        #expect(approved.status == 302)
        let location = try #require(approved.headers.first(name: "Location"))
        let query = try #require(FormDecoding.decode(String(location.drop { $0 != "?" }.dropFirst())))
        #expect(location.hasPrefix("http://127.0.0.1:9/callback?code=") && query["state"] == "s 1")
        let code = try #require(query["code"])

        let form = FormEncoding.encode([
            (name: "grant_type", value: "authorization_code"), (name: "code", value: code),
            (name: "redirect_uri", value: "http://127.0.0.1:9/callback"), (name: "code_verifier", value: verifier),
            (name: "client_id", value: InProcessSandbox.clientID), (name: "client_secret", value: "sandbox-client-secret"),
        ])
        let token = await sandbox.send(
            .POST, "/api/v10/oauth2/token",
            headers: [InProcessSandbox.userAgent, ("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
        let accessToken = try #require(token.json?["access_token"]?.string, "\(token.text)")
        let me = await sandbox.send(
            .GET, "/api/v10/users/@me", headers: [InProcessSandbox.userAgent, ("Authorization", "Bearer \(accessToken)")])
        #expect(me.json?["id"] == "555000000000000001" && me.json?["email"] == "ann@example.org", "\(me.text)")

        #expect(await sandbox.control(.PUT, "/oauth/mode", json: #"{"mode":"deny"}"#).text == #"{"mode":"deny"}"#)
        let denied = await authorize(verifier: verifier)
        #expect(
            denied.headers.first(name: "Location")
                == "http://127.0.0.1:9/callback?error=access_denied&error_description=The+resource+owner+or+authorization+server+denied+the+request&state=s+1",
            "Discord's redirect, spaces as +")
    }

    @Test func membersJoinAndLeaveTheGuild() async {
        let member = "/guilds/\(InProcessSandbox.guildID)/members/555000000000000002"
        #expect(await sandbox.bot(.GET, member).text == #"{"message":"Unknown Member","code":10007}"#)
        let added = await sandbox.control(
            .POST, "/guild/members", json: #"{"members":[{"id":"555000000000000002","username":"bob_test","status":"online"}]}"#)
        #expect(added.status == 200, "\(added.text)")
        let fetched = await sandbox.bot(.GET, member)
        #expect(fetched.status == 200 && fetched.json?["user"]?["username"] == "bob_test", "\(fetched.text)")
        #expect(await sandbox.control(.DELETE, "/guild/members/555000000000000002").status == 200)
        #expect(await sandbox.bot(.GET, member).json?["code"]?.wholeNumber == 10007)
        #expect(await sandbox.control(.POST, "/guild/members", json: #"{"members":[{"id":"x","username":"bob_test"}]}"#).status == 400)
    }

    @Test func permissionOverwritesAndTheBotRoleDecideWhatTheBotMayDo() async {
        #expect(await sandbox.postFile("a.bin", content: "abc").status == 200)
        let botRole = "300000000000000004"
        let denyAttach = #"[{"id":"\#(botRole)","type":0,"allow":"0","deny":"32768"}]"#
        let set = await sandbox.control(.PUT, "/channels/\(channel)/permission-overwrites", json: denyAttach)
        #expect(set.text == denyAttach, "the overwrites as Discord's overwrite objects")
        let refused = await sandbox.postFile("a.bin", content: "abc")
        #expect(refused.status == 403 && refused.text == #"{"message":"Missing Permissions","code":50013}"#)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"text only"}"#).status == 200)

        let hidden = #"[{"id":"\#(botRole)","type":0,"allow":"0","deny":"1024"}]"#
        _ = await sandbox.control(.PUT, "/channels/\(channel)/permission-overwrites", json: hidden)
        #expect(await sandbox.bot(.GET, "/channels/\(channel)/messages").text == #"{"message":"Missing Access","code":50001}"#)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"x"}"#).json?["code"]?.wholeNumber == 50001)

        _ = await sandbox.control(.PUT, "/channels/\(channel)/permission-overwrites", json: "[]")
        #expect(await sandbox.control(.PUT, "/guild/bot-role", json: #"{"permissions":"1024"}"#).status == 200)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"x"}"#).json?["code"]?.wholeNumber == 50013)
        #expect(await sandbox.control(.PUT, "/guild/bot-role", json: #"{"permissions":"lots"}"#).status == 400)
    }

    /// Opens the consent page with PKCE for `verifier`; the sandbox answers as the user would.
    private func authorize(verifier: String) async -> InProcessSandbox.Answer {
        let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let query = FormEncoding.encode([
            (name: "client_id", value: InProcessSandbox.clientID), (name: "response_type", value: "code"),
            (name: "redirect_uri", value: "http://127.0.0.1:9/callback"), (name: "scope", value: "identify email"),
            (name: "state", value: "s 1"), (name: "code_challenge", value: challenge), (name: "code_challenge_method", value: "S256"),
        ])
        return await sandbox.send(.GET, "/oauth2/authorize?" + query)
    }
}
