import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// The roster API's fast path through nginx: JSON written from the rows (escapes, nulls, last seen) and
    /// conditional requests (`ETag`, `If-None-Match` → 304) that follow every change of the data.
    @Suite struct RosterSpeed {
        let stack: TestStack
        let browser: Browser
        let db: PostgresConnection
        let guildID: String

        init() throws {
            let sandbox: SandboxControl
            (stack, sandbox) = try EndToEnd.stack()
            (browser, _) = try EndToEnd.logIn(stack, sandbox, username: "roster_speed")
            db = EndToEnd.database(stack)
            guildID = try #require(stack.settings["DISCORD_GUILD_ID"])
            try db.query("TRUNCATE staff, presences, bot_heartbeats")
        }

        func addStaff(_ name: String, rank: String, discordID: String, sortOrder: Int) throws -> Int {
            try db.query(
                "INSERT INTO staff (name, rank, discord_id, sort_order) VALUES ($1, $2, $3, $4) RETURNING id",
                [name, rank, discordID, sortOrder]
            ).first?.int("id") ?? 0
        }

        @Test func jsonIsWrittenExactlyWithEscapesNullsAndLastSeen() throws {
            let quoted = try addStaff("Ann \"Q\" \\ <b>", rank: "Lead\u{2028}x", discordID: "100000000000000021", sortOrder: 0)
            let controls = try addStaff("Tab\tNew\nline\r\u{1}\u{1F}", rank: "Staff", discordID: "100000000000000022", sortOrder: 1)
            let unicode = try addStaff("Zoë 😀 ☃ \u{2029}", rank: "Staff", discordID: "100000000000000023", sortOrder: 1)
            try db.query(
                """
                INSERT INTO presences (guild_id, discord_id, status, custom_status, activity, updated_at, last_seen_at)
                VALUES ($1, '100000000000000021', 'online', 'on \"call\"', NULL, '2026-11-23 22:36:00.123456+00', '2026-11-23 22:36:00.5+00'),
                       ($1, '100000000000000022', 'offline', NULL, 'Playing <chess>', '2026-01-02 03:04:05+00', NULL)
                """, [guildID])

            let roster = try browser.get("/api/staff/roster/")
            #expect(roster.status == 200)
            #expect(roster.headers["content-type"] == "application/json; charset=utf-8")
            let expected =
                "["
                + #"{"id":\#(quoted),"name":"Ann \"Q\" \\ \u003cb\u003e","rank":"Lead\u2028x","discord_id":"100000000000000021","#
                + #""discord_status":"online","discord_custom_status":"on \"call\"","discord_activity":null,"#
                + #""discord_status_updated":"2026-11-23T22:36:00.123Z","discord_last_seen":"2026-11-23T22:36:00.500Z"},"#
                + #"{"id":\#(controls),"name":"Tab\tNew\nline\r\u0001\u001f","rank":"Staff","discord_id":"100000000000000022","#
                + #""discord_status":"offline","discord_custom_status":null,"discord_activity":"Playing \u003cchess\u003e","#
                + #""discord_status_updated":"2026-01-02T03:04:05.000Z","discord_last_seen":null},"#
                + #"{"id":\#(unicode),"name":"Zoë 😀 ☃ \u2029","rank":"Staff","discord_id":"100000000000000023","#
                + #""discord_status":"offline","discord_custom_status":null,"discord_activity":null,"#
                + #""discord_status_updated":null,"discord_last_seen":null}"#
                + "]"
            #expect(roster.body == expected)
            // And it is JSON that decodes to the names as stored.
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(roster.bytes)) as? [[String: Any]])
            #expect(entries.map { $0["name"] as? String } == ["Ann \"Q\" \\ <b>", "Tab\tNew\nline\r\u{1}\u{1F}", "Zoë 😀 ☃ \u{2029}"])
        }

        @Test func unchangedRosterIs304AndEveryChangeGivesANewTag() throws {
            _ = try addStaff("Ann", rank: "Lead", discordID: "100000000000000031", sortOrder: 0)
            _ = try addStaff("Bob", rank: "Staff", discordID: "100000000000000032", sortOrder: 1)
            try db.query("INSERT INTO presences (guild_id, discord_id, status) VALUES ($1, '100000000000000031', 'online')", [guildID])

            let first = try browser.get("/api/staff/roster/")
            #expect(first.status == 200)
            let tag = try #require(first.headers["etag"])
            #expect(first.headers["cache-control"] == "private, no-cache")

            let unchanged = try browser.get("/api/staff/roster/", headers: ["If-None-Match": tag])
            #expect(unchanged.status == 304)
            #expect(unchanged.bytes.isEmpty)
            #expect(unchanged.headers["etag"] == tag)
            #expect(try browser.get("/api/staff/roster/", headers: ["If-None-Match": "W/" + tag]).status == 304)
            #expect(try browser.get("/api/staff/roster/", headers: ["If-None-Match": "\"other\", " + tag]).status == 304)

            // A presence change (as the bot writes it), a last-seen change, a staff change, a new member:
            // each gives a 200 with a new tag, which is then current.
            var current = tag
            let changes = [
                "UPDATE presences SET status = 'idle', updated_at = now() WHERE discord_id = '100000000000000031'",
                "UPDATE presences SET last_seen_at = now() WHERE discord_id = '100000000000000031'",
                "UPDATE staff SET name = 'Bobby' WHERE discord_id = '100000000000000032'",
                "INSERT INTO staff (name, rank, discord_id) VALUES ('Cy', 'Staff', '100000000000000033')",
                "DELETE FROM staff WHERE discord_id = '100000000000000033'",
            ]
            for change in changes {
                try db.query(change)
                let changed = try browser.get("/api/staff/roster/", headers: ["If-None-Match": current])
                #expect(changed.status == 200, "\(change)")
                let next = try #require(changed.headers["etag"])
                #expect(next != current, "\(change)")
                #expect(try browser.get("/api/staff/roster/", headers: ["If-None-Match": next]).status == 304)
                current = next
            }
            #expect(try browser.get("/api/staff/roster/").body.contains(#""name":"Bobby""#))
        }
    }
}
