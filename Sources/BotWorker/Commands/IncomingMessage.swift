import Foundation
import JSONSupport

/// A MESSAGE_CREATE from a person (discord-api-docs `events/gateway-events` "Message Create"): never the
/// bot's own messages or another bot's.
struct IncomingMessage: Sendable, Equatable {
    let id: String
    let channelID: String
    /// nil in a DM.
    let guildID: String?
    let authorID: String
    let authorUsername: String
    /// The text with mentions of the bot taken out.
    let text: String
    let mentionsBot: Bool

    var isDirect: Bool { guildID == nil }

    init?(_ data: JSON, botID: String) {
        guard data["author"]?["bot"]?.bool != true, let authorID = data["author"]?["id"]?.string, authorID != botID,
            let channelID = data["channel_id"]?.string, let id = data["id"]?.string
        else { return nil }
        self.id = id
        self.channelID = channelID
        self.authorID = authorID
        authorUsername = data["author"]?["username"]?.string ?? authorID
        guildID = data["guild_id"]?.string
        mentionsBot = (data["mentions"]?.array ?? []).contains { $0["id"]?.string == botID }
        var text = data["content"]?.string ?? ""
        for mention in ["<@\(botID)>", "<@!\(botID)>"] { text = text.replacingOccurrences(of: mention, with: " ") }
        self.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
