import JSONSupport

/// Where a chat message came from: the Discord user, the channel to answer in and the message to reply to
/// (nil for a slash command, which has none).
public struct ChatOrigin: Sendable, Equatable {
    public let discordID: String
    public let channelID: String
    public let messageID: String?

    public init(discordID: String, channelID: String, messageID: String?) {
        self.discordID = discordID
        self.channelID = channelID
        self.messageID = messageID
    }

    var fields: [(String, JSON)] {
        [("discord_id", .string(discordID)), ("channel_id", .string(channelID)), ("message_id", messageID.map(JSON.string) ?? .null)]
    }

    init?(_ payload: JSON) {
        guard let discordID = payload["discord_id"]?.string, let channelID = payload["channel_id"]?.string else { return nil }
        self.init(discordID: discordID, channelID: channelID, messageID: payload["message_id"]?.string)
    }
}

/// `chat.reply`: the user's message is stored as `userMessageID` of `conversationID`; the reply answers
/// the conversation up to it.
public struct ChatReplyRequest: Sendable, Equatable {
    public let origin: ChatOrigin
    public let conversationID: Int
    public let userMessageID: Int

    public var discordID: String { origin.discordID }

    public init(origin: ChatOrigin, conversationID: Int, userMessageID: Int) {
        self.origin = origin
        self.conversationID = conversationID
        self.userMessageID = userMessageID
    }

    var payload: JSON {
        .object(origin.fields + [("conversation_id", .int(conversationID)), ("user_message_id", .int(userMessageID))])
    }

    init?(_ payload: JSON) {
        guard let origin = ChatOrigin(payload), let conversationID = payload["conversation_id"]?.integer,
            let userMessageID = payload["user_message_id"]?.integer
        else { return nil }
        self.init(origin: origin, conversationID: conversationID, userMessageID: userMessageID)
    }
}

/// `chat.image`: a picture of `prompt`, posted in reply to the message that asked.
public struct ChatImageRequest: Sendable, Equatable {
    public let origin: ChatOrigin
    public let prompt: String

    public var discordID: String { origin.discordID }

    public init(origin: ChatOrigin, prompt: String) {
        self.origin = origin
        self.prompt = prompt
    }

    var payload: JSON {
        .object(origin.fields + [("prompt", .string(prompt))])
    }

    init?(_ payload: JSON) {
        guard let origin = ChatOrigin(payload), let prompt = payload["prompt"]?.string else { return nil }
        self.init(origin: origin, prompt: prompt)
    }
}
