@testable import BotWorker
@testable import DiscordGateway
@testable import DiscordKit
@testable import GuildGateCore
import GuildGateTesting
@testable import Handlers
import Testing

/// Series names and labels: routes by pattern, Discord calls by their rate-limit route, never an id.
@Suite struct MetricsNamingTests {
    @Test func discordCallsAreCountedByBucketRouteAndStatusWithWaitsAnd429s() throws {
        let before = MetricsScrape.inProcess()
        let clock = ManualClock()
        var limited = DK.bucketHeaders("b9", limit: 5, remaining: 0, resetAfter: 0.5)
        limited.add(name: "X-RateLimit-Scope", value: "user")
        let transport = FakeTransport(
            [
                DK.json(429, #"{"message":"You are being rate limited.","retry_after":0.5,"global":false}"#, headers: limited),
                DK.json(200, "{}"),
            ], clock: clock)
        try DK.client(transport, clock: clock).send(Route(.put, "/applications/31/guilds/32/commands/33/permissions"))

        let after = MetricsScrape.inProcess()
        let route = "PUT /applications/{id}/guilds/{id}/commands/{id}/permissions"
        func grew(_ series: String) -> Double { (after.value(of: series) ?? 0) - (before.value(of: series) ?? 0) }
        #expect(grew(#"guildgate_discord_requests_total{route="\#(route)",status="429"}"#) == 1)
        #expect(grew(#"guildgate_discord_requests_total{route="\#(route)",status="200"}"#) == 1)
        #expect(grew(#"guildgate_discord_rate_limited_total{route="\#(route)",scope="route"}"#) == 1)
        #expect(grew(#"guildgate_discord_rate_limit_wait_seconds_count{route="\#(route)"}"#) == 1)
        #expect(grew(#"guildgate_discord_rate_limit_wait_seconds_sum{route="\#(route)"}"#) == 0.5)
        #expect(grew(#"guildgate_discord_request_duration_seconds_count{route="\#(route)"}"#) == 2)
        #expect(!after.text.contains("/31/"), "an id became a label")
    }

    @Test func httpMethodLabelsAreTheRoutesOrAStandardMethod() {
        let route = Application.routes.match(method: "HEAD", segments: ["healthz"])
        guard case .found(let matched, _) = route else {
            Issue.record("HEAD /healthz matched no route")
            return
        }
        #expect(HTTPMetrics.method(route: matched, request: "HEAD") == "GET")
        #expect(HTTPMetrics.method(route: nil, request: "DELETE") == "DELETE")
        #expect(HTTPMetrics.method(route: nil, request: "X-ANYTHING-\(UInt64.random(in: 0...UInt64.max))") == "other")
    }

    @Test func everySeriesNameIsAPrometheusNameUnderGuildGate() {
        _ = MetricsScrape.inProcess()
        HTTPMetrics.Recorder().record(method: "GET", route: "/healthz", status: "200", duration: .milliseconds(1))
        DiscordMetrics.limited(route: Route(.get, "/gateway/bot"), scope: "global")
        GatewayMetrics.acknowledged(latency: .milliseconds(40))
        BotMetrics.presenceEvent()
        FileMetrics.uploadCounter().increment(by: 0)
        FileMetrics.downloadCounter().increment(by: 0)
        let names = MetricsScrape.inProcess().families
        for name in [HTTPMetrics.requests, DiscordMetrics.rateLimited, GatewayMetrics.heartbeatLatency, BotMetrics.presenceEvents] {
            #expect(names.contains(name), "\(name) is not written out")
        }
        for name in names {
            #expect(name.hasPrefix("guildgate_"), "\(name)")
            #expect(name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }, "\(name)")
        }
    }
}
