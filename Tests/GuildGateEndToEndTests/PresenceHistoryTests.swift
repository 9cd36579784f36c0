import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import GuildGateTesting
import GuildGateCore
import Store
import Testing

extension EndToEnd {
    /// Presence history with guildgate-bot running: changes pushed through the sandbox's gateway become
    /// history rows and `last_seen_at`, shown through nginx by the member's presence API; the public card's
    /// SVG is private until turned on; the prune job runs on the bot.
    @Suite struct PresenceHistory {
        static let ann = "500000000000000031"

        let stack: TestStack
        let sandbox: SandboxControl
        let browser: Browser
        let db: PostgresConnection
        let admin: [String: String]
        let staffID: Int

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            browser = Browser(baseURL: stack.webURL)
            db = EndToEnd.database(stack)
            admin = ["Authorization": "Bearer \(try #require(stack.settings["GUILDGATE_API_TOKEN"]))"]
            try db.query("TRUNCATE staff, presences, presence_history, bot_heartbeats, jobs")
            try db.query("UPDATE schedules SET enabled = false")
            try sandbox.configureGateway(#"{"heartbeat_interval_ms":1000,"member_request_window_ms":1000}"#)
            try sandbox.addMember(id: Self.ann, username: "ann_history")
            staffID = try #require(
                try db.query("INSERT INTO staff (name, rank, discord_id) VALUES ('Ann <History>', 'Lead', $1) RETURNING id", [Self.ann])
                    .first?.int("id"))
        }

        func startBot() throws -> BotProcess {
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady(), "the bot never became ready: \(bot.errorOutput.suffix(2000))")
            return bot
        }

        func history() throws -> [(status: String, activity: String?, start: Date?, end: Date?)] {
            try db.query(
                "SELECT status, activity, started_at, ended_at FROM presence_history WHERE discord_id = $1 ORDER BY started_at, id",
                [Self.ann]
            ).rows.map { (try $0.string("status"), $0["activity"], $0.date("started_at"), $0.date("ended_at")) }
        }

        func current() throws -> (status: String?, lastSeen: Date?) {
            let row = try db.query("SELECT status, last_seen_at FROM presences WHERE discord_id = $1", [Self.ann]).first
            return (row?["status"], row?.date("last_seen_at"))
        }

        /// Pushes a presence and waits until the bot wrote it, so that each change is a batch of its own.
        func push(_ status: String, activities: String = "[]") throws {
            try sandbox.pushPresence(userID: Self.ann, status: status, activities: activities)
            #expect(poll(timeout: 5) { try current().status == status }, "\(status) was not applied")
        }

        @Test func offlineOnlineIdleOfflineBecomeHistoryAndLastSeen() throws {
            let bot = try startBot()
            defer {
                bot.signal(SIGTERM)
                _ = bot.waitForExit(timeout: 15)
            }
            try push("offline")
            #expect(try current().lastSeen == nil, "never seen online")
            try push("online")
            let online = try #require(try current().lastSeen)
            try push("idle", activities: #"[{"name":"Factorio","type":0}]"#)
            let idle = try #require(try current().lastSeen)
            #expect(idle > online, "while not offline, last seen follows each update")
            try push("idle", activities: #"[{"name":"Factorio","type":0}]"#)
            try push("offline")
            #expect(poll(timeout: 5) { try history().count == 4 })

            let rows = try history()
            #expect(rows.map(\.status) == ["offline", "online", "idle", "offline"], "a repeat records nothing")
            #expect(rows[2].activity == "Playing Factorio")
            for (earlier, later) in zip(rows, rows.dropFirst()) {
                #expect(earlier.end != nil && earlier.end == later.start, "each change closes the interval before it")
            }
            #expect(rows.last?.end == nil)
            let wentOffline = try #require(rows.last?.start)
            #expect(try current().lastSeen == wentOffline, "last seen is the moment they went offline")

            let answer = try browser.get("/api/staff/\(staffID)/presence", headers: admin)
            #expect(answer.status == 200)
            let json = try #require(answer.json)
            let intervals = try #require(json["intervals"] as? [[String: Any]])
            #expect(intervals.map { $0["status"] as? String } == ["offline", "online", "idle", "offline"])
            let lastSeen = try #require(
                (json["last_seen"] as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) })
            #expect(abs(lastSeen.timeIntervalSince(wentOffline)) < 0.002)
            let page = try browser.get("/staff/\(staffID)", headers: admin)
            #expect(page.status == 200 && page.body.contains("Ann &lt;History&gt;") && page.body.contains("<svg"))
        }

        @Test func theSVGIsPrivateUntilTurnedOnThenValidXMLThroughNginx() throws {
            try db.query(
                "INSERT INTO presences (guild_id, discord_id, status, activity) VALUES ($1, $2, 'dnd', 'Playing <Chess> & \"Go\"')",
                [try #require(stack.settings["DISCORD_GUILD_ID"]), Self.ann])
            #expect(try browser.get("/api/presence/\(Self.ann).svg").status == 404)
            #expect(try browser.get("/api/presence/\(Self.ann)").status == 404)

            let put = try browser.send(
                "PUT", "/api/admin/staff/\(staffID)", headers: admin.merging(["Content-Type": "application/json"]) { $1 },
                body: Array(#"{"presence_card_public": true}"#.utf8))
            #expect(put.status == 200)
            let badge = try browser.get("/api/presence/\(Self.ann).svg")
            #expect(badge.status == 200)
            #expect(badge.headers["content-type"]?.hasPrefix("image/svg+xml") == true)
            #expect(badge.headers["cache-control"] == "public, max-age=30")
            let parser = XMLParser(data: Data(badge.bytes))
            #expect(parser.parse(), "not XML: \(badge.body)")
            #expect(badge.body.contains("Ann &lt;History&gt;") && badge.body.contains("Playing &lt;Chess&gt; &amp; &quot;Go&quot;"))
            let etag = try #require(badge.headers["etag"])
            #expect(try browser.get("/api/presence/\(Self.ann).svg", headers: ["If-None-Match": etag]).status == 304)
            let card = try #require(try browser.get("/api/presence/\(Self.ann)").json)
            #expect(card["status"] as? String == "dnd" && card["name"] as? String == "Ann <History>")
        }

        @Test func thePruneJobDeletesHistoryOlderThanTheSetting() throws {
            let guild = try #require(stack.settings["DISCORD_GUILD_ID"])
            try db.query(
                """
                INSERT INTO presence_history (guild_id, discord_id, status, started_at, ended_at) VALUES
                    ($1, $2, 'online', now() - interval '40 days', now() - interval '31 days'),
                    ($1, $2, 'idle', now() - interval '31 days', now() - interval '29 days')
                """, [guild, Self.ann])
            let bot = try startBot()
            defer {
                bot.signal(SIGTERM)
                _ = bot.waitForExit(timeout: 15)
            }
            let job = try JobStore(db).enqueue(.presenceHistoryPrune)
            #expect(poll(timeout: 10) { try JobStore(db).job(id: job.id)?.state == .succeeded })
            let left = try db.query(
                "SELECT status FROM presence_history WHERE discord_id = $1 AND started_at < now() - interval '20 days'", [Self.ann])
            #expect(left.rows.compactMap { $0["status"] } == ["idle"])
        }
    }
}
