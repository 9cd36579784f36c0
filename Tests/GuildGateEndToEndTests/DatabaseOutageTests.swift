import Foundation
import GuildGateTesting
@testable import GuildGateCore
import Store
import Synchronization
import Testing

extension EndToEnd {
    /// The stack's PostgreSQL stopped (a fast shutdown, as a restart does) and started again under a running
    /// guildgate-web and guildgate-bot: a clear 503 within a second while it is down, liveness kept and
    /// readiness lost, everything back within 2 s of its return with no process restarted, and what the bot
    /// received meanwhile written once it is back; and the bot exits promptly on SIGTERM with PostgreSQL stopped
    /// and Discord not answering. The stack is the suite's own: the in-process tests running alongside keep their
    /// database in the shared stack.
    @Suite final class DatabaseOutage {
        static let member = "500000000000000041"

        let stack: TestStack
        let sandbox: SandboxControl
        let browser: Browser
        let db: PostgresConnection
        let credentials: [String: String]

        init() throws {
            stack = try TestStack.ownStack()
            sandbox = SandboxControl(baseURL: stack.sandboxURL)
            browser = Browser(baseURL: stack.webURL)
            db = EndToEnd.database(stack)
            credentials = ["Authorization": "Bearer \(stack.settings["GUILDGATE_API_TOKEN"] ?? "")"]
            try db.query("UPDATE schedules SET enabled = false")
            try sandbox.configureGateway(#"{"heartbeat_interval_ms":1000}"#)
            try sandbox.addMember(id: Self.member, username: "outage", status: "online")
            try db.query("INSERT INTO staff (name, rank, discord_id) VALUES ('Outage', 'Staff', $1)", [Self.member])
        }

        deinit {
            stack.stop()
        }

        func webPID() throws -> String {
            try String(contentsOfFile: stack.directory + "/pids/web.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func status(of id: String) throws -> String? {
            let entries =
                try JSONSerialization.jsonObject(with: Data(try browser.get("/api/staff/roster/", headers: credentials).body.utf8))
                as? [[String: Any]] ?? []
            return entries.first { $0["discord_id"] as? String == id }?["discord_status"] as? String
        }

        /// The statuses of `count` requests for `path` sent at once, each on a connection of its own, so that nginx
        /// hands them to as many of guildgate-web's threads (each with its own database connection) as it can.
        func burst(_ path: String, count: Int = 24) -> [Int] {
            let statuses = Mutex<[Int]>([])
            let (url, headers) = (stack.webURL, credentials)
            DispatchQueue.concurrentPerform(iterations: count) { _ in
                let status = (try? Browser(baseURL: url).get(path, headers: headers).status) ?? 0
                statuses.withLock { $0.append(status) }
            }
            return statuses.withLock { $0 }
        }

        /// `path` answered, and how long that took.
        func timed(_ path: String) throws -> (Page, TimeInterval) {
            let started = Date()
            let page = try browser.get(path, headers: credentials)
            return (page, Date().timeIntervalSince(started))
        }

        @Test func whileDownPagesAnswer503AtOnceAndWithin2SecondsOfItsReturnEverythingWorksAgain() throws {
            let bot = try BotProcess(stack: stack, overrides: ["LOG_LEVEL": "info", "CHAT_API_BASE": nil])
            #expect(bot.waitUntilReady(), "\(bot.errorOutput.suffix(2000))")
            #expect(poll(timeout: 5) { try status(of: Self.member) == "online" })
            #expect(try browser.get("/readyz").status == 200)
            // Every thread holds a connection the restart will end.
            #expect(burst("/api/staff/roster/").allSatisfy { $0 == 200 })
            let pid = try webPID()
            let postgres = TestStack.localStack(stack.directory)

            postgres.stop(.postgres)
            var stopped = true
            defer { if stopped { try? postgres.restart(.postgres) } }
            for path in ["/staff/roster", "/api/staff/roster/"] {
                let (page, seconds) = try timed(path)
                #expect(page.status == 503, "\(path): \(page.status) \(page.body.prefix(300))")
                #expect(seconds < 1, "\(path) took \(seconds) s")
                #expect(page.headers["retry-after"] == "5", "\(path)")
                #expect(page.body.contains("The database is unavailable right now"), "\(path): \(page.body.prefix(300))")
                #expect(!page.body.contains("PostgreSQL") && !page.body.contains("57P"), "\(path) leaks: \(page.body.prefix(300))")
            }
            let (health, healthSeconds) = try timed("/healthz")
            #expect(health.status == 200 && healthSeconds < 1)
            #expect(health.json?["database"] as? String == "down", "\(health.body)")
            let (ready, readySeconds) = try timed("/readyz")
            #expect(ready.status == 503 && readySeconds < 1.5, "\(ready.status) in \(readySeconds) s")
            #expect(ready.json?["database"] as? String == "down", "\(ready.body)")

            // Received while nothing can be written.
            try sandbox.pushPresence(userID: Self.member, status: "dnd")
            #expect(bot.waitForOutput("presence writer: database write failed", timeout: 5), "\(bot.errorOutput.suffix(2000))")
            #expect(bot.waitForOutput("job queue: database call failed", timeout: 5), "\(bot.errorOutput.suffix(2000))")

            try postgres.restart(.postgres)
            stopped = false
            let back = Date()
            // No thread fails its first statement on the connection the restart ended.
            let statuses = burst("/staff/roster") + burst("/api/staff/roster/")
            #expect(statuses.allSatisfy { $0 == 200 }, "after PostgreSQL came back: \(statuses)")
            #expect(Date().timeIntervalSince(back) < 2)
            #expect(try browser.get("/readyz").status == 200)
            #expect(try browser.get("/healthz").json?["database"] as? String == "up")
            // The writer retries with backoff (at most 15 s apart): the presence is written at its next try.
            #expect(poll(timeout: 16) { try status(of: Self.member) == "dnd" }, "\(bot.errorOutput.suffix(2000))")
            #expect(bot.errorOutput.contains("presence writer: the database is back"))
            let job = try JobStore(db).enqueue(.presenceHistoryPrune)
            #expect(poll(timeout: 16) { try JobStore(db).job(id: job.id)?.state == .succeeded }, "\(bot.errorOutput.suffix(2000))")
            #expect(try webPID() == pid, "guildgate-web was restarted")
            #expect(bot.process.isRunning, "guildgate-bot exited: \(bot.errorOutput.suffix(2000))")
        }

        @Test func theBotExitsWithin10SecondsOfSigtermWithPostgreSQLStoppedAndDiscordNotAnswering() throws {
            let bot = try BotProcess(stack: stack, overrides: ["LOG_LEVEL": "info"])
            #expect(bot.waitUntilReady(), "\(bot.errorOutput.suffix(2000))")
            // Left stopped: the suite's stack goes with it.
            TestStack.localStack(stack.directory).stop(.postgres)
            // Something to write that cannot be: the heartbeat row, every second.
            #expect(bot.waitForOutput("presence writer: database write failed", timeout: 5), "\(bot.errorOutput.suffix(2000))")
            // discord-sandbox paused: its sockets accept, nothing answers (REST, the gateway, its close handshake).
            let sandboxPID = try #require(
                pid_t(
                    try String(contentsOfFile: stack.directory + "/pids/sandbox.pid", encoding: .utf8).trimmingCharacters(
                        in: .whitespacesAndNewlines)))
            kill(sandboxPID, SIGSTOP)
            defer { kill(sandboxPID, SIGCONT) }
            let sent = Date()
            bot.signal(SIGTERM)
            #expect(bot.waitForExit(timeout: 15) == 0, "\(bot.errorOutput.suffix(2000))")
            #expect(Date().timeIntervalSince(sent) < 10, "the exit took \(Date().timeIntervalSince(sent)) s")
            #expect(bot.errorOutput.contains("guildgate-bot stopped"))
        }
    }
}
