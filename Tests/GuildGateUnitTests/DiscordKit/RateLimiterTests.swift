@testable import DiscordKit
import CurlHTTP
import GuildGateTesting
import Testing

extension DiscordKitTests {
    @Suite struct RateLimiterTests {
        let clock = ManualClock()
        let messages = RateLimitKey(route: "POST /channels/{id}/messages", major: "channels/1", globalIdentity: 7)

        func limiter(maxWait: Duration = .seconds(10), perSecond: Int = 50) -> RateLimiter {
            RateLimiter(configuration: .init(globalRequestsPerSecond: perSecond, maxWait: maxWait), clock: clock)
        }

        func response(_ status: Int, _ headers: HTTPHeaders, body: String = "{}") -> HTTPResponse {
            HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
        }

        func response(_ headers: HTTPHeaders) -> HTTPResponse {
            response(200, headers)
        }

        @Test func anUnknownRouteIsAdmitted() {
            #expect(limiter().admit(messages) == .proceed)
        }

        @Test func anExhaustedBucketWaitsUntilItsReset() {
            let limiter = limiter()
            #expect(limiter.record(response(DK.bucketHeaders("abc", limit: 5, remaining: 0, resetAfter: 2.5)), for: messages) == .ok)
            #expect(limiter.admit(messages) == .wait(.milliseconds(2500)))
            clock.advance(.seconds(1))
            #expect(limiter.admit(messages) == .wait(.milliseconds(1500)))
            clock.advance(.milliseconds(1500))
            #expect(limiter.admit(messages) == .proceed)
        }

        @Test func slotsAreReservedSoThreadsCannotOverspendABucket() {
            let limiter = limiter()
            _ = limiter.record(response(DK.bucketHeaders("abc", limit: 5, remaining: 2, resetAfter: 1)), for: messages)
            #expect(limiter.admit(messages) == .proceed)
            #expect(limiter.admit(messages) == .proceed)
            #expect(limiter.admit(messages) == .wait(.seconds(1)))
            // A late response from the same window that still says 2 left must not hand the slots back.
            _ = limiter.record(response(DK.bucketHeaders("abc", limit: 5, remaining: 2, resetAfter: 0.9)), for: messages)
            #expect(limiter.admit(messages) == .wait(.seconds(1)))
        }

        @Test func aLearnedHashIsSharedByRoutesButNotByMajorParameters() {
            let limiter = limiter()
            let edit = RateLimitKey(route: "PATCH /channels/{id}/messages/{id}", major: "channels/1", globalIdentity: 7)
            let otherChannel = RateLimitKey(route: "POST /channels/{id}/messages", major: "channels/2", globalIdentity: 7)
            _ = limiter.record(response(DK.bucketHeaders("shared", limit: 5, remaining: 4, resetAfter: 5)), for: edit)
            _ = limiter.record(response(DK.bucketHeaders("shared", limit: 5, remaining: 0, resetAfter: 5)), for: messages)
            #expect(limiter.admit(edit) == .wait(.seconds(5)), "same bucket hash, same channel: exhausted together")
            #expect(limiter.admit(otherChannel) == .proceed, "another channel has its own bucket")
        }

        @Test func beforeTheHashIsKnownTheRouteKeyIsTheBucket() {
            let limiter = limiter()
            _ = limiter.record(response(DK.bucketHeaders(nil, limit: 1, remaining: 0, resetAfter: 3)), for: messages)
            #expect(limiter.admit(messages) == .wait(.seconds(3)))
            // Learning the hash carries the state over.
            _ = limiter.record(response(DK.bucketHeaders("h1", limit: 1, remaining: 0, resetAfter: 3)), for: messages)
            #expect(limiter.admit(messages) == .wait(.seconds(3)))
        }

        @Test func aResetLongerThanTheMaximumWaitIsRefusedNotWaited() {
            let limiter = limiter(maxWait: .seconds(10))
            _ = limiter.record(response(DK.bucketHeaders("abc", limit: 5, remaining: 0, resetAfter: 30)), for: messages)
            #expect(limiter.admit(messages) == .reject(retryAfter: .seconds(30), global: false))
        }

