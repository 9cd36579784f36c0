import DiscordKit
import Foundation
import JSONSupport
import Logging
import Store
import Synchronization

/// What the bot answers to, in a DM, when mentioned, or as a slash command.
enum BotCommand: String, CaseIterable {
    case help, upload, list, download

    var summary: String {
        switch self {
        case .help: return "What I can do"
        case .upload: return "How to store a file"
        case .list: return "Your stored files"
        case .download: return "A download link for one of your files"
        }
    }

    /// Answers that name a user's files: never posted in a guild channel, only in a DM or ephemerally.
    var isPrivate: Bool { self == .list || self == .download }

    /// The command in a message: the first word after any mention of the bot, or nil.
    static func parse(_ content: String, botID: String) -> (BotCommand, argument: String)? {
        var text = content
        for mention in ["<@\(botID)>", "<@!\(botID)>"] { text = text.replacingOccurrences(of: mention, with: " ") }
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if words.first?.hasPrefix("!") == true || words.first?.hasPrefix("/") == true { words[0].removeFirst() }
        guard let first = words.first, let command = BotCommand(rawValue: first.lowercased()) else { return nil }
        return (command, words.dropFirst().joined(separator: " "))
    }

    /// Slash command definitions for `PUT /applications/{id}/commands`.
    static var definitions: JSON {
        .array(
            allCases.map { command in
                var definition: [(String, JSON)] = [
                    ("name", .string(command.rawValue)), ("description", .string(command.summary)), ("type", 1),
                ]
                if command == .download {
                    definition.append(("options", [["type": 3, "name": "file", "description": "The file's name or id", "required": true]]))
                }
                return .object(definition)
            })
    }
}

/// Answers commands from MESSAGE_CREATE and INTERACTION_CREATE in the configured guild and in DMs, on
/// lanes of its own, so the gateway's reader never waits for the database or REST calls. Messages and
/// slash commands have a lane each: an interaction must be answered within 3 s, whatever the channels'
/// rate limits do to message answers. Each user gets `limit` commands per `window`; the rest are dropped
/// before they reach a lane.
final class BotCommands: @unchecked Sendable {
    static let limit = 5
    static let window = Duration.seconds(10)

    private let messages: CommandLane
    private let interactions: CommandLane
    private let limiter = Mutex(CommandLimiter(limit: limit, window: window))
    private let guildID: String
    private let baseURL: String
    private let logger: Logger

    init(setup: BotSetup, logger: Logger) {
        messages = CommandLane("messages", setup: setup, logger: logger)
        interactions = CommandLane("interactions", setup: setup, logger: logger)
        guildID = setup.guildID
        baseURL = setup.config.webAppBaseURL
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

    /// A message in a DM or mentioning the bot, from someone other than a bot. `list` and `download` in a
    /// guild channel are answered by DM; the channel only hears that a DM was sent.
    func message(_ data: JSON, botID: String) {
        guard data["author"]?["bot"]?.bool != true, let authorID = data["author"]?["id"]?.string, authorID != botID,
            let channelID = data["channel_id"]?.string, let messageID = data["id"]?.string
        else { return }
        let guild = data["guild_id"]?.string
        if let guild, guild != guildID {
            logger.debug("message ignored: not from this server", metadata: ["guild_id": "\(guild)", "channel_id": "\(channelID)"])
            return
        }
        let mentioned = (data["mentions"]?.array ?? []).contains { $0["id"]?.string == botID }
        guard guild == nil || mentioned, let (command, argument) = BotCommand.parse(data["content"]?.string ?? "", botID: botID) else {
            return
        }
        switch admit(authorID, command) {
        case .run:
            messages.async { [self] db, discord in
                let reply = answer(command, argument: argument, discordID: authorID, db: db)
                if guild != nil, command.isPrivate {
                    let notice =
                        sendDirectMessage(reply, to: authorID, discord)
                        ? "I sent you a DM."
                        : "I could not send you a DM: allow direct messages from server members, or use `/\(command.rawValue)`, which answers only you."
                    post(notice, in: channelID, replyingTo: messageID, discord)
                } else {
                    post(reply, in: channelID, replyingTo: messageID, discord)
                }
            }
        case .slowDown(let seconds):
            messages.async { [self] _, discord in post(Self.slowDown(seconds), in: channelID, replyingTo: messageID, discord) }
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
        interactions.async { [self] db, discord in
            let reply =
                if case .slowDown(let seconds) = admission { Self.slowDown(seconds) } else {
                    answer(command, argument: slash.argument, discordID: slash.userID, db: db)
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
        var message: [(String, JSON)] = [("content", .string(content)), ("allowed_mentions", ["parse": []])]
        if let messageID { message.append(("message_reference", ["message_id": .string(messageID), "fail_if_not_exists": false])) }
        do {
            try discord.send(Route(.post, "/channels/\(channelID)/messages"), body: .json(JSON.object(message)))
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
            try discord.send(
                Route(.post, "/channels/\(channelID)/messages"),
                body: .json(
                    JSON.object([
                        ("content", .string(content)), ("allowed_mentions", ["parse": []]),
                    ])))
            return true
        } catch {
            logger.notice("cannot send a DM", metadata: ["user_id": "\(userID)", "error": "\(error)"])
            return false
        }
    }

    func answer(_ command: BotCommand, argument: String, discordID: String, db: PostgresConnection) -> String {
        switch command {
        case .help:
            return "I keep files for this server. Commands (in a DM, by mentioning me, or as slash commands; "
                + "`list` and `download` mentioned in a channel answer by DM):\n"
                + BotCommand.allCases.map { "• `\($0.rawValue)`: \($0.summary)" }.joined(separator: "\n")
        case .upload:
            return "Upload at \(baseURL)/files (log in with Discord there). Files are encrypted before they are stored."
        case .list, .download:
            do {
                guard let user = try UserStore(db).user(discordID: discordID) else {
                    return "Your Discord account is not linked yet: log in at \(baseURL)/login, then ask again."
                }
                let files = try FileStore(db).list(ownerUserID: user.id, limit: 100).filter { $0.state == .complete }
                return command == .list ? Self.listing(files, baseURL: baseURL) : Self.link(to: argument, in: files, baseURL: baseURL)
            } catch {
                logger.error("command lookup failed", metadata: ["error": "\(error)"])
                return "I cannot reach my database right now; try again in a minute."
            }
        }
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
