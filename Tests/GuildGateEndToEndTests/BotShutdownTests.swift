import Foundation
import GuildGateTesting
@testable import GuildGateCore
import Store
import Testing

extension EndToEnd {
    /// guildgate-bot exits 0 within 10 s of SIGTERM whatever it is doing, and says once per attempt what
    /// failed while Discord or PostgreSQL is away. PostgreSQL and the gateway are made to go away through
    /// a `TCPProxy` the test controls, or by pausing discord-sandbox (SIGSTOP) for a moment; the shared
    /// PostgreSQL is never touched.
    @Suite struct BotShutdown {
        /// What the issue allows between SIGTERM and the exit.
        static let exitLimit: TimeInterval = 10

        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            try db.query("TRUNCATE jobs")
            try db.query("UPDATE schedules SET enabled = false")
            // Bots start one after another here: no identify window (a sandbox without one ignores the key).
            try sandbox.configureGateway(#"{"heartbeat_interval_ms":1000,"identify_window_ms":0}"#)
        }

        /// Sends SIGTERM; the exit status (nil: still running after 15 s) and how long the exit took.
        func terminate(_ bot: BotProcess) -> (status: Int32?, seconds: TimeInterval) {
            let sent = Date()
            bot.signal(SIGTERM)
            let status = bot.waitForExit(timeout: 15)
            return (status, Date().timeIntervalSince(sent))
        }

