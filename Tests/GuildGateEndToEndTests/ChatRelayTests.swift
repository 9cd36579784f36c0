import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// guildgate-bot relaying DMs and mentions to the sandbox's OpenAI-compatible backend: who may chat,
    /// `/login <code>`, history and personalities, long answers, failures, limits, many users at once.
    @Suite struct ChatRelay {
        static let idPrefix = "6000000000000"

        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection
        let botID: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            botID = try #require(stack.settings["DISCORD_CLIENT_ID"])
            try db.query("TRUNCATE conversations, jobs CASCADE")
            try db.query("DELETE FROM users WHERE discord_id LIKE $1", [Self.idPrefix + "%"])
            try db.query("UPDATE schedules SET enabled = false")
            try sandbox.clearChatRequests()
        }

        /// A Discord id of this suite's range.
        static func discordID(_ number: Int) -> String {
            Self.idPrefix + String(format: "%06d", number)
        }

        func startBot(_ overrides: [String: String?] = [:]) throws -> BotProcess {
            let chat: [String: String?] = [
                "CHAT_API_BASE": stack.sandboxURL + "/openai/v1", "CHAT_API_KEY": "sandbox-chat-key", "CHAT_MODEL": "sandbox-model",
            ]
            let bot = try BotProcess(stack: stack, overrides: chat.merging(overrides) { $1 })
            #expect(bot.waitUntilReady(), "the bot never became ready: \(bot.errorOutput.suffix(2000))")
            return bot
        }

        /// A linked, verified user with `personality`.
        func verifiedUser(_ discordID: String, personality: String = "friendly") throws {
            try db.query(
                """
                INSERT INTO users (name, personality, communication_channel, verified, discord_id, discord_username)
                VALUES ($1, $2, 'discord', true, $3, $1)
                """, ["user\(discordID.suffix(4))", personality, discordID])
        }

        /// The bot's messages in a channel, oldest first.
        func botMessages(in channelID: String) throws -> [[String: Any]] {
            try sandbox.messages(in: channelID).filter { $0["author_id"] as? String == botID }
        }

        func botTexts(in channelID: String) throws -> [String] {
            try botMessages(in: channelID).compactMap { $0["content"] as? String }
        }

        /// Waits until the bot has posted `count` messages in the channel and returns their texts.
        func waitForReplies(_ count: Int, in channelID: String, timeout: TimeInterval = 10, bot: BotProcess) throws -> [String] {
            let arrived = poll(timeout: timeout) { try botTexts(in: channelID).count >= count }
            let texts = try botTexts(in: channelID)
            #expect(arrived, "\(texts.count) of \(count) replies: \(texts) \(bot.errorOutput.suffix(1500))")
            return texts
        }

        func chatBodies() throws -> [[String: Any]] {
            try sandbox.chatRequests().filter { ($0["path"] as? String ?? "").hasSuffix("/chat/completions") }.compactMap {
                $0["body"] as? [String: Any]
            }
        }

        @Test func aVerifiedUsersDMIsAnsweredWithThePersonalityAndTheEarlierMessages() throws {
            let ann = Self.discordID(1)
            try verifiedUser(ann, personality: "playful")
            let bot = try startBot()
            let first = try sandbox.sendMessage(from: ann, username: "ann", content: "hello there")
            #expect(try waitForReplies(1, in: first.channelID, bot: bot) == ["Echo 1: hello there"])
            #expect(try botMessages(in: first.channelID).first?["message_reference"].map { "\($0)" }?.contains(first.messageID) == true)
            #expect(try sandbox.typingCount(channelID: first.channelID) >= 1, "no typing indicator while the model worked")

            _ = try sandbox.sendMessage(from: ann, username: "ann", content: "and again")
            #expect(try waitForReplies(2, in: first.channelID, bot: bot).last == "Echo 2: and again")

            let playful = try #require(try ChatPersonalityStore(db).personality(name: "playful")?.prompt)
            let sent = try #require(try chatBodies().last)
            let messages = (sent["messages"] as? [[String: Any]] ?? []).map { "\($0["role"] ?? ""): \($0["content"] ?? "")" }
            #expect(messages == ["system: \(playful)", "user: hello there", "assistant: Echo 1: hello there", "user: and again"])
            #expect(sent["model"] as? String == "sandbox-model")
            #expect(sent["stream"] == nil)
        }

        @Test func theBotsConversationsAppearInTheSyncAPIForThatUserOnly() throws {
            let ann = Self.discordID(22)
            try verifiedUser(ann)
            let bot = try startBot()
            let dm = try sandbox.sendMessage(from: ann, username: "ann", content: "note for the app").channelID
            _ = try waitForReplies(1, in: dm, bot: bot)

            let api = ConversationSyncAPI(Browser(baseURL: stack.webURL), token: try sandbox.issueAccessToken(userID: ann, username: "ann"))
            let listed = try #require(try api.list().json?["conversations"] as? [[String: Any]])
            let conversation = try #require(listed.first { $0["source"] as? String == "discord" }, "\(listed)")
            #expect(conversation["title"] as? String == "note for the app")
            let id = try #require(conversation["id"] as? Int)
            let messages = try #require(try api.conversation(String(id)).json?["messages"] as? [[String: Any]])
            #expect(
                messages.map { "\($0["role"] ?? ""): \($0["content"] ?? "")" } == [
                    "user: note for the app", "assistant: Echo 1: note for the app",
                ])

            let other = ConversationSyncAPI(
                Browser(baseURL: stack.webURL), token: try sandbox.issueAccessToken(userID: Self.discordID(23), username: "other"))
            #expect(try other.conversation(String(id)).status == 404)
        }

        @Test func anUnverifiedUserGetsTheInstructionsAndTheModelIsNotCalled() throws {
            let stranger = Self.discordID(2)
            let bot = try startBot()
            let sent = try sandbox.sendMessage(from: stranger, username: "stranger", content: "hi bot")
            let replies = try waitForReplies(1, in: sent.channelID, bot: bot)
            #expect(replies.first?.contains("/onboarding") == true && replies.first?.contains("/login <code>") == true, "\(replies)")
            Thread.sleep(forTimeInterval: 1)
            #expect(try chatBodies().isEmpty, "the model was called for someone who may not chat")
            #expect(try botTexts(in: sent.channelID).count == 1, "more than one reply")
            #expect(try db.query("SELECT count(*) AS n FROM conversations").first?.int("n") == 0)
        }

        @Test func bypassAuthLetsAnyoneChatAgainstTheSandbox() throws {
            let stranger = Self.discordID(21)
            let bot = try startBot(["BYPASS_AUTH": "true"])
            let sent = try sandbox.sendMessage(from: stranger, username: "stranger", content: "hi anyway")
            #expect(try waitForReplies(1, in: sent.channelID, bot: bot) == ["Echo 1: hi anyway"])
            #expect(try UserStore(db).user(discordID: stranger) == nil, "bypassing the check links nobody")
        }

        @Test func loginWithAFreshCodeLinksOnceAndABogusOrPostedCodeIsRefused() throws {
            let web = Browser(baseURL: stack.webURL)
            func onboard(_ email: String) throws -> String {
                let body = #"{"name":"Cleo","email":"\#(email)","selectedPersonality":"professional","communicationChannel":"discord"}"#
                let page = try web.send(
                    "POST", "/api/user/onboarding", headers: ["Content-Type": "application/json"], body: Array(body.utf8))
                return try #require(page.json?["verification_token"] as? String, "\(page.status) \(page.body)")
            }
            let cleo = Self.discordID(3)
            let bot = try startBot()
            let code = try onboard("cleo-\(UUID().uuidString.prefix(8))@example.com")
            let dm = try sandbox.sendMessage(from: cleo, username: "cleo", content: "/login \(code)").channelID
            #expect(try waitForReplies(1, in: dm, bot: bot).last?.hasPrefix("Linked") == true)
            let linked = try #require(try UserStore(db).user(discordID: cleo))
            #expect(linked.verified && linked.name == "Cleo" && linked.personality == "professional")

            _ = try sandbox.sendMessage(from: cleo, username: "cleo", content: "/login \(code)")
            #expect(try waitForReplies(2, in: dm, bot: bot).last?.contains("unknown, already used or expired") == true)
            _ = try sandbox.sendMessage(from: cleo, username: "cleo", content: "login not-a-real-code")
            #expect(try waitForReplies(3, in: dm, bot: bot).last?.contains("unknown, already used or expired") == true)

            // Linked now: the model answers with the personality onboarding chose.
            _ = try sandbox.sendMessage(from: cleo, username: "cleo", content: "hello")
            #expect(try waitForReplies(4, in: dm, bot: bot).last == "Echo 1: hello")
            let professional = try #require(try ChatPersonalityStore(db).personality(name: "professional")?.prompt)
            #expect((try chatBodies().last?["messages"] as? [[String: Any]])?.first?["content"] as? String == professional)

            // A code posted in a guild channel is withdrawn: whoever reads the channel cannot use it first.
            let dan = Self.discordID(4)
            let posted = try onboard("dan-\(UUID().uuidString.prefix(8))@example.com")
            let channel = try #require(stack.settings["DISCORD_STORAGE_CHANNEL_IDS"]?.split(separator: ",").first.map(String.init))
            try sandbox.addMember(id: dan, username: "dan")
            let before = try botTexts(in: channel).count
            _ = try sandbox.sendMessage(from: dan, username: "dan", content: "login \(posted)", channelID: channel, mentionBot: true)
            #expect(try waitForReplies(before + 1, in: channel, bot: bot).last?.contains("I cancelled it") == true)
            let danDM = try sandbox.sendMessage(from: dan, username: "dan", content: "/login \(posted)").channelID
            #expect(try waitForReplies(1, in: danDM, bot: bot).last?.contains("unknown, already used or expired") == true)
            #expect(try UserStore(db).user(discordID: dan) == nil)

            // The slash command links too, answering only the caller.
            let fresh = try onboard("dan2-\(UUID().uuidString.prefix(8))@example.com")
            let interaction = try sandbox.browser.send(
                "POST", "/_sandbox/interactions", headers: ["Content-Type": "application/json"],
                body: Array(#"{"user_id":"\#(dan)","command":"login","options":{"code":"\#(fresh)"}}"#.utf8))
            let interactionID = try #require(interaction.json?["id"] as? String, "\(interaction.status) \(interaction.body)")
            #expect(
                poll(timeout: 5) {
                    "\(try sandbox.browser.get("/_sandbox/interactions/\(interactionID)").json?["responses"] ?? "")".contains("Linked")
                })
            #expect(try UserStore(db).user(discordID: dan)?.verified == true)
        }

        @Test func aLongAnswerArrivesAsTwoMessagesUnderDiscordsLimit() throws {
            let ann = Self.discordID(5)
            try verifiedUser(ann)
            let bot = try startBot()
            let sent = try sandbox.sendMessage(from: ann, username: "ann", content: "[[length:2500]] tell me everything")
            let replies = try waitForReplies(2, in: sent.channelID, bot: bot)
            Thread.sleep(forTimeInterval: 0.5)
            #expect(try botTexts(in: sent.channelID).count == 2)
            #expect(replies.allSatisfy { $0.utf16.count <= 2000 && !$0.isEmpty })
            #expect(replies.map(\.count).reduce(0, +) >= 2400)
            #expect(
                replies.first?.hasSuffix(".") == true, "the cut is not on a sentence or paragraph end: \(replies.first?.suffix(40) ?? "")")
            let stored = try #require(try ConversationStore(db).list(discordID: ann, limit: 1).first)
            let assistant = try ConversationStore(db).messages(conversationID: stored.id, discordID: ann).filter { $0.role == .assistant }
            #expect(assistant.count == 1 && assistant.first?.content.count == 2500, "the answer is stored whole, once")
        }

        @Test func theBackendDownGivesOneFriendlyReplyAndTheErrorInTheJob() throws {
            let ann = Self.discordID(6)
            try verifiedUser(ann)
            let bot = try startBot()
            try sandbox.fault(method: "POST", path: "/openai/v1/chat/completions", status: 503, count: 1)
            let sent = try sandbox.sendMessage(from: ann, username: "ann", content: "are you there?")
            let replies = try waitForReplies(1, in: sent.channelID, bot: bot)
            #expect(replies.first?.hasPrefix("Sorry, I cannot answer right now") == true, "\(replies)")
            #expect(
                poll(timeout: 5) {
                    try db.query("SELECT last_error FROM jobs WHERE kind = 'chat.reply' AND state = 'failed'").first?["last_error"]?
                        .contains(
                            "503") == true
                }, "the failed job does not keep the backend's error")
            Thread.sleep(forTimeInterval: 1)
            #expect(try botTexts(in: sent.channelID).count == 1, "the failure was answered more than once")

            _ = try sandbox.sendMessage(from: ann, username: "ann", content: "now?")
            #expect(try waitForReplies(2, in: sent.channelID, bot: bot).last?.hasPrefix("Echo") == true)
            #expect(bot.process.isRunning)
        }

        @Test func resetStartsANewConversation() throws {
            let ann = Self.discordID(7)
            try verifiedUser(ann)
            let bot = try startBot()
            let dm = try sandbox.sendMessage(from: ann, username: "ann", content: "remember this").channelID
            _ = try waitForReplies(1, in: dm, bot: bot)
            _ = try sandbox.sendMessage(from: ann, username: "ann", content: "reset")
            #expect(try waitForReplies(2, in: dm, bot: bot).last?.hasPrefix("Done") == true)
            _ = try sandbox.sendMessage(from: ann, username: "ann", content: "fresh start")
            #expect(try waitForReplies(3, in: dm, bot: bot).last == "Echo 1: fresh start")
            #expect(try ConversationStore(db).count(discordID: ann) == 2)
            _ = try sandbox.sendMessage(from: ann, username: "ann", content: "aisync")
            #expect(try waitForReplies(4, in: dm, bot: bot).last?.contains("2 conversations synced") == true)
        }

        @Test func aUserOverTheChatLimitIsToldPolitely() throws {
            let ann = Self.discordID(8)
            try verifiedUser(ann)
            let bot = try startBot(["CHAT_MESSAGES_PER_MINUTE": "3"])
            var dm = ""
            for index in 1...5 { dm = try sandbox.sendMessage(from: ann, username: "ann", content: "message \(index)").channelID }
            _ = try waitForReplies(4, in: dm, bot: bot)
            Thread.sleep(forTimeInterval: 1)
            let replies = try botTexts(in: dm)
            #expect(replies.filter { $0.hasPrefix("Echo") }.count == 3, "\(replies)")
            #expect(replies.filter { $0.contains("3 messages a minute") }.count == 1, "\(replies)")
            #expect(try chatBodies().count == 3)
        }

        @Test func fiftyDMsFromTenUsersAreAllAnsweredInOrderPerUser() throws {
            let users = (10..<20).map(Self.discordID)
            for user in users { try verifiedUser(user) }
            let bot = try startBot()
            var channels: [String: String] = [:]
            var sentIDs: [String: [String]] = [:]
            for round in 1...5 {
                for user in users {
                    let sent = try sandbox.sendMessage(
                        from: user, username: "u\(user.suffix(2))", content: "m\(round) from \(user.suffix(2))")
                    channels[user] = sent.channelID
                    sentIDs[user, default: []].append(sent.messageID)
                }
            }
            let everyone = poll(timeout: 60) { try users.allSatisfy { try botTexts(in: channels[$0]!).count >= 5 } }
            #expect(everyone, "not every DM was answered: \(bot.errorOutput.suffix(1500))")
            for user in users {
                let replies = try botMessages(in: channels[user]!)
                #expect(replies.compactMap { $0["content"] as? String } == (1...5).map { "Echo \($0): m\($0) from \(user.suffix(2))" })
                let references = replies.map { "\($0["message_reference"] ?? "")" }
                for (reference, id) in zip(references, sentIDs[user]!) { #expect(reference.contains(id)) }
            }
        }

        @Test func voiceAndImagesComeFromTheBackendWhenSwitchedOn() throws {
            let ann = Self.discordID(9)
            try verifiedUser(ann)
            let bot = try startBot(["CHAT_VOICE": "true", "CHAT_IMAGES": "true"])
            let dm = try sandbox.sendMessage(from: ann, username: "ann", content: "say something").channelID
            #expect(
                poll(timeout: 10) {
                    try botMessages(in: dm).contains { message in
                        (message["attachments"] as? [[String: Any]] ?? []).contains { $0["filename"] as? String == "reply.mp3" }
                    }
                }, "no voice note: \(bot.errorOutput.suffix(1500))")
            _ = try sandbox.sendMessage(from: ann, username: "ann", content: "image a red fox in the snow")
            #expect(
                poll(timeout: 10) {
                    try botMessages(in: dm).contains { message in
                        (message["attachments"] as? [[String: Any]] ?? []).contains { ($0["filename"] as? String ?? "").hasSuffix(".png") }
                    }
                }, "no picture: \(bot.errorOutput.suffix(1500))")
            #expect(try botTexts(in: dm).contains { $0.hasPrefix("Drawing") })
            let paths = try sandbox.chatRequests().compactMap { $0["path"] as? String }
            #expect(paths.contains { $0.hasSuffix("/audio/speech") } && paths.contains { $0.hasSuffix("/images/generations") })
        }
    }
}
