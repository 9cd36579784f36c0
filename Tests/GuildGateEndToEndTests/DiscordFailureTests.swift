import Foundation
import GuildGateTesting
@testable import GuildGateCore
import Store
import Testing

extension EndToEnd {
    /// Discord failing under a running guildgate-bot: a global 429 pauses every route of the process for the
    /// `retry_after` it names, and 5xx answers (some after the change was made) are retried; either way every
    /// role change and every reply happens exactly once. guildgate-web pauses the same way.
    @Suite final class DiscordFailure {
        static let rolesRoute = "/guilds/{id}/members/{id}/roles/{id}"

        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection
        let channel: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            channel = try #require(stack.settings["DISCORD_STORAGE_CHANNEL_IDS"]?.split(separator: ",").first.map(String.init))
        }

        deinit {
            MembersAwaitingARole.cleanUp(db)
        }

        /// The first awaiting member asks the bot for help in the storage channel (the bot answers with one message).
        func askForHelp(_ awaiting: MembersAwaitingARole) throws {
            _ = try sandbox.sendMessage(
                from: awaiting.members[0], username: "awaiting0", content: "help", channelID: channel, mentionBot: true)
        }

        /// Whether the bot's post of a message got its answer (after any retries).
        func aPostSucceeded() throws -> Bool {
            try sandbox.requests().contains {
                $0["method"] as? String == "POST" && ($0["path"] as? String)?.hasSuffix("/messages") == true && $0["status"] as? Int == 200
            }
        }

        func helpReplies() throws -> Int {
            try sandbox.messages(in: channel).filter { ($0["content"] as? String)?.hasPrefix("I keep files for this server") == true }.count
        }

        /// Runs a `groups.remote_sync` on `bot` and waits for it: it succeeds at its first attempt.
        func expectRemoteSyncSucceeds(_ bot: BotProcess, whileWaiting body: () throws -> Void = {}) throws {
            let job = try JobStore(db).enqueue(.groupsRemoteSync(requestedBy: "test"))
            try body()
            #expect(
                poll(timeout: 20) { try JobStore(db).job(id: job.id)?.state == .succeeded },
                "\(String(describing: try? JobStore(db).job(id: job.id))) \(bot.errorOutput.suffix(2000))")
            #expect(try JobStore(db).job(id: job.id)?.attempts == 1)
        }

        static func time(_ request: [String: Any]) -> Date? {
            (request["time"] as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }
        }

        @Test func aGlobal429PausesEveryRouteOfTheBotForItsRetryAfterThenEverythingGoesThroughOnce() throws {
            let awaiting = try MembersAwaitingARole(sandbox, db, count: 3)
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady(), "\(bot.errorOutput.suffix(2000))")
            try sandbox.clearRequests()
            try sandbox.arm(#"{"method":"PUT","path":"\#(Self.rolesRoute)","kind":"ratelimit","global":true,"delay_ms":2000}"#)
            var limitedAt: Date?
            try expectRemoteSyncSucceeds(bot) {
                #expect(
                    poll(timeout: 10) {
                        limitedAt = try sandbox.requests().first { $0["fault"] as? String == "ratelimit" }.flatMap(Self.time)
                        return limitedAt != nil
                    })
                // Another route, asked for during the pause.
                try askForHelp(awaiting)
            }
            #expect(poll(timeout: 5) { try aPostSucceeded() }, "\(bot.errorOutput.suffix(2000))")
            let limited = try #require(limitedAt)
            let requests = try sandbox.requests()
            let later = requests.filter { (Self.time($0) ?? .distantPast) > limited }
            #expect(later.contains { $0["method"] as? String == "POST" && ($0["path"] as? String)?.hasSuffix("/messages") == true })
            for request in later {
                let gap = (Self.time(request) ?? limited).timeIntervalSince(limited)
                #expect(gap >= 1.99, "\(request["method"] ?? "") \(request["path"] ?? "") sent \(gap) s after a global 429 asking for 2 s")
            }
            #expect(requests.filter { $0["status"] as? Int == 429 }.count == 1, "the bot sent into the pause")
            #expect(try awaiting.changesByTheBot(sandbox) == awaiting.expectedChanges)
            #expect(try helpReplies() == 1)
        }

        @Test func aGlobal429PausesGuildGateWebsUploadForItsRetryAfterAndThePartIsStoredOnce() throws {
            let (owner, csrf) = try EndToEnd.logIn(stack, sandbox, username: "limited_uploader")
            try sandbox.clearRequests()
            try sandbox.arm(#"{"method":"POST","path":"/channels/{id}/messages","kind":"ratelimit","global":true,"delay_ms":2000}"#)
            let bytes = Array("stored while Discord asks every client of the bot token to wait".utf8)
            let created = try EndToEnd.uploadFile(owner, bytes, name: "limited.bin", headers: ["X-CSRF-Token": csrf])
            #expect(created.status == 201, "\(created.body)")
            #expect(try sandbox.armedFaults().isEmpty, "the upload never met the 429")

            let requests = try sandbox.requests()
            let limited = try #require(requests.first { $0["fault"] as? String == "ratelimit" }.flatMap(Self.time))
            for request in requests where (Self.time(request) ?? .distantPast) > limited {
                let gap = (Self.time(request) ?? limited).timeIntervalSince(limited)
                #expect(gap >= 1.99, "\(request["method"] ?? "") \(request["path"] ?? "") sent \(gap) s after a global 429 asking for 2 s")
            }
            let stored = requests.filter {
                $0["method"] as? String == "POST" && ($0["path"] as? String)?.hasSuffix("/messages") == true && $0["status"] as? Int == 200
            }
            #expect(stored.count == 1, "one part, stored \(stored.count) times")
            let id = try #require(created.json?["id"] as? Int)
            #expect(try owner.get("/api/files/\(id)/content").bytes == bytes)
        }

        @Test func aStormOf5xxIsRetriedAndNoRoleChangeOrMessageIsLostOrMadeTwice() throws {
            let awaiting = try MembersAwaitingARole(sandbox, db, count: 3)
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady(), "\(bot.errorOutput.suffix(2000))")
            try sandbox.clearRequests()
            // The member list read fails once; each role change and the reply meet one 5xx, two of them after
            // Discord made the change.
            try sandbox.arm(#"{"method":"GET","path":"/guilds/{id}/members","kind":"status","status":500}"#)
            let roleFaults = [#""kind":"lost_answer","status":500"#, #""kind":"status","status":502"#, #""kind":"status","status":503"#]
            for (member, fault) in zip(awaiting.members, roleFaults) {
                try sandbox.arm(#"{"method":"PUT","path":"/guilds/{id}/members/\#(member)/roles/{id}",\#(fault)}"#)
            }
            try sandbox.arm(#"{"method":"POST","path":"/channels/{id}/messages","kind":"lost_answer","status":502}"#)

            try expectRemoteSyncSucceeds(bot) { try askForHelp(awaiting) }
            #expect(poll(timeout: 5) { try aPostSucceeded() }, "\(bot.errorOutput.suffix(2000))")
            let unmet = try sandbox.armedFaults()
            #expect(unmet.isEmpty, "a fault was never met: \(unmet)")
            #expect(try awaiting.changesByTheBot(sandbox) == awaiting.expectedChanges)
            #expect(try helpReplies() == 1, "the reply was posted twice")
            #expect(bot.errorOutput.contains("discord answered a server error; retrying"))
        }
    }
}
