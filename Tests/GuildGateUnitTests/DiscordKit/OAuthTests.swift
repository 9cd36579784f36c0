@testable import DiscordKit
import CurlHTTP
import GuildGateTesting
import Testing

extension DiscordKitTests {
    @Suite struct OAuthTests {
        let clock = ManualClock()

        func exchange(_ script: [Result<HTTPResponse, HTTPClientError>], configuration: DiscordConfiguration = DK.configuration()) -> (
            Result<OAuthToken, OAuthError>, FakeTransport
        ) {
            let transport = FakeTransport(script, clock: clock)
            let client = DK.client(transport, clock: clock, configuration: configuration)
            return (
                Result { () throws(OAuthError) in
                    try client.exchangeCode(
                        "the-code", redirectURI: "https://gate.example/api/discord/callback",
                        codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                }, transport
            )
        }

        func user(_ script: [Result<HTTPResponse, HTTPClientError>]) -> (Result<DiscordUser, OAuthError>, FakeTransport) {
            let transport = FakeTransport(script, clock: clock)
            let client = DK.client(transport, clock: clock)
            return (Result { () throws(OAuthError) in try client.currentUser(accessToken: "access-1") }, transport)
        }

        @Test func theCodeExchangeIsAFormPostWithBasicAuth() throws {
            let (result, transport) = exchange([
                DK.json(
                    200, #"{"access_token":"at","token_type":"Bearer","expires_in":604800,"refresh_token":"rt","scope":"identify email"}"#)
            ])
            let token = try result.get()
            #expect(
                token
                    == OAuthToken(
                        accessToken: "at", tokenType: "Bearer", expiresIn: 604800, refreshToken: "rt", scopes: ["identify", "email"]))
            let request = try #require(transport.requests.first)
            #expect(request.method == "POST")
            #expect(request.url == "http://127.0.0.1:9/api/v10/oauth2/token")
            #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
            // base64("1234:client-secret-xyz")
            #expect(request.headers["Authorization"] == "Basic MTIzNDpjbGllbnQtc2VjcmV0LXh5eg==")
            #expect(
                String(decoding: request.body, as: UTF8.self)
                    == "grant_type=authorization_code&code=the-code&redirect_uri=https%3A%2F%2Fgate.example%2Fapi%2Fdiscord%2Fcallback"
                    + "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
            #expect(!token.description.contains("at,") && !token.description.contains("rt"))
        }

        @Test func refreshUsesTheRefreshGrant() throws {
            let transport = FakeTransport([
                DK.json(200, #"{"access_token":"new","token_type":"Bearer","expires_in":10,"scope":"identify"}"#)
            ])
            let token = try DK.client(transport, clock: clock).refreshToken("old-refresh")
            #expect(token.accessToken == "new" && token.refreshToken == nil && token.scopes == ["identify"])
            #expect(String(decoding: transport.requests[0].body, as: UTF8.self) == "grant_type=refresh_token&refresh_token=old-refresh")
        }

        @Test(arguments: [DK.configuration(clientID: nil), DK.configuration(clientSecret: ""), DK.configuration(clientID: " ")])
        func withoutClientCredentialsItIsNotConfigured(configuration: DiscordConfiguration) {
            let (result, transport) = exchange([], configuration: configuration)
            #expect(result.dkError == .notConfigured)
            #expect(transport.requests.isEmpty)
        }

        @Test func aRejectedCodeKeepsDiscordsErrorAndIsNotRetried() {
            let (result, transport) = exchange([
                DK.json(400, #"{"error":"invalid_grant","error_description":"Invalid \"code\" in request."}"#), DK.json(200, "{}"),
            ])
            #expect(result.dkError == .exchangeRejected(status: 400, error: "invalid_grant", description: #"Invalid "code" in request."#))
            #expect(transport.requests.count == 1)
            #expect(result.dkError?.description.contains("DISCORD_REDIRECT_URI") == true)
        }

        @Test func aBadClientIsRejected() {
            let (result, _) = exchange([DK.json(401, #"{"error":"invalid_client"}"#)])
            #expect(result.dkError == .exchangeRejected(status: 401, error: "invalid_client", description: nil))
        }

        @Test(arguments: [#"{"token_type":"Bearer"}"#, #"{"access_token":""}"#, #"{"access_token":null}"#, "not json", "[]"])
        func aSuccessWithoutAnAccessTokenIsNoAccessToken(body: String) {
            let (result, _) = exchange([DK.json(200, body)])
            #expect(result.dkError == .noAccessToken)
        }

        @Test func anUnreachableTokenEndpointIsATransportError() {
            let failure = HTTPClientError.connectionFailed(host: "127.0.0.1:9", reason: "Connection refused")
            let (result, transport) = exchange([.failure(failure), .failure(failure), .failure(failure)])
            #expect(result.dkError == .transport(failure))
            #expect(transport.requests.count == 3, "nothing was sent, so retrying cannot reuse the code")
        }

        @Test func aTimeoutAfterSendingTheCodeIsNotRetried() {
            let failure = HTTPClientError.timedOut(host: "h", seconds: 30, requestSent: true)
            let (result, transport) = exchange([.failure(failure), DK.json(200, #"{"access_token":"x"}"#)])
            #expect(result.dkError == .transport(failure))
            #expect(transport.requests.count == 1)
        }

        @Test func theCurrentUserIsReadWithTheBearerToken() throws {
            let (result, transport) = user([
                DK.json(
                    200,
                    #"{"id":"80351110224678912","username":"nelly","discriminator":"0","global_name":"Nelly","avatar":null,"email":"n@example.com","verified":true}"#
                )
            ])
            let user = try result.get()
            #expect(user.id == "80351110224678912" && user.username == "nelly" && user.email == "n@example.com" && user.verified == true)
            #expect(user.displayName == "Nelly")
            #expect(transport.requests[0].headers["Authorization"] == "Bearer access-1")
            #expect(transport.requests[0].url == "http://127.0.0.1:9/api/v10/users/@me")
        }

        @Test func theDisplayNameFallsBackToTheUsername() {
            #expect(DiscordUser(id: "1", username: "nelly", globalName: nil).displayName == "nelly")
            #expect(DiscordUser(id: "1", username: "nelly", globalName: "").displayName == "nelly")
        }

        @Test func aRefusedUserLookupIsUserInfoFailed() {
            let (result, transport) = user([DK.json(401, #"{"message":"401: Unauthorized","code":0}"#)])
            #expect(result.dkError == .userInfoFailed(status: 401, reason: "401: Unauthorized"))
            #expect(transport.requests.count == 1)
        }

        @Test(arguments: ["<html>", "[1,2]", #"{"id":"5"}"#])
        func anUndecodableUserIsUserInfoFailed(body: String) {
            let (result, _) = user([DK.json(200, body)])
            guard case .userInfoFailed(200, _)? = result.dkError else {
                Issue.record("expected userInfoFailed, got \(String(describing: result))")
                return
            }
        }

        @Test(arguments: [#"{"username":"x"}"#, #"{"id":"","username":"x"}"#, #"{"id":null,"username":"x"}"#])
        func aUserWithoutAnIDIsNoUserID(body: String) {
            let (result, _) = user([DK.json(200, body)])
            #expect(result.dkError == .noUserID)
        }

        @Test func aRateLimitedSignInSaysWhenToRetry() {
            let (result, _) = user([DK.response(429, "<html>1015")])
            guard case .rateLimited? = result.dkError else {
                Issue.record("expected rateLimited, got \(String(describing: result))")
                return
            }
        }
    }
}

extension Result {
    var dkError: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
