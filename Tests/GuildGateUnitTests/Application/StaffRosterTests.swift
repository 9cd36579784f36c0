import Foundation
import GuildGateTesting
import GuildGateCore
import Store
import Testing

/// The web side of the staff roster: who may see it, the roster API and page, the bot status, manual
/// sync jobs. One at a time: they share the roster's tables.
@Suite(.serialized) struct StaffRoster {
    let app: TestApplication
    let db: PostgresConnection
    /// Signed in: the roster is for members by default (`GUILDGATE_ROSTER_ACCESS=members`).
    let browser: TestClient
    let token: String

    init() async throws {
        app = try await TestApplication()
        db = app.database()
        browser = app.client()
        _ = try browser.signInAsMember(username: "roster_viewer")
        token = try #require(app.config.apiToken)
        try db.query("TRUNCATE presences, bot_heartbeats")
        // Only this suite's staff: the admin panel's suites add staff of their own alongside.
        try db.query("DELETE FROM staff WHERE discord_id IN ('100000000000000021', '100000000000000022')")
    }

    @Test func theRosterIsForMembersAndTheBotStatusIsPublic() throws {
        let anonymous = app.client()
        let api = try anonymous.get("/api/staff/roster/")
        #expect(api.status == 401)
        #expect(api.json?["code"] as? String == "unauthorized")
        #expect(try anonymous.get("/staff/roster").location == "/login?next=/staff/roster")
        #expect(try anonymous.get("/api/staff/discord/status/").status == 200)
        #expect(try anonymous.get("/api/staff/roster/", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        #expect(try browser.get("/api/staff/roster/").status == 200)
        #expect(try browser.get("/staff/roster").status == 200)
    }

    @Test func rosterShowsPresenceAndThePageFiltersAndEscapes() throws {
        let imported = try StaffStore(db).importRows(
            try RosterCSV.parse("name,rank,discord_id\n<b>Ann</b>,Lead,100000000000000021\nBob,Staff,100000000000000022\n"))
        #expect(imported.created == 2)
        try db.query(
            """
            INSERT INTO presences (guild_id, discord_id, status, custom_status, activity)
            VALUES ($1, '100000000000000021', 'dnd', 'In a meeting', 'Visual Studio Code')
            """, [app.config.discordGuildID ?? ""])
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(try browser.get("/api/staff/roster/").bytes)) as? [[String: Any]])
        let ann = try #require(entries.first { $0["discord_id"] as? String == "100000000000000021" })
        #expect(ann["discord_status"] as? String == "dnd")
        #expect(ann["discord_custom_status"] as? String == "In a meeting")
        #expect(ann["discord_activity"] as? String == "Visual Studio Code")
        #expect((ann["discord_status_updated"] as? String)?.hasSuffix("Z") == true)

        let page = try browser.get("/staff/roster")
        #expect(page.status == 200)
        #expect(page.body.contains("badge dnd"))
        #expect(page.body.contains("&lt;b&gt;Ann&lt;/b&gt;"))
        #expect(page.body.contains("updated just now"))
        #expect(page.body.contains("The Discord bot is not running"))
        #expect(!page.body.contains("id=\"bot-banner\" class=\"banner\" role=\"status\" hidden"))
        let filtered = try browser.get("/staff/roster?status=offline")
        #expect(filtered.body.contains("Bob"))
        #expect(!filtered.body.contains("&lt;b&gt;Ann"))
    }

    @Test func statusFollowsTheBotHeartbeat() throws {
        let guild = app.config.discordGuildID ?? ""
        var status = try #require(try browser.get("/api/staff/discord/status/").json)
        #expect(status["is_running"] as? Bool == false)
        try db.query(
            """
            INSERT INTO bot_heartbeats (guild_id, session_started_at, latency_ms, beat_at) VALUES ($1, now(), 42, now())
            """, [guild])
        status = try #require(try browser.get("/api/staff/discord/status/").json)
        #expect(status["is_running"] as? Bool == true)
        #expect(status["latency_ms"] as? Int == 42)
        #expect(status["guild_id"] as? String == guild)
        #expect(try browser.get("/staff/roster").body.contains("role=\"status\" hidden"))
        try db.query("UPDATE bot_heartbeats SET beat_at = now() - interval '31 seconds'")
        status = try #require(try browser.get("/api/staff/discord/status/").json)
        #expect(status["is_running"] as? Bool == false)
    }

    @Test func manualSyncNeedsAuthAndEnqueuesAJob() throws {
        #expect(try app.client().send("POST", "/api/staff/discord/sync/", body: []).status == 401)
        #expect(try browser.send("POST", "/api/staff/discord/sync/", body: []).status == 403, "a member is not an admin")
        #expect(try browser.send("POST", "/api/staff/discord/sync/", headers: ["Authorization": "Bearer wrong"], body: []).status == 401)
        let accepted = try browser.send("POST", "/api/staff/discord/sync/", headers: ["Authorization": "Bearer \(token)"], body: [])
        #expect(accepted.status == 202)
        let id = try #require(accepted.json?["job_id"] as? Int)
        #expect(accepted.location == "/api/jobs/\(id)")
        #expect(try app.client().get("/api/jobs/\(id)").status == 401)
        #expect(try browser.get("/api/jobs/\(id)").status == 403)
        let job = try #require(try browser.get("/api/jobs/\(id)", headers: ["Authorization": "Bearer \(token)"]).json)
        #expect(job["kind"] as? String == "presence.reconcile")
        #expect(["queued", "running", "succeeded"].contains(job["state"] as? String ?? ""))
        #expect(try browser.get("/api/jobs/999999999", headers: ["Authorization": "Bearer \(token)"]).status == 404)
        #expect(try browser.get("/api/jobs/abc", headers: ["Authorization": "Bearer \(token)"]).status == 404)
    }

    @Test func cookieAuthenticatedStateChangesNeedTheCSRFToken() throws {
        let admin = app.client()
        let csrf = try admin.signInAsAdmin()
        #expect(try admin.send("POST", "/api/staff/discord/sync/", body: []).status == 403)
        #expect(
            try admin.send("POST", "/api/staff/discord/sync/", headers: ["Authorization": "Basic Zm9vOmJhcg=="], body: []).status == 403)
        #expect(try admin.send("POST", "/api/staff/discord/sync/", headers: ["X-CSRF-Token": "forged"], body: []).status == 403)
        #expect(try admin.send("POST", "/api/staff/discord/sync/", headers: ["X-CSRF-Token": csrf], body: []).status == 202)
        #expect(try admin.get("/api/jobs/1").status != 403, "reading needs no CSRF token")
    }
}
