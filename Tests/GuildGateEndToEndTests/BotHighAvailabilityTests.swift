import Foundation
import GuildGateCore
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// Two guildgate-bot processes against one PostgreSQL: one session per gateway shard, a standby that takes
    /// the session over, shards split between them, and the shared queue running each job and schedule once.
    @Suite struct BotHighAvailability {
        static let ann = "500000000000000031"

        let stack: TestStack
        let sandbox: SandboxControl
        let browser: Browser
        let db: PostgresConnection
        let apiToken: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            browser = Browser(baseURL: stack.webURL)
            db = EndToEnd.database(stack)
            apiToken = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            try db.query("TRUNCATE staff, presences, bot_heartbeats, jobs")
            try db.query("UPDATE schedules SET enabled = false")
            try sandbox.configureGateway(#"{"heartbeat_interval_ms":1000}"#)
            try sandbox.addMember(id: Self.ann, username: "ann", status: "online")
            try db.query("INSERT INTO staff (name, rank, discord_id) VALUES ('Ann', 'Lead', $1)", [Self.ann])
        }

        func status(of id: String) throws -> String? {
            let page = try browser.get("/api/staff/roster/", headers: ["Authorization": "Bearer \(apiToken)"])
            let entries = try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [[String: Any]] ?? []
            return entries.first { $0["discord_id"] as? String == id }?["discord_status"] as? String
        }

        /// The sandbox's sessions that have a live connection, by shard (`[id, count]`, or none).
        func connectedShards() throws -> [[Int]] {
            let sessions = try sandbox.gatewaySessions()["sessions"] as? [[String: Any]] ?? []
            return sessions.filter { $0["connected"] as? Bool == true }.map { $0["shard"] as? [Int] ?? [] }
        }

        @Test func aStandbyResumesTheSessionWithinTenSecondsOfTheActiveBotsDeath() throws {
            let active = try BotProcess(stack: stack)
            #expect(active.waitUntilReady(), "\(active.errorOutput.suffix(2000))")
            let standby = try BotProcess(stack: stack)
            #expect(standby.waitForOutput("standing by", timeout: 10), "\(standby.errorOutput.suffix(2000))")
            #expect(try connectedShards().count == 1)
            #expect(poll(timeout: 5) { try db.query("SELECT session_id FROM gateway_shards").first?["session_id"] != nil })
            let identifies = try sandbox.gatewaySessions()["identifies"] as? Int

            active.signal(SIGKILL)
            let killed = Date()
            #expect(standby.waitForOutput("gateway session resumed", timeout: 10), "\(standby.errorOutput.suffix(3000))")
            #expect(Date().timeIntervalSince(killed) < 10)
            let sessions = try sandbox.gatewaySessions()
            #expect(sessions["identifies"] as? Int == identifies, "the standby identified instead of resuming: \(sessions)")
            #expect(try connectedShards().count == 1)

            try sandbox.pushPresence(userID: Self.ann, status: "idle")
            #expect(poll(timeout: 3) { try status(of: Self.ann) == "idle" }, "the roster stopped updating after the takeover")
            let beating = poll(timeout: 8) {
                try db.query("SELECT beat_at > $1::timestamptz AS fresh FROM bot_heartbeats", [killed]).first?.bool("fresh") == true
            }
            #expect(beating, "the bot that took over does not report itself running")
            withExtendedLifetime(standby) {}
        }

        @Test func aStoppedBotHandsItsSessionToTheOtherWhichResumesIt() throws {
            let active = try BotProcess(stack: stack)
            #expect(active.waitUntilReady(), "\(active.errorOutput.suffix(2000))")
            let standby = try BotProcess(stack: stack)
            #expect(active.waitForOutput("guildgate-bot processes running: 2", timeout: 10), "\(active.errorOutput.suffix(2000))")
            let identifies = try sandbox.gatewaySessions()["identifies"] as? Int

            active.signal(SIGTERM)
            #expect(active.waitForExit(timeout: 10) == 0)
            #expect(active.errorOutput.contains("handing the gateway sessions over"), "\(active.errorOutput.suffix(2000))")
            #expect(standby.waitForOutput("gateway session resumed", timeout: 10), "\(standby.errorOutput.suffix(3000))")
            #expect(try sandbox.gatewaySessions()["identifies"] as? Int == identifies, "the standby identified instead of resuming")
            try sandbox.pushPresence(userID: Self.ann, status: "dnd")
            #expect(poll(timeout: 3) { try status(of: Self.ann) == "dnd" })
            withExtendedLifetime(standby) {}
        }

        @Test func twoBotsSplitTheShardsIdentifyingOncePerBucketWindow() throws {
            try sandbox.configureGateway(#"{"heartbeat_interval_ms":1000,"shards":2,"max_concurrency":1}"#)
            let first = try BotProcess(stack: stack)
            #expect(first.waitUntilReady(), "\(first.errorOutput.suffix(2000))")
            let second = try BotProcess(stack: stack)
            let split = poll(timeout: 30) {
                let shards = try connectedShards()
                let holders = try db.query("SELECT count(DISTINCT held_by)::int AS n FROM gateway_shards WHERE shard_count = 2").first?.int(
                    "n")
                return shards.sorted { $0.first ?? 0 < $1.first ?? 0 } == [[0, 2], [1, 2]] && holders == 2
            }
            #expect(split, "first: \(first.errorOutput.suffix(1500))\nsecond: \(second.errorOutput.suffix(1500))")
            #expect(second.errorOutput.contains("holding gateway shard"))
            #expect(try sandbox.gatewaySessions()["identifies_refused"] as? Int == 0)

            try sandbox.pushPresence(userID: Self.ann, status: "dnd")
            #expect(poll(timeout: 3) { try status(of: Self.ann) == "dnd" })
            withExtendedLifetime((first, second)) {}
        }

        @Test func twoBotsRunEachJobOnceAndEachScheduleOncePerInterval() throws {
            let first = try BotProcess(stack: stack)
            let second = try BotProcess(stack: stack)
            #expect(poll(timeout: 15) { [first, second].contains { $0.errorOutput.contains("gateway session ready") } })
            let jobs = JobStore(db)
            let queued = try (0..<30).map { _ in try jobs.enqueue(kind: BackgroundJob.Kind.presenceHistoryPrune.rawValue, maxAttempts: 3) }
            #expect(poll(timeout: 15) { try queued.allSatisfy { try jobs.job(id: $0.id)?.state == .succeeded } })
            for job in queued { #expect(try jobs.job(id: job.id)?.attempts == 1, "job \(job.id) ran more than once") }

            let schedule = BackgroundJob.Kind.filesCleanup.rawValue
            let interval = try #require(
                try db.query("SELECT interval_seconds FROM schedules WHERE name = $1", [schedule]).first?.int("interval_seconds"))
            defer { _ = try? db.query("UPDATE schedules SET interval_seconds = $2 WHERE name = $1", [schedule, interval]) }
            try db.query("UPDATE schedules SET enabled = true, interval_seconds = 1, next_run_at = now() WHERE name = $1", [schedule])
            let firings = {
                try db.query("SELECT created_at FROM jobs WHERE kind = $1 ORDER BY created_at", [schedule]).rows.compactMap {
                    $0.date("created_at")
                }
            }
            #expect(poll(timeout: 10) { try firings().count >= 4 })
            try db.query("UPDATE schedules SET enabled = false")
            let fired = try firings()
            let gaps = zip(fired.dropFirst(), fired).map { $0.timeIntervalSince($1) }
            #expect(gaps.allSatisfy { $0 >= 0.99 }, "two firings within one interval: \(gaps)")
            withExtendedLifetime((first, second)) {}
        }
    }
}
