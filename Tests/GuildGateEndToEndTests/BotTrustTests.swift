import Foundation
import GuildGateTesting
import Testing

/// The bot against a guild member who is not staff and a stranger with a script: nothing private in
/// public channels, no answers outside its guild, and one user's spam cannot crowd out the others.
extension EndToEnd.BotWorker {
    var botID: String { stack.settings["DISCORD_CLIENT_ID"] ?? "" }
    var textChannels: [String] { (stack.settings["DISCORD_STORAGE_CHANNEL_IDS"] ?? "").split(separator: ",").map(String.init) }

    /// A bot whose slash commands are registered.
    func startBotWithCommands(_ overrides: [String: String?] = [:]) throws -> BotProcess {
        let bot = try startBot(overrides)
        #expect(
            poll(timeout: 5) {
                try sandbox.browser.get("/api/v10/applications/\(botID)/commands", headers: Self.botAuth).body.contains("\"download\"")
            }, "the slash commands were not registered")
        return bot
    }

    static let botAuth = ["Authorization": "Bot sandbox-bot-token", "User-Agent": "DiscordBot (https://guildgate.test, 1)"]

    /// The DM channel between the bot and `userID` (Discord gives the same one every time).
    func directChannel(with userID: String) throws -> String {
        let page = try sandbox.browser.send(
            "POST", "/api/v10/users/@me/channels",
            headers: Self.botAuth.merging(["Content-Type": "application/json"]) { $1 }, body: Array(#"{"recipient_id":"\#(userID)"}"#.utf8))
        return try #require(page.json?["id"] as? String, "\(page.status) \(page.body)")
    }

    /// A user's message as the gateway delivers it; `guild` nil for a DM.
    func say(_ content: String, in channel: String, guild: String?, from userID: String, mentioningTheBot: Bool = true) throws {
        let id = String(UInt64.random(in: 900_000_000_000_000_000...999_999_999_999_999_999))
        let guildField = guild.map { #""guild_id":"\#($0)","# } ?? ""
        let mentions = mentioningTheBot ? #"[{"id":"\#(botID)","username":"sandbox_bot"}]"# : "[]"
        try sandbox.send(
            "POST", "/_sandbox/gateway/dispatch",
            json: """
                {"t":"MESSAGE_CREATE","d":{"id":"\(id)","channel_id":"\(channel)",\(guildField)
                 "author":{"id":"\(userID)","username":"user\(userID.suffix(4))"},"content":"\(content)","mentions":\(mentions),
                 "attachments":[],"embeds":[],"type":0,"timestamp":"2026-12-06T00:00:00.000000+00:00"}}
                """)
    }

    func contents(of channel: String) throws -> [String] {
        let page = try sandbox.browser.get("/_sandbox/channels/\(channel)/messages")
        return (try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
    }

    /// Runs a slash command as `userID` in the guild; returns the interaction's id.
    func slashCommand(_ command: String, as userID: String) throws -> String {
        let created = try sandbox.browser.send(
            "POST", "/_sandbox/interactions", headers: ["Content-Type": "application/json"],
            body: Array(#"{"user_id":"\#(userID)","command":"\#(command)"}"#.utf8))
        return try #require(created.json?["id"] as? String, "\(created.status) \(created.body)")
    }

    /// The interaction's initial response, once there is one.
    func response(to interactionID: String) throws -> [String: Any]? {
        let state = try sandbox.browser.get("/_sandbox/interactions/\(interactionID)").json ?? [:]
        return (state["responses"] as? [[String: Any]])?.first
    }

    @Test func listAndDownloadMentionedInAGuildChannelAreAnsweredByDM() throws {
        let (browser, csrf) = try EndToEnd.logIn(stack, sandbox, username: "private_user")
        let userID = try #require(try sandbox.browser.get("/_sandbox/oauth/user").json?["id"] as? String)
        let upload = try EndToEnd.uploadFile(browser, Array("plans".utf8), name: "Secret plans.txt", headers: ["X-CSRF-Token": csrf])
        let fileID = try #require(upload.json?["id"] as? Int)
        try sandbox.addMember(id: userID, username: "private_user", status: "online")
        let bot = try startBotWithCommands()
        let channel = textChannels[1]
        let before = try contents(of: channel).count

        try say("<@\(botID)> list", in: channel, guild: guildID, from: userID)
        let dm = try directChannel(with: userID)
        #expect(
            poll(timeout: 5) {
                try contents(of: dm).contains { $0.contains("Secret plans.txt") && $0.contains("/files/\(fileID)/download") }
            },
            "\((try? contents(of: dm)) ?? []) \(bot.errorOutput.suffix(1500))")
        try say("<@\(botID)> download secret", in: channel, guild: guildID, from: userID)
        #expect(poll(timeout: 5) { try contents(of: dm).filter { $0.contains("/files/\(fileID)/download") }.count == 2 })
        #expect(poll(timeout: 5) { try contents(of: channel).count == before + 2 })

        let inChannel = try contents(of: channel)
        #expect(inChannel.filter { $0.contains("I sent you a DM") }.count == 2, "\(inChannel)")
        #expect(!inChannel.contains { $0.contains("Secret") || $0.contains("plans") || $0.contains("/files/") }, "\(inChannel)")

        let interaction = try slashCommand("list", as: userID)
        #expect(poll(timeout: 3) { try response(to: interaction) != nil })
        let data = try #require(try response(to: interaction)?["data"] as? [String: Any])
        #expect("\(data)".contains("Secret plans.txt"))
        #expect(data["flags"] as? Int == 64, "a slash command's answer must be ephemeral: \(data)")

        // A user who takes no DMs from server members: Discord refuses the DM with 50007.
        try sandbox.fault(
            method: "POST", path: "/api/v10/channels/\(dm)/messages", status: 403,
            body: #"{"message":"Cannot send messages to this user","code":50007}"#)
        try say("<@\(botID)> list", in: channel, guild: guildID, from: userID)
        #expect(
            poll(timeout: 5) { try contents(of: channel).contains { $0.hasPrefix("I could not send you a DM") && $0.contains("`/list`") } },
            "\((try? contents(of: channel)) ?? [])")
        #expect(try !contents(of: channel).contains { $0.contains("Secret") || $0.contains("/files/") })
    }

    @Test func messagesAndInteractionsFromAnotherGuildGetNoAnswer() throws {
        let bot = try startBotWithCommands(["LOG_LEVEL": "debug"])
        try sandbox.clearRequests()
        let foreignGuild = "400000000000000004", foreignChannel = "400000000000000010", foreignInteraction = "400000000000000099"
        try say("<@\(botID)> help", in: foreignChannel, guild: foreignGuild, from: Self.bob)
        try sandbox.send(
            "POST", "/_sandbox/gateway/dispatch",
            json: """
                {"t":"INTERACTION_CREATE","d":{"id":"\(foreignInteraction)","token":"foreign-token","type":2,"application_id":"\(botID)",
                 "guild_id":"\(foreignGuild)","channel_id":"\(foreignChannel)","member":{"user":{"id":"\(Self.bob)","username":"bob"}},
                 "data":{"id":"1","name":"help","type":1}}}
                """)

        // Answered in order after the foreign ones: once these are answered, the foreign ones were seen.
        let dm = try directChannel(with: Self.bob)
        try say("help", in: dm, guild: nil, from: Self.bob, mentioningTheBot: false)
        let local = try slashCommand("help", as: Self.bob)
        #expect(poll(timeout: 5) { try contents(of: dm).contains { $0.hasPrefix("I keep files") } && response(to: local) != nil })

        let paths = try sandbox.requestedPaths()
        #expect(!paths.contains { $0.contains(foreignChannel) || $0.contains(foreignInteraction) }, "\(paths)")
        #expect(bot.errorOutput.contains("ignored: not from this server"), "\(bot.errorOutput.suffix(2000))")
    }

    @Test func theSixthCommandWithinTenSecondsIsAskedToSlowDownAndOthersAreNotKeptWaiting() throws {
        let bot = try startBotWithCommands()
        let channel = textChannels[2]
        for _ in 0..<8 { try say("<@\(botID)> help", in: channel, guild: guildID, from: Self.ann) }
        // Bob's slash command while Ann's answers wait for the channel's rate limit (5 messages per 5 s).
        let bobs = try slashCommand("help", as: Self.bob)
        #expect(poll(timeout: 3) { try response(to: bobs) != nil }, "Bob's slash command waited behind Ann's spam")
        #expect(try sandbox.browser.get("/_sandbox/interactions/\(bobs)").json?["acknowledged"] as? Bool == true)

        #expect(
            poll(timeout: 12) { try contents(of: channel).count == 6 },
            "\((try? contents(of: channel)) ?? []) \(bot.errorOutput.suffix(1500))")
        Thread.sleep(forTimeInterval: 0.5)
        let answers = try contents(of: channel)
        #expect(answers.filter { $0.hasPrefix("I keep files") }.count == 5, "\(answers)")
        let slowDown = answers.filter { $0.contains("Slow down") }
        #expect(slowDown.count == 1, "\(answers)")
        let seconds = slowDown.first.flatMap { $0.split(separator: " ").compactMap { Int($0) }.first }
        #expect(seconds.map { (1...10).contains($0) } == true, "\(slowDown)")
    }
}