        @Test func aRoute429BlocksThatBucketForRetryAfter() {
            let limiter = limiter()
            var headers = DK.bucketHeaders("abc", limit: 5, remaining: 0, resetAfter: 1)
            headers.add(name: "X-RateLimit-Scope", value: "user")
            headers.add(name: "Retry-After", value: "4")
            let outcome = limiter.record(
                response(429, headers, body: #"{"message":"You are being rate limited.","retry_after":3.5,"global":false}"#), for: messages)
            #expect(outcome == .limited(retryAfter: .milliseconds(3500), global: false))
            #expect(limiter.admit(messages) == .wait(.milliseconds(3500)), "the body's precise retry_after wins")
            #expect(limiter.globalPauseRemaining == nil)
        }

        @Test func aGlobal429PausesEveryRoute() {
            let limiter = limiter()
            let other = RateLimitKey(route: "GET /guilds/{id}/members", major: "guilds/9", globalIdentity: 7)
            let user = RateLimitKey(route: "GET /users/@me", major: "|user:1", globalIdentity: nil)
            let headers: HTTPHeaders = ["X-RateLimit-Global": "true", "X-RateLimit-Scope": "global", "Retry-After": "2"]
            let outcome = limiter.record(
                response(429, headers, body: #"{"message":"slow down","retry_after":1.25,"global":true}"#), for: messages)
            #expect(outcome == .limited(retryAfter: .milliseconds(1250), global: true))
            for key in [messages, other, user] {
                #expect(limiter.admit(key) == .wait(.milliseconds(1250)))
            }
            #expect(limiter.globalPauseRemaining == .milliseconds(1250))
            clock.advance(.milliseconds(1250))
            #expect(limiter.admit(other) == .proceed)
        }

        @Test func theGlobalLimitCountsRequestsPerBotToken() {
            let limiter = limiter(perSecond: 3)
            let sameToken = RateLimitKey(route: "GET /guilds/{id}", major: "guilds/1", globalIdentity: 7)
            let otherToken = RateLimitKey(route: "GET /guilds/{id}", major: "guilds/1", globalIdentity: 8)
            let noToken = RateLimitKey(route: "GET /users/@me", major: "", globalIdentity: nil)
            for _ in 0..<3 { #expect(limiter.admit(sameToken) == .proceed) }
            clock.advance(.milliseconds(400))
            #expect(limiter.admit(sameToken) == .wait(.milliseconds(700)))
            #expect(limiter.admit(otherToken) == .proceed)
            #expect(limiter.admit(noToken) == .proceed)
            clock.advance(.milliseconds(700))
            #expect(limiter.admit(sameToken) == .proceed)
        }

        /// Discord's second starts with its own clock: a window that restarted with a burst of the client's would
        /// let a second as Discord counts it hold twice the limit. The count slides instead.
        @Test func theGlobalLimitSlidesSoThatNoSecondHoldsMoreThanTheLimit() {
            let limiter = limiter(perSecond: 3)
            let key = RateLimitKey(route: "GET /guilds/{id}", major: "guilds/1", globalIdentity: 7)
            #expect(limiter.admit(key) == .proceed)
            clock.advance(.milliseconds(900))
            #expect(limiter.admit(key) == .proceed)
            #expect(limiter.admit(key) == .proceed)
            clock.advance(.milliseconds(250))
            // A fixed window would have restarted at 1 s and sent three more within 250 ms of the last two.
            #expect(limiter.admit(key) == .proceed)
            #expect(limiter.admit(key) == .wait(.milliseconds(850)))
        }

        @Test(arguments: [
            // Cloudflare's 1015 page: HTML, no rate-limit headers.
            (["Content-Type": "text/html"] as HTTPHeaders, "<html>error code: 1015</html>"),
            // Cloudflare's JSON ban: no X-RateLimit-* headers, no retry_after.
            (
                ["Content-Type": "application/json"] as HTTPHeaders,
                #"{"code":0,"message":"You are being blocked from accessing our API temporarily"}"#
            ),
            // Rate-limit headers but a body that is not JSON.
            (["X-RateLimit-Scope": "user"] as HTTPHeaders, "Too Many Requests"),
        ])
        func a429WithoutDiscordsHeadersOrJSONIsABan(headers: HTTPHeaders, body: String) {
            let limiter = limiter(maxWait: .seconds(10))
            #expect(limiter.record(response(429, headers, body: body), for: messages) == .banned(retryAfter: .seconds(60)))
            let unrelated = RateLimitKey(route: "GET /users/@me", major: "", globalIdentity: nil)
            #expect(limiter.admit(unrelated) == .reject(retryAfter: .seconds(60), global: true))
        }

        @Test func aBanHonoursRetryAfterWhenGiven() {
            let limiter = limiter(maxWait: .seconds(10))
            #expect(limiter.record(response(429, ["Retry-After": "5"], body: "<html>"), for: messages) == .banned(retryAfter: .seconds(5)))
            #expect(limiter.admit(messages) == .wait(.seconds(5)))
        }

        @Test func anExpiredWindowIsRefilledFromTheLastKnownLimit() {
            let limiter = limiter()
            _ = limiter.record(response(DK.bucketHeaders("abc", limit: 2, remaining: 0, resetAfter: 1)), for: messages)
            clock.advance(.seconds(1))
            #expect(limiter.admit(messages) == .proceed)
            #expect(limiter.admit(messages) == .proceed)
            #expect(limiter.admit(messages) == .wait(.seconds(1)), "two per window, then wait for the estimated reset")
        }
    }
}
