import DiscordKit
import Foundation
import JSONSupport
import Logging
import Store

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
        .array(allCases.map { command in
            var definition: [(String, JSON)] = [("name", .string(command.rawValue)), ("description", .string(command.summary)), ("type", 1)]
            if command == .download {
                definition.append(("options", [["type": 3, "name": "file", "description": "The file's name or id", "required": true]]))
            }
            return .object(definition)
        })
    }
}

/// Answers commands from MESSAGE_CREATE and INTERACTION_CREATE on a serial queue of its own, so the
/// gateway's reader never waits for the database or REST calls.
final class BotCommands: @unchecked Sendable {
    private let queue = DispatchQueue(label: "guildgate.bot-commands")
    /// Used on `queue` only.
    private let db: PostgresConnection
    private let discord: DiscordClient
    private let baseURL: String
    private let logger: Logger

    init(setup: BotSetup, logger: Logger) {
        db = PostgresConnection(url: setup.config.databaseURL)
        discord = setup.discord(logger: logger)
        baseURL = setup.config.webAppBaseURL
        self.logger = logger
    }

    /// Registers the slash commands (a bulk overwrite: running it on every start is idempotent).
    func register(applicationID: String) {
        queue.async { [self] in
            do {
                try discord.send(Route(.put, "/applications/\(applicationID)/commands"), body: .json(BotCommand.definitions))
                logger.info("slash commands registered", metadata: ["commands": "\(BotCommand.allCases.count)"])
            } catch {
                logger.error("cannot register slash commands", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A message in a DM or mentioning the bot, from someone other than a bot.
    func message(_ data: JSON, botID: String) {
        guard data["author"]?["bot"]?.bool != true, let authorID = data["author"]?["id"]?.string, authorID != botID,
              let channelID = data["channel_id"]?.string, let messageID = data["id"]?.string
        else { return }
        let isDM = data["guild_id"] == nil
        let mentioned = (data["mentions"]?.array ?? []).contains { $0["id"]?.string == botID }
        guard isDM || mentioned, let (command, argument) = BotCommand.parse(data["content"]?.string ?? "", botID: botID) else { return }
        queue.async { [self] in
            let reply = answer(command, argument: argument, discordID: authorID)
            do {
                try discord.send(Route(.post, "/channels/\(channelID)/messages"), body: .json(JSON.object([
                    ("content", .string(reply)), ("allowed_mentions", ["parse": []]),
                    ("message_reference", ["message_id": .string(messageID), "fail_if_not_exists": false]),
                ])))
            } catch {
                logger.error("cannot answer a command", metadata: ["command": "\(command.rawValue)", "error": "\(error)"])
            }
        }
    }

    /// A slash command: answered within Discord's 3 s, visible to the invoker only.
    func interaction(_ data: JSON) {
        guard data["type"]?.integer == 2, let id = data["id"]?.string, let token = data["token"]?.string,
              let name = data["data"]?["name"]?.string, let command = BotCommand(rawValue: name),
              let userID = data["member"]?["user"]?["id"]?.string ?? data["user"]?["id"]?.string
        else { return }
        let argument = data["data"]?["options"]?.array?.first { $0["name"]?.string == "file" }?["value"]?.string ?? ""
        queue.async { [self] in
            let reply = answer(command, argument: argument, discordID: userID)
            do {
                try discord.send(Route(.post, "/interactions/\(id)/\(token)/callback"), body: .json(JSON.object([
                    ("type", 4), ("data", ["content": .string(reply), "flags": 64, "allowed_mentions": ["parse": []]]),
                ])), authorization: .none)
            } catch {
                logger.error("cannot answer an interaction", metadata: ["command": "\(command.rawValue)", "error": "\(error)"])
            }
        }
    }

    func answer(_ command: BotCommand, argument: String, discordID: String) -> String {
        switch command {
        case .help:
            return "I keep files for this server. Commands (in a DM, by mentioning me, or as slash commands):\n"
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
        guard let file = files.first(where: { String($0.id) == wanted }) ?? files.first(where: { $0.name.lowercased() == wanted.lowercased() })
            ?? files.first(where: { $0.name.lowercased().hasPrefix(wanted.lowercased()) })
        else { return "You have no file called \(Self.safe(wanted)). `list` shows your files." }
        return "\(Self.safe(file.name)): \(baseURL)/files/\(file.id)/download (log in with Discord to download)"
    }

    /// A user-chosen name inside a Discord message: no markdown or mentions can come out of it.
    static func safe(_ text: String) -> String {
        String(text.prefix(100)).map { "\\*_~`|>@#<[]()".contains($0) ? "\\\($0)" : String($0) }.joined()
    }
}
