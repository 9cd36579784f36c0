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
                    "discord_status_updated", "discord_last_seen",
                ])
        }
    }
}
