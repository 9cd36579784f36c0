import Foundation
import GuildGateTesting
@testable import GuildGateCore
import Store
import Testing

extension EndToEnd {
    /// guildgate-bot against the sandbox's gateway: presence ingest, resume, health, jobs, fatal closes.
    @Suite struct BotWorker {
        static let ann = "500000000000000001"
        static let bob = "500000000000000002"

        let stack: TestStack
        let sandbox: SandboxControl
        let browser: Browser
        let db: PostgresConnection
        let guildID: String
        let apiToken: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            browser = Browser(baseURL: stack.webURL)
            db = EndToEnd.database(stack)
            guildID = try #require(stack.settings["DISCORD_GUILD_ID"])
            apiToken = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            try db.query("TRUNCATE staff, presences, bot_heartbeats, jobs")
            try db.query("UPDATE schedules SET enabled = name IN ('presence.reconcile', 'files.cleanup'), next_run_at = now()")
            try sandbox.configureGateway(#"{"heartbeat_interval_ms":1000,"member_request_window_ms":1000}"#)
            try sandbox.addMember(
                id: Self.ann, username: "ann", status: "online",
                activities: #"[{"name":"Custom Status","type":4,"state":"On call"}]"#)
            try sandbox.addMember(id: Self.bob, username: "bob")
            try db.query(
                """
                INSERT INTO staff (name, rank, discord_id) VALUES ('Ann', 'Lead', $1), ('Bob', 'Staff', $2)
                """, [Self.ann, Self.bob])
        }

        func roster() throws -> [String: [String: Any]] {
            let entries =
                try JSONSerialization.jsonObject(
                    with: Data(try browser.get("/api/staff/roster/", headers: ["Authorization": "Bearer \(apiToken)"]).body.utf8))
                as? [[String: Any]] ?? []
            return Dictionary(entries.map { ($0["discord_id"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        }

        func status(of id: String) throws -> String? {
            try roster()[id]?["discord_status"] as? String
        }

        func botStatus() throws -> [String: Any] {
            try browser.get("/api/staff/discord/status/").json ?? [:]
        }

        func job(_ id: Int) throws -> [String: Any] {
            try browser.get("/api/jobs/\(id)", headers: ["Authorization": "Bearer \(apiToken)"]).json ?? [:]
        }

        func sync() throws -> Int {
            let accepted = try browser.send("POST", "/api/staff/discord/sync/", headers: ["Authorization": "Bearer \(apiToken)"], body: [])
            #expect(accepted.status == 202)
            return try #require(accepted.json?["job_id"] as? Int)
        }

        func startBot(_ overrides: [String: String?] = [:]) throws -> BotProcess {
            let bot = try BotProcess(stack: stack, overrides: overrides)
            #expect(bot.waitUntilReady(), "the bot never became ready: \(bot.errorOutput.suffix(2000))")
            return bot
        }

        @Test func pushedPresenceReachesTheRosterWithinTwoSeconds() throws {
            let bot = try startBot()
            #expect(poll(timeout: 5) { try status(of: Self.ann) == "online" }, "GUILD_CREATE's presences were not applied")
            #expect(try roster()[Self.ann]?["discord_custom_status"] as? String == "On call")

            let pushed = Date()
            try sandbox.pushPresence(userID: Self.bob, status: "idle", activities: #"[{"name":"Factorio","type":0}]"#)
            #expect(poll(timeout: 2) { try status(of: Self.bob) == "idle" }, "the update took \(Date().timeIntervalSince(pushed)) s")
            #expect(try roster()[Self.bob]?["discord_activity"] as? String == "Playing Factorio")

            #expect(poll(timeout: 8) { try botStatus()["is_running"] as? Bool == true })
            let running = try botStatus()
            #expect(running["guild_id"] as? String == guildID)
            #expect(running["latency_ms"] is Int)

            try sandbox.removeMember(id: Self.ann)
            #expect(poll(timeout: 2) { try status(of: Self.ann) == "offline" }, "a member who left stays online")

            bot.signal(SIGTERM)
            #expect(bot.waitForExit(timeout: 15) == 0)
            #expect(bot.errorOutput.contains("guildgate-bot stopped"))
            #expect(try sandbox.gatewaySessions()["connections"] as? Int == 0)
        }

        @Test func resumesAfterDropsAndZombieConnectionsAndAppliesMissedEvents() throws {
            let bot = try startBot()
            try sandbox.dropGateway(code: nil)
            try sandbox.pushPresence(userID: Self.bob, status: "dnd")
            try sandbox.pushPresence(userID: Self.ann, status: "idle")
            #expect(poll(timeout: 5) { try status(of: Self.bob) == "dnd" && status(of: Self.ann) == "idle" })

            try sandbox.dropGateway(code: 4000)
            try sandbox.pushPresence(userID: Self.bob, status: "online")
            #expect(poll(timeout: 5) { try status(of: Self.bob) == "online" })

            try sandbox.configureGateway(#"{"acks":false}"#)
            #expect(bot.waitForOutput("no heartbeat ACK", timeout: 8), "a zombied connection went unnoticed")
            try sandbox.configureGateway(#"{"acks":true}"#)
            #expect(poll(timeout: 8) { try sandbox.gatewaySessions()["resumes"] as? Int == 3 })

            try sandbox.send("POST", "/_sandbox/gateway/reconnect", json: "{}")
            #expect(poll(timeout: 8) { try sandbox.gatewaySessions()["resumes"] as? Int == 4 }, "op 7 did not lead to a resume")

            let sessions = try sandbox.gatewaySessions()
            #expect(sessions["identifies"] as? Int == 1, "the bot identified again instead of resuming: \(sessions)")
            // Discord's shapes: `GET /gateway/bot` and `resume_gateway_url` without a path, the second on another port.
            let opened = sessions["connections_opened"] as? [String: Int] ?? [:]
            #expect(opened["resume"] == 4, "resumes must use resume_gateway_url: \(opened)")
            #expect(opened["gateway"] == 1, "\(opened)")
            #expect(bot.process.isRunning)
        }

        @Test func invalidSessionLeadsToAFreshIdentify() throws {
            let bot = try startBot()
            try sandbox.send("POST", "/_sandbox/gateway/invalidate", json: #"{"resumable":false}"#)
            // Discord allows one identify per 5 s (max_concurrency 1): one too early is refused with op 9 and retried.
            #expect(
                poll(timeout: 20) { try sandbox.gatewaySessions()["identifies"] as? Int == 2 },
                "\((try? sandbox.gatewaySessions()) ?? [:]) \(bot.errorOutput.suffix(3000))")
            #expect(bot.waitForOutput("identifying anew", timeout: 1) || bot.errorOutput.contains("invalidated the session"))
        }

        @Test func aKilledBotIsReportedNotRunning() throws {
            let bot = try startBot()
            #expect(poll(timeout: 8) { try botStatus()["is_running"] as? Bool == true })
            bot.signal(SIGKILL)
            _ = bot.waitForExit(timeout: 5)
            let lastBeat = try db.query("SELECT beat_at::text AS at FROM bot_heartbeats WHERE guild_id = $1", [guildID]).first?["at"]
            Thread.sleep(forTimeInterval: 6)
            #expect(
                try db.query("SELECT beat_at::text AS at FROM bot_heartbeats WHERE guild_id = $1", [guildID]).first?["at"] == lastBeat,
                "a killed bot still beats")
            // The heartbeat is now 6 s old; make it the 31 s the web app would see half a minute later.
            try db.query("UPDATE bot_heartbeats SET beat_at = beat_at - interval '25 seconds'")
            #expect(try botStatus()["is_running"] as? Bool == false)
            #expect(
                try browser.get("/staff/roster", headers: ["Authorization": "Bearer \(apiToken)"]).body
                    .contains("The Discord bot is not running"))
        }

        @Test func manualSyncRoundTripsAndIsCoalesced() throws {
            let stranger = "500000000000000099"
            try db.query("INSERT INTO presences (guild_id, discord_id, status) VALUES ($1, $2, 'online')", [guildID, stranger])
            let bot = try startBot()
            #expect(poll(timeout: 15) { try !sandbox.memberRequests().isEmpty }, "the scheduled reconcile never asked for members")
            Thread.sleep(forTimeInterval: 1.2)

            let first = try sync()
            let second = try sync()
            // Generous: under the full suite's load the runner may still be in the scheduled reconcile.
            #expect(
                poll(timeout: 30) {
                    try job(first)["state"] as? String == "succeeded" && job(second)["state"] as? String == "succeeded"
                }, "\((try? job(first)) ?? [:]) \((try? job(second)) ?? [:])")
            let results = try [job(first), job(second)].compactMap { $0["result"] as? [String: Any] }
            #expect(results.count == 2)
            #expect(results.filter { $0["coalesced"] as? Bool == true }.count >= 1, "\(results)")
            #expect(results.allSatisfy { $0["members"] as? Int == 3 }, "\(results)")  // Ann, Bob and the bot
            #expect(try db.query("SELECT status FROM presences WHERE discord_id = $1", [stranger]).first?["status"] == "offline")
            let requests = try sandbox.memberRequests()
            #expect(requests.count == 2, "coalesced reconciles must not reach Discord: \(requests)")
            #expect(requests.allSatisfy { $0["presences"] as? Bool == true && $0["rate_limited"] as? Bool == false })
            #expect(bot.process.isRunning)
        }

        @Test func aJobThatKeepsFailingIsRetriedThenMarkedFailed() throws {
            let bot = try startBot()
            let jobs = JobStore(db)
            let failing = try jobs.enqueue(
                kind: BackgroundJob.Kind.presenceReconcile.rawValue, payload: ["guild_id": "999"], maxAttempts: 2, backoffSeconds: 1)
            let unknown = try jobs.enqueue(kind: "no.such.kind", maxAttempts: 1)
            #expect(poll(timeout: 20) { try jobs.job(id: failing.id)?.state == .failed && jobs.job(id: unknown.id)?.state == .failed })
            let failed = try #require(try jobs.job(id: failing.id))
            #expect(failed.attempts == 2)
            #expect(failed.lastError?.contains("not in guild 999") == true, "\(failed.lastError ?? "")")
            #expect(try jobs.job(id: unknown.id)?.lastError?.contains("no handler for jobs of kind no.such.kind") == true)
            #expect(bot.process.isRunning)
        }

        @Test func badTokenAndDisabledIntentsStopTheBotWithTheirMessages() throws {
            let gateway = stack.sandboxURL.replacingOccurrences(of: "http://", with: "ws://")
            let badToken = try BotProcess(stack: stack, overrides: ["DISCORD_BOT_TOKEN": "not-the-token", "DISCORD_GATEWAY_URL": gateway])
            #expect(badToken.waitForExit(timeout: 15) == 78)
            #expect(badToken.errorOutput.contains("4004"))
            #expect(badToken.errorOutput.contains("the bot token is invalid"))

            try sandbox.configureGateway(#"{"privileged_intents":["GUILD_MEMBERS","MESSAGE_CONTENT"]}"#)
            let intents = try BotProcess(stack: stack)
            #expect(intents.waitForExit(timeout: 15) == 78)
            let output = intents.errorOutput
            #expect(output.contains("4014"))
            #expect(output.contains("GUILD_PRESENCES (\"Presence Intent\")"), "\(output.suffix(1500))")
            #expect(!output.contains("GUILD_MEMBERS (\""), "names an intent that is enabled: \(output.suffix(1500))")
        }

        @Test func anUnreachableDatabaseStopsTheStart() throws {
            let bot = try BotProcess(stack: stack, overrides: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"])
            #expect(bot.waitForExit(timeout: 15) == 1)
            #expect(bot.errorOutput.contains("cannot connect to PostgreSQL (check DATABASE_URL)"))
        }
    }
}

extension EndToEnd.BotWorker {
    @Test func theBotAnswersCommandsInDirectMessagesAndAsSlashCommands() throws {
        let (browser, csrf) = try EndToEnd.logIn(stack, sandbox, username: "cmd_user")
        let userID = try #require(try sandbox.browser.get("/_sandbox/oauth/user").json?["id"] as? String)
        let upload = try EndToEnd.uploadFile(browser, Array("minutes".utf8), name: "Meeting notes.txt", headers: ["X-CSRF-Token": csrf])
        let fileID = try #require(upload.json?["id"] as? Int)
        let bot = try startBot()
        let botAPI = Browser(baseURL: stack.sandboxURL + "/api/v10")
        let auth = [
            "Authorization": "Bot sandbox-bot-token", "Content-Type": "application/json",
            "User-Agent": "DiscordBot (https://guildgate.test, 1)",
        ]
        let clientID = try #require(stack.settings["DISCORD_CLIENT_ID"])
        #expect(
            poll(timeout: 5) {
                (try JSONSerialization.jsonObject(with: Data(botAPI.get("/applications/\(clientID)/commands", headers: auth).bytes))
                    as? [Any])?.count == 8
            }, "the slash commands were not registered")

        let dm = try #require(
            try botAPI.send("POST", "/users/@me/channels", headers: auth, body: Array(#"{"recipient_id":"\#(userID)"}"#.utf8)).json?["id"]
                as? String)
        try sandbox.send(
            "POST", "/_sandbox/gateway/dispatch",
            json: """
                {"t":"MESSAGE_CREATE","d":{"id":"900000000000000001","channel_id":"\(dm)","author":{"id":"\(userID)","username":"cmd_user"},
                 "content":"list","mentions":[],"attachments":[],"embeds":[],"type":0,"timestamp":"2026-11-30T00:00:00.000000+00:00"}}
                """)
        func replies() throws -> [String] {
            let page = try sandbox.browser.get("/_sandbox/channels/\(dm)/messages")
            let messages = try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [[String: Any]] ?? []
            return messages.compactMap { $0["content"] as? String }
        }
        #expect(
            poll(timeout: 5) { try replies().contains { $0.contains("Meeting notes.txt") && $0.contains("/files/\(fileID)/download") } },
            "\((try? replies()) ?? []) \(bot.errorOutput.suffix(1500))")

        try sandbox.addMember(id: userID, username: "cmd_user", status: "online")
        let botID = try #require(stack.settings["DISCORD_CLIENT_ID"])
        let channel = try #require(stack.settings["DISCORD_STORAGE_CHANNEL_IDS"]?.split(separator: ",").first.map(String.init))
        func channelMessages(_ id: String) throws -> [String] {
            let page = try sandbox.browser.get("/_sandbox/channels/\(id)/messages")
            return (try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [[String: Any]] ?? []).compactMap {
                $0["content"] as? String
            }
        }
        for (content, mentions) in [("<@\(botID)> help", true), ("help", false)] {
            try sandbox.send(
                "POST", "/_sandbox/gateway/dispatch",
                json: """
                    {"t":"MESSAGE_CREATE","d":{"id":"90000000000000000\(mentions ? 2 : 3)","channel_id":"\(channel)","guild_id":"\(guildID)",
                     "author":{"id":"\(userID)","username":"cmd_user"},"content":"\(content)",
                     "mentions":\(mentions ? #"[{"id":"\#(botID)","username":"sandbox_bot"}]"# : "[]"),
                     "attachments":[],"embeds":[],"type":0,"timestamp":"2026-11-30T00:00:00.000000+00:00"}}
                    """)
        }
        #expect(poll(timeout: 5) { try channelMessages(channel).contains { $0.hasPrefix("I keep files for this server") } })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(
            try channelMessages(channel).filter { $0.hasPrefix("I keep files for this server") }.count == 1,
            "the bot answered a guild message that did not mention it")
        let interaction = try sandbox.browser.send(
            "POST", "/_sandbox/interactions", headers: ["Content-Type": "application/json"],
            body: Array(#"{"user_id":"\#(userID)","command":"download","options":{"file":"meeting"}}"#.utf8))
        let interactionID = try #require(interaction.json?["id"] as? String, "\(interaction.status) \(interaction.body)")
        func answer() throws -> String? {
            let state = try sandbox.browser.get("/_sandbox/interactions/\(interactionID)").json ?? [:]
            let responses = state["responses"] as? [[String: Any]] ?? []
            return responses.compactMap { (($0["data"] as? [String: Any]) ?? ($0["body"] as? [String: Any]))?["content"] as? String }.first
                ?? (responses.isEmpty ? nil : "\(responses)")
        }
        #expect(
            poll(timeout: 3) { try answer()?.contains("/files/\(fileID)/download") == true }, "\((try? answer()) ?? nil ?? "no answer")")

        try sandbox.addMember(id: "500000000000000077", username: "stranger")
        let stranger = try sandbox.browser.send(
            "POST", "/_sandbox/interactions", headers: ["Content-Type": "application/json"],
            body: Array(#"{"user_id":"500000000000000077","command":"list"}"#.utf8))
        let strangerID = try #require(stranger.json?["id"] as? String)
        #expect(
            poll(timeout: 3) {
                let state = try sandbox.browser.get("/_sandbox/interactions/\(strangerID)").json ?? [:]
                return "\(state["responses"] ?? "")".contains("not linked")
            })
    }
}
