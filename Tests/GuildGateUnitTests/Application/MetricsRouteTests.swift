import Foundation
import GuildGateTesting
@testable import Handlers
import Store
import Testing

/// `GET /metrics` in-process: for the API token only, and what it holds after requests.
@Suite struct MetricsRoute {
    let app: TestApplication
    let token: String

    init() async throws {
        app = try await TestApplication()
        token = try #require(app.config.apiToken)
    }

    func scrape() throws -> MetricsScrape {
        let page = try app.client().get("/metrics", headers: ["Authorization": "Bearer \(token)"])
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        return MetricsScrape(page.body)
    }

    @Test func refusedToStrangersSessionsAndOtherBearers() throws {
        let stranger = try app.client().get("/metrics")
        #expect(stranger.status == 401)
        #expect(!stranger.body.contains("guildgate_"))
        #expect(try app.client().get("/metrics", headers: ["Authorization": "Bearer not-the-token"]).status == 401)
        let admin = app.client()
        try admin.signInAsAdmin()
        let asAdmin = try admin.get("/metrics")
        #expect(asAdmin.status == 403, "an admin's session cookie is not the API token")
        #expect(!asAdmin.body.contains("guildgate_"))
    }

    @Test func countsRequestsByRoutePatternAndStatusWithALatencyHistogram() throws {
        let before = try scrape()
        let ok = #"guildgate_http_requests_total{method="GET",route="/healthz",status="200"}"#
        let byID = #"guildgate_http_requests_total{method="GET",route="/api/files/{id}",status="401"}"#
        let unmatched = #"guildgate_http_requests_total{method="GET",route="unmatched",status="404"}"#
        let client = app.client()
        #expect(try client.get("/healthz").status == 200)
        #expect(try client.get("/api/files/8231977").status == 401)
        #expect(try client.get("/no/such/page/4417").status == 404)

        let after = try scrape()
        #expect(after.value(of: ok) ?? 0 >= (before.value(of: ok) ?? 0) + 1)
        #expect(after.value(of: byID) ?? 0 >= (before.value(of: byID) ?? 0) + 1)
        #expect(after.value(of: unmatched) ?? 0 >= (before.value(of: unmatched) ?? 0) + 1)
        #expect(!after.text.contains("8231977") && !after.text.contains("4417"), "a raw path became a label")
        #expect(after.value(of: #"guildgate_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}"#) ?? 0 >= 1)
        #expect(after.value(of: #"guildgate_http_request_duration_seconds_count{method="GET",route="/healthz"}"#) ?? 0 >= 1)
        #expect(after.families.allSatisfy { $0.hasPrefix("guildgate_") }, "\(after.families)")
    }

    @Test func readsTheJobQueueByKindWhenScraped() throws {
        let kind = "metrics.test_\(UUID().uuidString.prefix(8).lowercased())"
        let jobs = JobStore(app.database())
        _ = try jobs.enqueue(kind: kind, runAt: Date().addingTimeInterval(-90))
        _ = try jobs.enqueue(kind: kind, runAt: Date().addingTimeInterval(3600))
        let scraped = try scrape()
        #expect(scraped.value(of: #"guildgate_jobs_queued{kind="\#(kind)"}"#) == 2)
        let oldest = try #require(scraped.value(of: #"guildgate_jobs_oldest_due_seconds{kind="\#(kind)"}"#))
        #expect(oldest >= 89 && oldest < 600, "the due job has waited about 90 s, not \(oldest)")

        try app.database().query("DELETE FROM jobs WHERE kind = $1", [kind])
        #expect(try scrape().value(of: #"guildgate_jobs_queued{kind="\#(kind)"}"#) == 0, "an emptied queue reads 0")
    }

    @Test func everyResponseCarriesItsRequestIDAndEveryLogLineOfTheRequestHasIt() throws {
        let page = try app.client().get("/api/discord/callback?error=access_denied")
        let id = try #require(page.headers["x-request-id"])
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        let lines = app.log.text.split(separator: "\n").filter { $0.contains("discord callback failed") }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains("request_id=\(id)") }, "\(lines)")
        #expect(try app.client().get("/healthz").headers["x-request-id"] != id)
    }
}
