import JSONSupport

/// A reply's `message_reference` (docs: `resources/message` "Message Reference Structure", "Replies"): as
/// sent, only `message_id` is required; `fail_if_not_exists` (default true) refuses a reply to a message that
/// does not exist instead of sending a plain message. Forwards (`type` 1) are not modelled and refused.
struct MessageReference: Sendable {
    let messageID: String
    /// The referenced message's channel; a reply's is its own.
    let channelID: String?
    let guildID: String?
    let failIfNotExists: Bool

    /// Reads `message_reference` of a create-message payload.
    init(requested json: JSON) throws(HTTPError) {
        guard case .object = json else {
            throw HTTPError.invalidFormBody(
                field: "message_reference", code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType")
        }
        guard (json["type"]?.wholeNumber ?? 0) == 0 else {
            throw HTTPError.invalidFormBody(
                path: ["message_reference", "type"], code: "ENUM_TYPE_COERCE", message: "The sandbox only models replies (type 0).")
        }
        guard case .string(let messageID)? = json["message_id"], Snowflake.value(messageID) != nil else {
            throw HTTPError.invalidFormBody(
                path: ["message_reference", "message_id"], code: "NUMBER_TYPE_COERCE", message: "Value is not snowflake.")
        }
        self.messageID = messageID
        channelID = json["channel_id"]?.string
        guildID = json["guild_id"]?.string
        failIfNotExists = json["fail_if_not_exists"]?.bool ?? true
    }

    /// A reply to a message found in `channel`, as stored and sent.
    init(replyTo messageID: String, in channel: SandboxChannel, guildID: String) {
        self.messageID = messageID
        channelID = channel.id
        self.guildID = channel.isDirect ? nil : guildID
        failIfNotExists = true
    }

    /// The reference of a reply, in `channel`: `nil` when the message is not there and the request allows a
    /// plain message; 50035 when it does not.
    func resolved(in channel: SandboxChannel, guildID: String, store: ChannelStore) throws(HTTPError) -> MessageReference? {
        if (channelID ?? channel.id) == channel.id, store.message(id: messageID, in: channel.id) != nil {
            return MessageReference(replyTo: messageID, in: channel, guildID: guildID)
        }
        guard failIfNotExists else { return nil }
        throw HTTPError.invalidFormBody(field: "message_reference", code: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", message: "Unknown message")
    }

    var json: JSON {
        var fields: [(String, JSON)] = [("type", 0), ("channel_id", channelID.json), ("message_id", .string(messageID))]
        if let guildID { fields.append(("guild_id", .string(guildID))) }
        return .object(fields)
    }
}
