@testable import DiscordKit
import GuildGateTesting
import Testing

extension DiscordKitTests {
    @Suite struct DiscordClientTests {
        let clock = ManualClock()
        let route = Route(.post, "/channels/111/messages")

        @Test func botRequestsCarryTheUserAgentAuthorizationAndJSONBody() throws {
            let transport = FakeTransport([DK.json(200, #"{"id":"5"}"#)])
            let client = DK.client(transport, clock: clock)
            try client.send(route, body: .json(Array(#"{"content":"hi"}"#.utf8)), auditLogReason: "sync roles: été")
            let request = try #require(transport.requests.first)
            #expect(request.method == "POST")
            #expect(request.url == "http://127.0.0.1:9/api/v10/channels/111/messages")
            #expect(request.headers["user-agent"] == "DiscordBot (https://github.com/guildgate/guildgate, 0.1.0) GuildGate")
            #expect(request.headers["Authorization"] == "Bot " + DK.botToken)
            #expect(request.headers["Content-Type"] == "application/json")
            #expect(request.headers["X-Audit-Log-Reason"] == "sync%20roles%3A%20%C3%A9t%C3%A9")
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"content":"hi"}"#)
        }

        @Test func withoutABotTokenNothingIsSent() {
            let transport = FakeTransport([])
            let client = DK.client(transport, clock: clock, configuration: DK.configuration(botToken: "  "))
            #expect(throws: DiscordError.self) { try client.send(route) }
            #expect(transport.requests.isEmpty)
        }

        @Test func aServerErrorIsRetriedWithBackoffThenSucceeds() throws {
            let transport = FakeTransport(
                [DK.response(502, "<html>bad gateway"), DK.json(503, "{}"), DK.json(200, #"{"id":"1"}"#)], clock: clock)
            let client = DK.client(transport, clock: clock)
            let response = try client.send(route)
            #expect(response.status == 200)
            #expect(transport.requests.count == 3)
            let sleeps = clock.sleeps
            #expect(sleeps.count == 2)
            // Equal jitter: retry 1 waits 125–250 ms, retry 2 waits 250–500 ms.
            #expect(sleeps[0] >= .milliseconds(125) && sleeps[0] <= .milliseconds(250))
            #expect(sleeps[1] >= .milliseconds(250) && sleeps[1] <= .milliseconds(500))
        }

        @Test func serverErrorsAreRetriedOnlyUpToTheAttemptLimit() {
            let transport = FakeTransport(Array(repeating: DK.json(500, #"{"message":"500: Internal Server Error","code":0}"#), count: 5))
            let client = DK.client(transport, clock: clock)
            #expect {
                try client.send(route)
            } throws: { error in
                guard case DiscordError.api(500, 0, "500: Internal Server Error") = error else { return false }
                return true
            }
            #expect(transport.requests.count == 3)
        }

        @Test func aClientErrorIsNotRetriedAndCarriesDiscordsMessage() {
            let body =
                #"{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}}"#
            let transport = FakeTransport([DK.json(400, body), DK.json(200, "{}")])
            let client = DK.client(transport, clock: clock)
            #expect {
                try client.send(route)
            } throws: { error in
                guard case DiscordError.api(400, 50035, let message) = error else { return false }
                return message == "Invalid Form Body (content: Must be 2000 or fewer in length.)"
            }
            #expect(transport.requests.count == 1)
            #expect(clock.sleeps.isEmpty)
        }

        @Test func aMissingPermissionErrorTellsTheOperatorWhatToDo() {
            let error = DiscordError.api(status: 403, code: 50013, message: "Missing Permissions")
            #expect(error.description.contains("move its role above"))
        }

        @Test func connectionFailuresAreRetried() throws {
            let transport = FakeTransport([
                .failure(.connectionFailed(host: "127.0.0.1:9", reason: "refused")), DK.json(200, "{}"),
            ])
            try DK.client(transport, clock: clock).send(route)
            #expect(transport.requests.count == 2)
        }

        @Test func aPOSTThatTimedOutAfterSendingIsNotRepeated() {
            let transport = FakeTransport([.failure(.timedOut(host: "h", seconds: 30, requestSent: true)), DK.json(200, "{}")])
            #expect(throws: DiscordError.self) { try DK.client(transport, clock: clock).send(route) }
            #expect(transport.requests.count == 1)
        }

        @Test func aGETThatTimedOutIsRetried() throws {
            let transport = FakeTransport([.failure(.timedOut(host: "h", seconds: 30, requestSent: true)), DK.json(200, "{}")])
            try DK.client(transport, clock: clock).send(Route(.get, "/channels/111/messages/5"))
            #expect(transport.requests.count == 2)
        }

        @Test func a429IsRetriedAfterTheWaitDiscordAsksFor() throws {
            var headers = DK.bucketHeaders("b1", limit: 5, remaining: 0, resetAfter: 1.5)
            headers.add(name: "X-RateLimit-Scope", value: "user")
            let transport = FakeTransport(
                [
                    DK.json(429, #"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#, headers: headers),
                    DK.json(200, "{}"),
                ], clock: clock)
            try DK.client(transport, clock: clock).send(route)
            #expect(transport.requests.count == 2)
            #expect(transport.sentAt[1] - transport.sentAt[0] == .milliseconds(1500))
        }

        @Test func theClientNeverSendsIntoAnExhaustedBucket() throws {
            let transport = FakeTransport(
                [
                    DK.json(200, "{}", headers: DK.bucketHeaders("b1", limit: 1, remaining: 0, resetAfter: 2)),
                    DK.json(200, "{}", headers: DK.bucketHeaders("b1", limit: 1, remaining: 0, resetAfter: 2)),
                ], clock: clock)
            let client = DK.client(transport, clock: clock)
            try client.send(route)
            try client.send(route)
            #expect(transport.requests.count == 2)
            #expect(transport.sentAt[1] - transport.sentAt[0] >= .seconds(2), "the second request waited for the reset")
        }

        @Test func aLongResetFailsWithoutSending() {
            let transport = FakeTransport(
                [
                    DK.json(200, "{}", headers: DK.bucketHeaders("b1", limit: 1, remaining: 0, resetAfter: 30)),
                    DK.json(200, "{}"),
                ], clock: clock)
            let client = DK.client(transport, clock: clock, maxWait: .seconds(10))
            #expect(throws: Never.self) { try client.send(route) }
            #expect {
                try client.send(route)
            } throws: { error in
                guard case DiscordError.rateLimited(let retryAfter, false) = error else { return false }
                return retryAfter == .seconds(30)
            }
            #expect(transport.requests.count == 1)
            #expect(clock.sleeps.isEmpty)
        }

        @Test func threadsSharingTheLimiterShareItsKnowledge() throws {
            let limiter = RateLimiter(clock: clock)
            let first = FakeTransport(
                [DK.json(200, "{}", headers: DK.bucketHeaders("b1", limit: 1, remaining: 0, resetAfter: 3))], clock: clock)
            let second = FakeTransport([DK.json(200, "{}")], clock: clock)
            try DK.client(first, clock: clock, limiter: limiter).send(route)
            try DK.client(second, clock: clock, limiter: limiter).send(route)
            #expect(second.sentAt[0] - first.sentAt[0] >= .seconds(3))
        }

        @Test func aCloudflareBanIsReportedAndNotRetried() {
            let transport = FakeTransport([DK.response(429, "<html>error code: 1015</html>"), DK.json(200, "{}")], clock: clock)
            let client = DK.client(transport, clock: clock)
            #expect {
                try client.send(route)
            } throws: { error in
                guard case DiscordError.cloudflareBan = error else { return false }
                return true
            }
            #expect(transport.requests.count == 1)
            // The whole process holds off: the next call does not reach the network either.
            #expect(throws: DiscordError.self) { try client.send(Route(.get, "/gateway/bot")) }
            #expect(transport.requests.count == 1)
        }

        @Test func repeated429sGiveUpAfterTheRetryLimit() {
            let limited = DK.json(429, #"{"message":"slow","retry_after":0.5,"global":true}"#, headers: ["X-RateLimit-Global": "true"])
            let transport = FakeTransport([limited, limited, limited, limited], clock: clock)
            #expect {
                try DK.client(transport, clock: clock).send(route)
            } throws: { error in
                guard case DiscordError.rateLimited(_, true) = error else { return false }
                return true
            }
            #expect(transport.requests.count == 3, "one try plus two waited-out 429s")
        }

        @Test func decodesTheResponseBody() throws {
            let transport = FakeTransport([DK.json(200, #"{"id":"42","username":"bot","bot":true}"#)])
            let user = try DK.client(transport, clock: clock).send(Route(.get, "/users/@me"), as: DiscordUser.self)
            #expect(user == DiscordUser(id: "42", username: "bot", bot: true))
        }

        @Test func tokensNeverReachTheLogs() {
            let capture = LogCapture()
            let transport = FakeTransport(
                [
                    .failure(.connectionFailed(host: "127.0.0.1:9", reason: "refused")),
                    DK.json(401, #"{"message":"401: Unauthorized","code":0}"#),
                ], clock: clock)
            let client = DK.client(transport, clock: clock, logger: capture.logger)
            #expect(throws: DiscordError.self) { try client.send(route) }
            #expect(throws: OAuthError.self) { try client.currentUser(accessToken: "user-access-token") }
            let logs = capture.text
            #expect(logs.contains("POST /channels/{id}/messages"))
            #expect(!logs.contains(DK.botToken))
            #expect(!logs.contains("user-access-token"))
            #expect(!"\(client.configuration)".contains(DK.botToken))
            #expect(!"\(client.configuration)".contains(DK.clientSecret))
            #expect(!String(reflecting: client.configuration).contains(DK.clientSecret))
        }

        @Test func retryBackoffGrowsAndIsCapped() {
            let policy = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(4))
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<50 {
                let third = policy.delay(beforeRetry: 3, using: &generator)
                #expect(third >= .seconds(2) && third <= .seconds(4))
                let tenth = policy.delay(beforeRetry: 10, using: &generator)
                #expect(tenth >= .seconds(2) && tenth <= .seconds(4))
            }
        }
    }
}
