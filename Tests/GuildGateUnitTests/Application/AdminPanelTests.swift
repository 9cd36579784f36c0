import Foundation
import GuildGateTesting
import Store
import Testing

@testable import Handlers

/// The admin panel as a whole: each state change needs the CSRF token with a cookie (that members get 403
/// everywhere is `AdminRouteProtection`'s), and the dashboard. Discord is
/// out of reach (`unreachableDiscord`): the dashboard's checks report it instead of asking the sandbox.
@Suite struct AdminPanel {
    let app: TestApplication
    let token: String

    init() async throws {
        app = try await TestApplication(overrides: TestApplication.unreachableDiscord)
        token = try #require(app.config.apiToken)
    }

    /// Every route of the panel but its sign-in.
    static let routes = Application.routes.routes.filter { route in
        (route.pattern.hasPrefix("/admin") && route.pattern != "/admin/login") || route.pattern.hasPrefix("/api/admin")
    }

    static func path(_ route: Router.Route) -> String {
        RouteProtection.path(route).replacingOccurrences(of: "{discord_id}", with: "100000000000000999")
    }

    @Test func everyStateChangeNeedsTheCSRFTokenWithACookieAndNotWithTheAPIToken() throws {
        let admin = app.client()
        try admin.signInAsAdmin()
        let changes = Self.routes.filter { $0.method != "GET" }
        #expect(changes.count >= 15)
        let db = app.database()
        let before = try db.query("SELECT coalesce(max(id), 0) AS id FROM audit_log").first?.int("id") ?? 0
        for route in changes {
            var (headers, body) = RouteProtection.request(for: route)
            #expect(
                try admin.send(route.method, Self.path(route), headers: headers, body: body).status == 403,
                "\(route.method) \(route.pattern) took a cookie without its CSRF token")
            if route.csrf == .formField {
                body = Array("csrf_token=forged&name=x".utf8)
            } else {
                headers["X-CSRF-Token"] = "forged"
            }
            #expect(
                try admin.send(route.method, Self.path(route), headers: headers, body: body).status == 403,
                "\(route.method) \(route.pattern) took a forged CSRF token")
        }
        #expect(try db.query("SELECT count(*) AS n FROM audit_log WHERE id > $1 AND actor LIKE 'admin:%'", [before]).first?.int("n") == 0)

        let verify = try app.client().send("POST", "/api/admin/groups/verify", headers: ["Authorization": "Bearer \(token)"], body: [])
        #expect(verify.status == 202, "the API token is no cookie: it owes no CSRF token")
    }

    @Test func theDashboardShowsTheBotCountsProblemsWithTheirFixAndTheChecksInTime() throws {
        let db = app.database()
        let kind = "test.\(UUID().uuidString.prefix(8))"
        let fix = "Fix: move the GuildGate role above Moderator in Server Settings → Roles."
        try SyncProblemStore(db).report(kind: kind, message: "Discord refused to give Moderator (50013). " + fix)
        defer { _ = try? SyncProblemStore(db).clear(kind: kind) }
        let admin = app.client()
        try admin.signInAsAdmin()

        let started = Date()
        let page = try admin.get("/admin")
        #expect(Date().timeIntervalSince(started) < 5, "an unreachable Discord fails the checks at once")
        #expect(page.status == 200)
        #expect(page.body.contains("Bot not running"))
        #expect(page.body.contains(kind) && page.body.contains("move the GuildGate role above Moderator"))
        for label in ["Users", "Staff", "Files", "Failed jobs"] {
            #expect(page.body.contains(">\(label)</a>"), "\(label)")
        }
        for link in ["/admin/client", "/admin/groups", "/admin/staff", "/admin/users", "/admin/jobs", "/admin/schedules", "/admin/audit"] {
            #expect(page.body.contains("href=\"\(link)\""), "the sub-navigation links \(link)")
        }
        #expect(page.body.contains("<a href=\"/admin\" aria-current=\"page\">Dashboard</a>"))
        #expect(page.body.contains("data-check=\"bot token\""))
        #expect(page.body.contains("Could not connect to 127.0.0.1:9"), "the check says why")

        let json = try #require(try app.client().get("/api/admin/dashboard", headers: ["Authorization": "Bearer \(token)"]).json)
        let counts = try #require(json["counts"] as? [String: Any])
        #expect(Set(counts.keys) == ["users", "linked_users", "staff", "files", "file_bytes", "failed_jobs", "pending_jobs"])
        let problems = try #require(json["sync_problems"] as? [[String: Any]])
        #expect(problems.contains { $0["kind"] as? String == kind && ($0["message"] as? String)?.contains(fix) == true })
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.first { $0["name"] as? String == "database" }?["status"] as? String == "ok")
        #expect(checks.first { $0["name"] as? String == "bot token" }?["status"] as? String == "problem")
        #expect((json["bot"] as? [String: Any])?["is_running"] as? Bool == false)
    }

    /// Seed 004 registers `/discord/sso/callback` with Discord: the same callback answers there.
    @Test func seed004sCallbackURLIsTheOAuthCallback() throws {
        let error = app.config.webAppBaseURL + "/discord/error?error="
        let browser = app.client()
        #expect(try browser.get("/discord/sso/callback").location == error + "missing_params")
        let start = try app.client().get("/login")
        let state = try #require(start.locationQuery["state"])
        #expect(
            try browser.get("/discord/sso/callback?code=x&state=" + state).location == error + "invalid_token",
            "a state another browser started is refused here too")
    }
}
