import DiscordKit
import Foundation
import JSONSupport
import Logging
import Store
import Synchronization

/// Answers commands and chat from MESSAGE_CREATE and INTERACTION_CREATE in the configured guild and in DMs,
/// on lanes of its own, so the gateway's reader never waits for the database or REST calls. Messages and
/// slash commands have a lane each: an interaction must be answered within 3 s, whatever the channels'
/// rate limits do to message answers. Each user gets `limit` commands per `window`; the rest are dropped
/// before they reach a lane.
final class BotCommands: @unchecked Sendable {
    static let limit = 5
    static let window = Duration.seconds(10)

    private let messages: CommandLane
    private let interactions: CommandLane
    private let limiter = Mutex(CommandLimiter(limit: limit, window: window))
    private let chat: ChatRelay
    private let chatLimiter: Mutex<CommandLimiter>
    private let guildID: String
    private let baseURL: String
    private let logger: Logger

    init(setup: BotSetup, logger: Logger) {
        messages = CommandLane("messages", setup: setup, logger: logger)
        interactions = CommandLane("interactions", setup: setup, logger: logger)
        guildID = setup.guildID
        baseURL = setup.config.webAppBaseURL
        chat = ChatRelay(config: setup.config.chat, bypassAuth: setup.config.bypassAuth, baseURL: baseURL, logger: logger)
        chatLimiter = Mutex(CommandLimiter(limit: setup.config.chat.messagesPerMinute, window: .seconds(60)))
        self.logger = logger
    }

