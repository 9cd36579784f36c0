import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// The web side of the staff roster: import, roster API and page, bot status, manual sync jobs.
    @Suite struct StaffRoster {
        let stack: TestStack
        let browser: Browser

        /// Signed in: the roster is for members by default (`GUILDGATE_ROSTER_ACCESS=members`).
        init() throws {
            let sandbox: SandboxControl
            (stack, sandbox) = try EndToEnd.stack()
            (browser, _) = try EndToEnd.logIn(stack, sandbox, username: "roster_viewer")
            try EndToEnd.database(stack).query("TRUNCATE staff, presences, bot_heartbeats")
        }

        func importCSV(_ text: String) throws -> WebProcess {
            let path = stack.directory + "/roster-\(UUID().uuidString.prefix(6)).csv"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let process = try WebProcess(stack: stack, arguments: ["staff", "import", path])
            _ = process.waitForExit(timeout: 20)
            return process
        }

        @Test func importIsAllOrNothingAndIdempotent() throws {
            let bad = try importCSV("name,rank,discord_id\nAnn,Lead,100000000000000011\nBob,Staff,not-an-id\n")
            #expect(bad.process.terminationStatus == 1)
            #expect(bad.errorOutput.contains("line 3"))
            let db = EndToEnd.database(stack)
            #expect(try db.query("SELECT count(*) AS n FROM staff").first?.int("n") == 0)

            let csv = "name,rank,discord_id\nZed,Lead,100000000000000011\nAnn,Staff,100000000000000012\nBob,Lead,100000000000000013\n"
            #expect(try importCSV(csv).process.terminationStatus == 0)
            #expect(try importCSV(csv).process.terminationStatus == 0)
            #expect(try db.query("SELECT count(*) AS n FROM staff").first?.int("n") == 3)

            let roster = try browser.get("/api/staff/roster/")
            #expect(roster.status == 200)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(roster.body.utf8)) as? [[String: Any]])
            #expect(entries.map { $0["name"] as? String } == ["Bob", "Zed", "Ann"])
            #expect(entries.allSatisfy { $0["discord_status"] as? String == "offline" })
            #expect(
                Set(entries[0].keys) == [
                    "id", "name", "rank", "discord_id", "discord_status", "discord_custom_status", "discord_activity",
                    "discord_status_updated",
                ])
        }

        @Test func rosterShowsPresenceAndThePageFiltersAndEscapes() throws {
            #expect(
                try importCSV("name,rank,discord_id\n<b>Ann</b>,Lead,100000000000000021\nBob,Staff,100000000000000022\n")
                    .process.terminationStatus == 0)
            try EndToEnd.database(stack).query(
                """
                INSERT INTO presences (guild_id, discord_id, status, custom_status, activity)
                VALUES ($1, '100000000000000021', 'dnd', 'In a meeting', 'Visual Studio Code')
                """, [stack.settings["DISCORD_GUILD_ID"] ?? ""])
            let entries = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(try browser.get("/api/staff/roster/").body.utf8)) as? [[String: Any]])
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
            let guild = stack.settings["DISCORD_GUILD_ID"] ?? ""
            let db = EndToEnd.database(stack)
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
            #expect(try Browser(baseURL: stack.webURL).send("POST", "/api/staff/discord/sync/", body: []).status == 401)
            #expect(try browser.send("POST", "/api/staff/discord/sync/", body: []).status == 403, "a member is not an admin")
            #expect(
                try browser.send("POST", "/api/staff/discord/sync/", headers: ["Authorization": "Bearer wrong"], body: []).status == 401)
            let token = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            let accepted = try browser.send("POST", "/api/staff/discord/sync/", headers: ["Authorization": "Bearer \(token)"], body: [])
            #expect(accepted.status == 202)
            let id = try #require(accepted.json?["job_id"] as? Int)
            #expect(accepted.location == "/api/jobs/\(id)")
            #expect(try Browser(baseURL: stack.webURL).get("/api/jobs/\(id)").status == 401)
            #expect(try browser.get("/api/jobs/\(id)").status == 403)
            let job = try #require(try browser.get("/api/jobs/\(id)", headers: ["Authorization": "Bearer \(token)"]).json)
            #expect(job["kind"] as? String == "presence.reconcile")
            #expect(["queued", "running", "succeeded"].contains(job["state"] as? String ?? ""))
            #expect(try browser.get("/api/jobs/999999999", headers: ["Authorization": "Bearer \(token)"]).status == 404)
            #expect(try browser.get("/api/jobs/abc", headers: ["Authorization": "Bearer \(token)"]).status == 404)
        }
    }
}
