@testable import DiscordKit
import CurlHTTP
import Testing
import WireFormats

extension DiscordKitTests {
    @Suite struct URLBuildingTests {
        @Test func theInviteAsksForWhatGuildGatesFeaturesUse() {
            #expect(Permissions.guildGate.rawValue == 402_754_560)
            #expect(Permissions.guildGate.description == "402754560")
            #expect(
                Permissions.guildGate.names == [
                    "View Channel", "Send Messages", "Attach Files", "Read Message History", "Manage Nicknames", "Manage Roles",
                ])
            #expect(Permissions.viewChannel.rawValue == 1024 && Permissions.manageRoles.rawValue == 268_435_456)
        }

        @Test func theInviteURLAsksForBotAndCommands() {
            #expect(
                BotInvite.url(clientID: "157730590492196864", permissions: .guildGate)
                    == "https://discord.com/oauth2/authorize?client_id=157730590492196864&scope=bot%20applications.commands&permissions=402754560"
            )
            #expect(
                BotInvite.url(
                    clientID: "1", permissions: [.viewChannel, .sendMessages], authorizeURL: "http://127.0.0.1:8099/oauth2/authorize",
                    guildID: "99")
                    == "http://127.0.0.1:8099/oauth2/authorize?client_id=1&scope=bot%20applications.commands&permissions=3072&guild_id=99")
        }

        @Test func theAuthorizeURLEncodesEveryValue() {
            let url = OAuthAuthorizeURL.build(
                authorizeURL: "https://discord.com/oauth2/authorize", clientID: "42",
                redirectURI: "https://gate.example/api/discord/callback?from=a b", scopes: ["identify", "email"],
                state: "s+/=&é", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", prompt: .consent)
            #expect(
                url == "https://discord.com/oauth2/authorize?response_type=code&client_id=42&scope=identify%20email"
                    + "&state=s%2B%2F%3D%26%C3%A9&redirect_uri=https%3A%2F%2Fgate.example%2Fapi%2Fdiscord%2Fcallback%3Ffrom%3Da%20b"
                    + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&prompt=consent")
        }

        @Test func anAuthorizeURLWithAQueryGetsMoreParameters() {
            let url = OAuthAuthorizeURL.build(
                authorizeURL: "http://sandbox/oauth2/authorize?integration_type=0", clientID: "1", redirectURI: "r",
                scopes: ["identify"], state: "s", codeChallenge: "c", prompt: .skipIfAuthorized)
            #expect(
                url
                    == "http://sandbox/oauth2/authorize?integration_type=0&response_type=code&client_id=1&scope=identify&state=s&redirect_uri=r"
                    + "&code_challenge=c&code_challenge_method=S256&prompt=none")
        }

        @Test func percentEncodingKeepsOnlyTheUnreservedSet() {
            #expect(PercentEncoding.encode("AZaz09-._~") == "AZaz09-._~")
            #expect(PercentEncoding.encode("a b+c&d=e/f?g#h%i") == "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25i")
            #expect(PercentEncoding.encode("été 🎉") == "%C3%A9t%C3%A9%20%F0%9F%8E%89")
            #expect(
                FormEncoding.encode([("grant_type", "authorization_code"), ("a b", "c&d")]) == "grant_type=authorization_code&a%20b=c%26d")
        }

        @Test func routesKnowTheirBucketTemplateAndMajorParameter() {
            let message = Route(.patch, "/channels/111/messages/222")
            #expect(message.bucketRoute == "PATCH /channels/{id}/messages/{id}")
            #expect(message.majorParameter == "channels/111")
            let member = Route(.put, "guilds/9/members/8/roles/7")
            #expect(member.path == "/guilds/9/members/8/roles/7")
            #expect(member.bucketRoute == "PUT /guilds/{id}/members/{id}/roles/{id}" && member.majorParameter == "guilds/9")
            let webhook = Route(.post, "/webhooks/5/secret-token?wait=true")
            #expect(webhook.bucketRoute == "POST /webhooks/{id}/{token}" && webhook.majorParameter == "webhooks/5/secret-token")
            #expect(!webhook.description.contains("secret-token"))
            let interaction = Route(.post, "/interactions/77/interaction-token/callback")
            #expect(interaction.description == "POST /interactions/{id}/{token}/callback")
            #expect(Route(.get, "/users/@me").majorParameter == "")
        }

        @Test func headersLookUpCaseInsensitivelyAndKeepRepeats() {
            var headers: HTTPHeaders = ["Set-Cookie": "a=1", "X-RateLimit-Bucket": "abc"]
            headers.add(name: "set-cookie", value: "b=2")
            #expect(headers["x-ratelimit-bucket"] == "abc")
            #expect(headers.values("SET-COOKIE") == ["a=1", "b=2"])
            #expect(headers.containsName(withPrefix: "x-ratelimit-"))
            #expect(headers["Retry-After"] == nil)
            headers.replaceOrAdd(name: "SET-cookie", value: "c=3")
            #expect(headers.values("set-cookie") == ["c=3"])
        }
    }
}