        func expectCleanExit(_ bot: BotProcess, sourceLocation: SourceLocation = #_sourceLocation) {
            let (status, seconds) = terminate(bot)
            #expect(
                status == 0, "exit status \(status.map(String.init) ?? "none"): \(bot.errorOutput.suffix(3000))",
                sourceLocation: sourceLocation)
            #expect(seconds < Self.exitLimit, "the exit took \(seconds) s: \(bot.errorOutput.suffix(3000))", sourceLocation: sourceLocation)
            #expect(
                bot.errorOutput.contains("guildgate-bot stopped") || bot.errorOutput.contains("stopped during start-up"),
                sourceLocation: sourceLocation)
        }

        /// A proxy to the stack's PostgreSQL (a Unix socket) and the `DATABASE_URL` that goes through it.
        func databaseProxy() throws -> (TCPProxy, String) {
            try TCPProxy.postgres(stack.databaseURL)
        }

        /// discord-sandbox paused (SIGSTOP) while `body` runs: its sockets accept, nothing answers.
        func withSandboxPaused(_ body: () throws -> Void) throws {
            let text = try String(contentsOfFile: stack.directory + "/pids/sandbox.pid", encoding: .utf8)
            let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            try body()
        }

        func job(_ id: Int) throws -> Job {
            try #require(try JobStore(db).job(id: id))
        }

        @Test func sigtermWhileTheGatewayIsUnreachableExitsAndPutsTheWaitingReconcileBack() throws {
            let gateway = try TCPProxy(target: .none)
            defer { gateway.close() }
            try db.query("UPDATE schedules SET enabled = true, next_run_at = now() WHERE name = 'presence.reconcile'")
            let bot = try BotProcess(stack: stack, overrides: ["DISCORD_GATEWAY_URL": "ws://127.0.0.1:\(gateway.port)/"])
            #expect(poll(timeout: 10) { gateway.accepted >= 3 }, "the bot stopped trying: \(bot.errorOutput.suffix(2000))")
            let reconcile = try #require(try db.query("SELECT id FROM jobs WHERE kind = 'presence.reconcile'").first?.int("id"))
            #expect(poll(timeout: 5) { try job(reconcile).state == .running }, "the scheduled reconcile was never claimed")

            expectCleanExit(bot)
            let requeued = try job(reconcile)
            #expect(requeued.state == .queued, "a reconcile interrupted by the stop must go back to the queue")
            #expect(requeued.attempts == 0, "an interrupted attempt must not count")
            #expect(requeued.lastError?.contains("the bot is stopping") == true, "\(requeued.lastError ?? "")")
            #expect(!bot.errorOutput.contains("abandoning the job"))
        }

        @Test func aGatewayOutageLogsOneLinePerAttemptSayingWhatFailedAndWhenTheNextTryIs() throws {
            let gateway = try TCPProxy(target: .none)
            defer { gateway.close() }
            let bot = try BotProcess(
                stack: stack, overrides: ["DISCORD_GATEWAY_URL": "ws://127.0.0.1:\(gateway.port)/", "LOG_LEVEL": "info"])
            // Attempts at about 0, 0.75, 2.25 and 5.25 s.
            #expect(poll(timeout: 12) { gateway.accepted >= 4 })
            Thread.sleep(forTimeInterval: 0.3)
            expectCleanExit(bot)

            let lines = bot.errorOutput.split(separator: "\n")
            let attempts = lines.filter { $0.contains("gateway connection failed (cannot connect") }
            let accepted = gateway.accepted
            #expect(attempts.count >= 4)
            // The attempt under way when SIGTERM came may have gone without its line.
            #expect(attempts.count == accepted || attempts.count == accepted - 1, "\(accepted) attempts, \(attempts.count) lines: \(lines)")
            #expect(attempts.allSatisfy { $0.contains("; next try in ") && $0.hasSuffix(", identifying") }, "\(attempts)")
            let delays = attempts.compactMap { line in
                line.firstRange(of: /retry_in_ms=(\d+)/).flatMap { Int(line[$0].split(separator: "=")[1]) }
            }
            #expect(delays.count == attempts.count)
            for (index, delay) in delays.enumerated() {
                // 1 s, 2 s, 4 s… up to a minute, each drawn from the upper half of its step.
                let step = min(60_000, 1000 << index)
                #expect(delay >= step / 2 && delay <= step, "attempt \(index + 1) waits \(delay) ms")
            }
            // The shard's lines (taken, closed) are about the lock, not the connection.
            let others = lines.filter {
                $0.contains("gateway") && !$0.contains("gateway connection failed") && !$0.contains("gateway shard")
            }
            #expect(
                others.count == 1 && others.first?.contains("gateway session closed") == true, "more than one line per attempt: \(others)")
        }

        @Test func aDatabaseOutageLogsOneLinePerAttemptAndSigtermStillExits() throws {
            let (proxy, databaseURL) = try databaseProxy()
            defer { proxy.close() }
            // Without chat: the main job runner and the shard's runner of reconciles, whose lines the count below expects.
            let bot = try BotProcess(stack: stack, overrides: ["DATABASE_URL": databaseURL, "LOG_LEVEL": "info", "CHAT_API_BASE": nil])
            #expect(bot.waitUntilReady(), "\(bot.errorOutput.suffix(2000))")
            #expect(bot.waitForOutput("guildgate-bot started", timeout: 5))
            Thread.sleep(forTimeInterval: 0.5)
            let before = proxy.accepted
            proxy.set(.reset)
            Thread.sleep(forTimeInterval: 8)
            let attempts = proxy.accepted - before
            let lines = bot.errorOutput.split(separator: "\n")
            let failures = lines.filter { $0.contains("database call failed") || $0.contains("database write failed") }
            // Each failed attempt is one connection the proxy took and reset, but for the first of the two job
            // runners, the presence writer and the shard keeper (their open connections broke); four may be under
            // way right now.
            #expect(
                failures.count >= 3 && failures.count <= attempts + 4 && failures.count >= attempts - 4,
                "\(attempts) attempts, \(failures.count) lines: \(failures)")
            #expect(failures.allSatisfy { $0.contains("next try") && $0.contains("[BotWorker]") }, "a line was split: \(failures)")
            let retries = lines.filter { $0.contains("job queue: database call failed") }
            for ofShard in [false, true] {
                let runner = retries.filter { $0.contains("/shard-0 ") == ofShard }
                #expect(runner.count <= 6, "a job runner retries without backing off: \(runner)")
            }
            expectCleanExit(bot)
        }

        @Test func sigtermWhilePostgreSQLAndDiscordAreBothGoneExitsWithin10Seconds() throws {
            let (proxy, databaseURL) = try databaseProxy()
            defer { proxy.close() }
            try sandbox.addMember(id: "500000000000000003", username: "cy")
            let bot = try BotProcess(stack: stack, overrides: ["DATABASE_URL": databaseURL])
            #expect(bot.waitUntilReady(), "\(bot.errorOutput.suffix(2000))")
            proxy.set(.stall)
            // Presences now wait for a database that accepts and never answers.
            try sandbox.pushPresence(userID: "500000000000000003", status: "online")
            try withSandboxPaused {
                #expect(bot.waitForOutput("no heartbeat ACK", timeout: 8), "\(bot.errorOutput.suffix(2000))")
                Thread.sleep(forTimeInterval: 1)
                expectCleanExit(bot)
            }
        }

        @Test func sigtermInTheMiddleOfAResumeExitsWithin10Seconds() throws {
            // Stuck: the resume's WebSocket upgrade is never answered.
            let stuck = try BotProcess(stack: stack)
            #expect(stuck.waitUntilReady(), "\(stuck.errorOutput.suffix(2000))")
            try withSandboxPaused {
                #expect(stuck.waitForOutput("no heartbeat ACK", timeout: 8), "\(stuck.errorOutput.suffix(2000))")
                Thread.sleep(forTimeInterval: 0.5)
                expectCleanExit(stuck)
            }
            // Racing: SIGTERM right after the drop, while the bot reconnects and resumes.
            let racing = try BotProcess(stack: stack)
            #expect(racing.waitUntilReady(), "\(racing.errorOutput.suffix(2000))")
            try sandbox.dropGateway(code: nil)
            expectCleanExit(racing)
            #expect(poll(timeout: 3) { try sandbox.gatewaySessions()["connections"] as? Int == 0 }, "a connection stayed open")
        }

        /// A `files.cleanup` job whose Discord call (reading a storage channel) is answered after `delay` ms.
        func slowCleanupJob(delay milliseconds: Int) throws -> Int {
            try db.query(
                """
                INSERT INTO files (name, salt, part_size, state, error) VALUES ('shutdown-test', '\\x00'::bytea, 1, 'failed', 'test')
                """)
            try sandbox.delay(method: "GET", path: "/api/v10/channels/{id}/messages", milliseconds: milliseconds)
            return try JobStore(db).enqueue(kind: BackgroundJob.Kind.filesCleanup.rawValue, maxAttempts: 3).id
        }

        @Test func aJobThatCannotFinishIn5SecondsIsLeftToItsLeaseAndRunsAgainElsewhere() throws {
            let id = try slowCleanupJob(delay: 30_000)
            let bot = try BotProcess(stack: stack)
            #expect(poll(timeout: 10) { try job(id).state == .running })
            Thread.sleep(forTimeInterval: 0.5)
            expectCleanExit(bot)
            #expect(bot.errorOutput.contains("abandoning the job in hand"), "\(bot.errorOutput.suffix(2000))")
            let abandoned = try job(id)
            #expect(abandoned.state == .running, "the abandoned job keeps its lease until it expires")
            #expect(abandoned.attempts == 1)

            // Once the lease has expired, another worker runs it.
            try db.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", [id])
            try sandbox.send("DELETE", "/_sandbox/faults", json: "{}")
            let next = try BotProcess(stack: stack)
            #expect(poll(timeout: 15) { try job(id).state == .succeeded }, "\(next.errorOutput.suffix(2000))")
            #expect(try job(id).attempts == 2)
            expectCleanExit(next)
        }

        @Test func aJobThatFinishesWithinTheGraceIsCompletedBeforeTheExit() throws {
            let id = try slowCleanupJob(delay: 2000)
            let bot = try BotProcess(stack: stack)
            #expect(poll(timeout: 10) { try job(id).state == .running })
            expectCleanExit(bot)
            #expect(try job(id).state == .succeeded, "\(bot.errorOutput.suffix(2000))")
            #expect(!bot.errorOutput.contains("abandoning the job"))
        }

        @Test func sigtermDuringStartUpWhilePostgreSQLDoesNotAnswerExits() throws {
            let (proxy, databaseURL) = try databaseProxy()
            defer { proxy.close() }
            proxy.set(.stall)
            let bot = try BotProcess(stack: stack, overrides: ["DATABASE_URL": databaseURL])
            #expect(poll(timeout: 5) { proxy.accepted >= 1 })
            Thread.sleep(forTimeInterval: 0.5)
            expectCleanExit(bot)
            #expect(bot.errorOutput.contains("stopped during start-up"))
        }
    }
}