    /// Registers the slash commands (a bulk overwrite: running it on every start is idempotent).
    func register(applicationID: String) {
        messages.async { [self] _, discord in
            do {
                try discord.send(Route(.put, "/applications/\(applicationID)/commands"), body: .json(BotCommand.definitions))
                logger.info("slash commands registered", metadata: ["commands": "\(BotCommand.allCases.count)"])
            } catch {
                logger.error("cannot register slash commands", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A message from someone other than a bot: a command when it is a DM or mentions the bot, else chat
    /// when the relay hears it. `list`, `download` and `aisync` in a guild channel are answered by DM; the
    /// channel only hears that a DM was sent.
    func message(_ data: JSON, botID: String) {
        guard let message = IncomingMessage(data, botID: botID) else { return }
        if let guild = message.guildID, guild != guildID {
            logger.debug("message ignored: not from this server", metadata: ["guild_id": "\(guild)", "channel_id": "\(message.channelID)"])
            return
        }
        if message.isDirect || message.mentionsBot, let (command, argument) = BotCommand.parse(message.text, botID: botID) {
            run(command, argument: argument, from: message)
        } else if chat.hears(message) {
            relay(message)
        }
    }

    private func run(_ command: BotCommand, argument: String, from message: IncomingMessage) {
        let caller = CommandCaller(
            discordID: message.authorID, username: message.authorUsername, channelID: message.channelID, messageID: message.id,
            inGuildChannel: !message.isDirect)
        switch admit(message.authorID, command) {
        case .run:
            messages.async { [self] db, discord in
                let reply = answer(command, argument: argument, caller: caller, db: db)
                if !message.isDirect, command.isPrivate {
                    let notice =
                        sendDirectMessage(reply, to: message.authorID, discord)
                        ? "I sent you a DM."
                        : "I could not send you a DM: allow direct messages from server members, or use `/\(command.rawValue)`, which answers only you."
                    post(notice, in: message.channelID, replyingTo: message.id, discord)
                } else {
                    post(reply, in: message.channelID, replyingTo: message.id, discord)
                }
            }
        case .slowDown(let seconds):
            messages.async { [self] _, discord in post(Self.slowDown(seconds), in: message.channelID, replyingTo: message.id, discord) }
        case .ignore:
            break
        }
    }

    /// A chat message: recorded and its reply queued on the messages lane, within the user's chat limit.
    private func relay(_ message: IncomingMessage) {
        let admission = chatLimiter.withLock { $0.admit(message.authorID, at: .now) }
        switch admission {
        case .run:
            messages.async { [self] db, discord in
                do {
                    if let answer = try chat.converse(message, db: db) {
                        post(answer, in: message.channelID, replyingTo: message.id, discord)
                    }
                } catch {
                    logger.error("cannot record a chat message", metadata: ["error": "\(error)"])
                    post(Self.databaseDown, in: message.channelID, replyingTo: message.id, discord)
                }
            }
        case .slowDown(let seconds):
            logger.debug("chat over the limit", metadata: ["user_id": "\(message.authorID)"])
            let limit = chatLimiter.withLock { $0.limit }
            messages.async { [self] _, discord in
                post(
                    "I can only keep up with \(limit) messages a minute from each person. Give me \(seconds) s, then go on.",
                    in: message.channelID, replyingTo: message.id, discord)
            }
        case .ignore:
            break
        }
    }

    /// A slash command in the guild or a DM: answered within Discord's 3 s, visible to the invoker only.
    func interaction(_ data: JSON) {
        guard let slash = SlashCommand(data) else { return }
        let command = slash.command
        if let guild = slash.guildID, guild != guildID {
            logger.debug("interaction ignored: not from this server", metadata: ["guild_id": "\(guild)", "command": "\(command.rawValue)"])
            return
        }
        let admission = admit(slash.userID, command)
        guard admission != .ignore else { return }
        let caller = CommandCaller(
            discordID: slash.userID, username: slash.username, channelID: slash.channelID, messageID: nil, inGuildChannel: false)
        interactions.async { [self] db, discord in
            let reply =
                if case .slowDown(let seconds) = admission { Self.slowDown(seconds) } else {
                    answer(command, argument: slash.argument, caller: caller, db: db)
                }
            do {
                try discord.send(
                    Route(.post, "/interactions/\(slash.id)/\(slash.token)/callback"),
                    body: .json(
                        JSON.object([
                            ("type", 4), ("data", ["content": .string(reply), "flags": 64, "allowed_mentions": ["parse": []]]),
                        ])), authorization: .none)
            } catch {
                logger.error("cannot answer an interaction", metadata: ["command": "\(command.rawValue)", "error": "\(error)"])
            }
        }
    }

    private func admit(_ userID: String, _ command: BotCommand) -> CommandLimiter.Admission {
        let admission = limiter.withLock { $0.admit(userID, at: .now) }
        if admission != .run {
            logger.debug("command over the limit", metadata: ["user_id": "\(userID)", "command": "\(command.rawValue)"])
        }
        return admission
    }

    static func slowDown(_ seconds: Int) -> String {
        "Slow down: I answer \(limit) commands per \(window.components.seconds) s per person. Try again in \(seconds) s."
    }

    private func post(_ content: String, in channelID: String, replyingTo messageID: String?, _ discord: DiscordClient) {
        do {
            try discord.sendMessage(content, channelID: channelID, replyingTo: messageID)
        } catch {
            logger.error("cannot answer a command", metadata: ["channel_id": "\(channelID)", "error": "\(error)"])
        }
    }

    /// Opens (or finds) the DM channel with the user and posts there; false when Discord refuses, for
    /// example because the user does not take DMs from server members.
    private func sendDirectMessage(_ content: String, to userID: String, _ discord: DiscordClient) -> Bool {
        do {
            let opened = try discord.send(Route(.post, "/users/@me/channels"), body: .json(["recipient_id": .string(userID)]))
            guard let channelID = JSON.parse(opened.body)?["id"]?.string else {
                throw DiscordError.invalidResponse(status: opened.status, reason: "POST /users/@me/channels returned no channel id")
            }
            try discord.sendMessage(content, channelID: channelID)
            return true
        } catch {
            logger.notice("cannot send a DM", metadata: ["user_id": "\(userID)", "error": "\(error)"])
            return false
        }
    }

    static let databaseDown = "I cannot reach my database right now; try again in a minute."

    func answer(_ command: BotCommand, argument: String, caller: CommandCaller, db: PostgresConnection) -> String {
        do {
            switch command {
            case .help:
                return help
            case .upload:
                return "Upload at \(baseURL)/files (log in with Discord there). Files are encrypted before they are stored."
            case .list, .download:
                guard let user = try UserStore(db).user(discordID: caller.discordID) else {
                    return "Your Discord account is not linked yet: log in at \(baseURL)/login, then ask again."
                }
                let files = try FileStore(db).list(ownerUserID: user.id, limit: 100).filter { $0.state == .complete }
                return command == .list ? Self.listing(files, baseURL: baseURL) : Self.link(to: argument, in: files, baseURL: baseURL)
            case .login:
                return try chat.login(code: argument, caller: caller, db: db, now: Date())
            case .reset:
                return try chat.reset(discordID: caller.discordID, db: db)
            case .aisync:
                return try chat.syncStatus(discordID: caller.discordID, db: db)
            case .image:
                return try chat.image(prompt: argument, caller: caller, db: db)
            }
        } catch {
            logger.error("command failed", metadata: ["command": "\(command.rawValue)", "error": "\(error)"])
            return Self.databaseDown
        }
    }

    private var help: String {
        let chatting = chat.config.isEnabled ? ", and I chat: DM me or mention me" : ""
        return "I keep files for this server\(chatting). Commands (in a DM, by mentioning me, or as slash commands; "
            + "`list`, `download` and `aisync` mentioned in a channel answer by DM):\n"
            + BotCommand.allCases.map { "• `\($0.rawValue)`: \($0.summary)" }.joined(separator: "\n")
    }

    static func listing(_ files: [StoredFile], baseURL: String) -> String {
        guard !files.isEmpty else { return "You have no stored files. Upload one at \(baseURL)/files." }
        let lines = files.prefix(10).map { "• \($0.id): \(Self.safe($0.name)) (\($0.size) bytes) \(baseURL)/files/\($0.id)/download" }
        let more = files.count > 10 ? "\n…and \(files.count - 10) more at \(baseURL)/files" : ""
        return "Your files:\n" + lines.joined(separator: "\n") + more
    }

    static func link(to argument: String, in files: [StoredFile], baseURL: String) -> String {
        let wanted = argument.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return "Which file? Say `download <name or id>`; `list` shows them." }
        guard
            let file = files.first(where: { String($0.id) == wanted }) ?? files.first(where: { $0.name.lowercased() == wanted.lowercased() }
            )
                ?? files.first(where: { $0.name.lowercased().hasPrefix(wanted.lowercased()) })
        else { return "You have no file called \(Self.safe(wanted)). `list` shows your files." }
        return "\(Self.safe(file.name)): \(baseURL)/files/\(file.id)/download (log in with Discord to download)"
    }

    /// A user-chosen name inside a Discord message: no markdown or mentions can come out of it.
    static func safe(_ text: String) -> String {
        String(text.prefix(100)).map { "\\*_~`|>@#<[]()".contains($0) ? "\\\($0)" : String($0) }.joined()
    }
}
