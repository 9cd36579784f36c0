import Foundation
import GuildGateTesting
import Testing

/// `/healthz` (liveness) and `/readyz` (readiness), and what every other route answers while PostgreSQL is
/// away: a clear 503 with `Retry-After` at once, never a 500 or a wait.
@Suite struct Health {
    /// An application whose DATABASE_URL names `port` on loopback.
    static func application(databasePort port: UInt16) async throws -> TestApplication {
        try await TestApplication(overrides: [
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:\(port)/none?sslmode=disable&connect_timeout=10"
        ])
    }

    @Test func withTheDatabaseUpBothAnswer200AndHealthzSaysSo() async throws {
        let app = try await TestApplication()
        let client = app.client()
        #expect(try client.get("/healthz").json?["database"] as? String == "unknown")
        let ready = try client.get("/readyz")
        #expect(ready.status == 200 && ready.json?["status"] as? String == "ready", "\(ready.body)")
        let health = try client.get("/healthz")
        #expect(health.status == 200 && health.json?["status"] as? String == "ok")
        #expect(health.json?["database"] as? String == "up")
        #expect(health.json?["database_down_since"] == nil)
    }

    @Test func withTheDatabaseGoneRoutesAnswer503AtOnceAndOnlyReadinessFails() async throws {
        let gone = try TCPProxy(target: .none)
        gone.close()
        let app = try await Self.application(databasePort: gone.port)
        let client = app.client()
        for path in ["/api/staff/discord/status/", "/onboarding"] {
            let started = Date()
            let page = try client.get(path)
            #expect(Date().timeIntervalSince(started) < 1)
            #expect(page.status == 503, "\(path): \(page.status)")
            #expect(page.headers["retry-after"] == "5", "\(path)")
            #expect(page.body.contains("The database is unavailable right now"), "\(path): \(page.body.prefix(300))")
            #expect(!page.body.contains("DATABASE_URL") && !page.body.contains("127.0.0.1"), "\(path) leaks: \(page.body.prefix(300))")
        }
        #expect(try client.get("/api/staff/discord/status/").json?["code"] as? String == "service_unavailable")
        let health = try client.get("/healthz")
        #expect(health.status == 200 && health.json?["database"] as? String == "down", "\(health.body)")
        let since = try #require(health.json?["database_down_since"] as? String)
        #expect(try Date.ISO8601FormatStyle().parse(since).timeIntervalSinceNow > -60, "\(since)")
        let ready = try client.get("/readyz")
        #expect(ready.status == 503 && ready.json?["database"] as? String == "down", "\(ready.body)")
        #expect(ready.headers["retry-after"] == "5")
    }

    @Test func aRequestWhoseStatementGetsNoAnswerIsA503WithinTheAnswerTimeout() async throws {
        let database = try await TestApplication()
        let (proxy, url) = try TCPProxy.postgres(database.config.databaseURL)
        defer { proxy.close() }
        let app = try await TestApplication(overrides: ["DATABASE_URL": url], databaseAnswerTimeout: .milliseconds(500))
        let client = app.client()
        #expect(try client.get("/api/staff/discord/status/").status == 200)
        proxy.set(.stall)
        let started = Date()
        let page = try client.get("/api/staff/discord/status/")
        let waited = Date().timeIntervalSince(started)
        #expect(page.status == 503 && page.headers["retry-after"] == "5", "\(page.status) \(page.body)")
        #expect(waited >= 0.45 && waited < 1.5, "answered after \(waited) s")
        #expect(try client.get("/healthz").json?["database"] as? String == "down")
    }

    @Test func readinessGivesUpWithinItsBoundOnADatabaseThatNeverAnswers() async throws {
        let silent = try TCPProxy(target: .none)
        defer { silent.close() }
        silent.set(.stall)
        let app = try await Self.application(databasePort: silent.port)
        let started = Date()
        let ready = try app.client().get("/readyz")
        let waited = Date().timeIntervalSince(started)
        #expect(ready.status == 503)
        #expect(waited >= 0.9 && waited < 1.5, "answered after \(waited) s; connect_timeout is 10 s")
    }
}
