import Foundation
import JSONSupport

/// What the bot answers to, in a DM, when mentioned, or as a slash command.
enum BotCommand: String, CaseIterable {
    case help, upload, list, download, login, reset, aisync, image

    var summary: String {
        switch self {
        case .help: return "What I can do"
        case .upload: return "How to store a file"
        case .list: return "Your stored files"
        case .download: return "A download link for one of your files"
        case .login: return "Link your Discord account with the code from onboarding"
        case .reset: return "Start a new conversation with me"
        case .aisync: return "Your conversations synced with the app"
        case .image: return "Draw a picture"
        }
    }

    /// The command's one option, for its slash definition and to read an interaction: name and description.
    var option: (name: String, description: String)? {
        switch self {
        case .download: return ("file", "The file's name or id")
        case .login: return ("code", "The verification code onboarding gave you")
        case .image: return ("prompt", "What to draw")
        default: return nil
        }
    }

    /// Answers that name a user's files or conversations: never posted in a guild channel, only in a DM or
    /// ephemerally.
    var isPrivate: Bool { [.list, .download, .aisync].contains(self) }

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
                if let option = command.option {
                    definition.append(
                        (
                            "options",
                            [["type": 3, "name": .string(option.name), "description": .string(option.description), "required": true]]
                        ))
                }
                return .object(definition)
            })
    }
}
