import JSONSupport
/// A channel messages can be posted to: one of the guild's text channels, or a DM channel with one user.
struct SandboxChannel: Sendable {
    enum Kind: Sendable {
        case guildText(position: Int)
        case directMessage(recipient: SandboxUser)
    }

    let id: String
    let kind: Kind

    var isDirect: Bool {
        if case .directMessage = kind { true } else { false }
    }

    /// The channel type: 0 GUILD_TEXT, 1 DM.
    var type: Int { isDirect ? 1 : 0 }

    /// The channel object; `guildID` is left out inside GUILD_CREATE, as Discord does.
    func json(guildID: String?, lastMessageID: String?, overwrites: JSON = []) -> JSON {
        switch kind {
        case .guildText(let position):
            var fields: [(String, JSON)] = [("id", .string(id)), ("type", 0)]
            if let guildID { fields.append(("guild_id", .string(guildID))) }
            fields += [
                ("name", .string("sandbox-\(position + 1)")),
                ("position", .int(position)),
                ("permission_overwrites", overwrites),
                ("topic", .null),
                ("nsfw", false),
                ("last_message_id", lastMessageID.json),
                ("rate_limit_per_user", 0),
                ("parent_id", .null),
                ("flags", 0),
            ]
            return .object(fields)
        case .directMessage(let recipient):
            return [
                "id": .string(id),
                "type": 1,
                "last_message_id": lastMessageID.json,
                "flags": 0,
                "recipients": [recipient.publicJSON],
            ]
        }
    }
}

/// Where messages and paging start (`GET /channels/{id}/messages`, docs: `resources/message` "Get Channel Message").
enum MessagePageAnchor: Sendable {
    case latest
    case before(UInt64)
    case after(UInt64)
    case around(UInt64)
}

/// The channels, the messages posted to them and their attachments' bytes, all in memory.
struct ChannelStore: Sendable {
    /// Discord's default per-file limit (docs: `resources/message` "Create Message"); the control API changes it.
    static let defaultAttachmentSizeLimit = 10 * 1024 * 1024
    /// How long `enforce_nonce` finds an earlier message with the same nonce ("the past few minutes").
    static let nonceWindow = Duration.seconds(300)

    private struct AttachmentLocation {
        let channelID: String
        let messageID: String
        let index: Int
    }

    private struct NonceKey: Hashable {
        let authorID: String
        let nonce: String
    }

    private struct NonceRecord {
        let channelID: String
        let messageID: String
        let expiresAt: ContinuousClock.Instant
    }

    /// The largest file a message may carry, inclusive.
    var attachmentSizeLimit = ChannelStore.defaultAttachmentSizeLimit
    private var channels: [String: SandboxChannel] = [:]
    private var directChannelIDsByRecipient: [String: String] = [:]
    /// Oldest first; ids increase, so this is also id order.
    private var messagesByChannel: [String: [SandboxMessage]] = [:]
    private var attachmentLocations: [String: AttachmentLocation] = [:]
    private var nonces: [NonceKey: NonceRecord] = [:]
    /// Typing indicators the bot triggered, by channel.
    private var typingCounts: [String: Int] = [:]

    init(textChannelIDs: [String]) {
        for (position, id) in textChannelIDs.enumerated() {
            channels[id] = SandboxChannel(id: id, kind: .guildText(position: position))
        }
    }

    func channel(id: String) -> SandboxChannel? {
        channels[id]
    }

    /// The text channels in order, then the DM channels, oldest first.
    var allChannels: [SandboxChannel] {
        channels.values.sorted { first, second in
            switch (first.kind, second.kind) {
            case (.guildText(let firstPosition), .guildText(let secondPosition)): firstPosition < secondPosition
            case (.guildText, .directMessage): true
            case (.directMessage, .guildText): false
            case (.directMessage, .directMessage): (Snowflake.value(first.id) ?? 0) < (Snowflake.value(second.id) ?? 0)
            }
        }
    }

    func directChannel(with recipientID: String) -> SandboxChannel? {
        directChannelIDsByRecipient[recipientID].flatMap { channels[$0] }
    }

    mutating func openDirectChannel(id: String, with recipient: SandboxUser) -> SandboxChannel {
        let channel = SandboxChannel(id: id, kind: .directMessage(recipient: recipient))
        channels[id] = channel
        directChannelIDsByRecipient[recipient.id] = id
        return channel
    }

    // MARK: - Typing

    mutating func recordTyping(in channelID: String) {
        typingCounts[channelID, default: 0] += 1
    }

    func typingCount(in channelID: String) -> Int {
        typingCounts[channelID, default: 0]
    }

    // MARK: - Messages

    /// Oldest first.
    func messages(in channelID: String) -> [SandboxMessage] {
        messagesByChannel[channelID] ?? []
    }

    func message(id: String, in channelID: String) -> SandboxMessage? {
        index(ofMessage: id, in: channelID).flatMap { messagesByChannel[channelID]?[$0] }
    }

    private func index(ofMessage id: String, in channelID: String) -> Int? {
        guard let number = Snowflake.value(id), let list = messagesByChannel[channelID] else { return nil }
        let index = Self.firstIndex(in: list) { $0.number >= number }
        return index < list.count && list[index].number == number ? index : nil
    }

    func lastMessageID(in channelID: String) -> String? {
        messagesByChannel[channelID]?.last?.id
    }

    /// Up to `limit` messages, newest first, like Discord.
    func page(in channelID: String, from anchor: MessagePageAnchor, limit: Int) -> [SandboxMessage] {
        let list = messagesByChannel[channelID] ?? []
        switch anchor {
        case .latest:
            return list.suffix(limit).reversed()
        case .before(let number):
            return list[..<Self.firstIndex(in: list) { $0.number >= number }].suffix(limit).reversed()
        case .after(let number):
            return list[Self.firstIndex(in: list) { $0.number > number }...].prefix(limit).reversed()
        case .around(let number):
            let middle = Self.firstIndex(in: list) { $0.number >= number }
            let newer = list[middle...].prefix(limit - limit / 2)
            let older = list[..<middle].suffix(limit / 2)
            return (older + newer).reversed()
        }
    }

    /// The message the author posted with this nonce within the nonce window, if it still exists.
    func message(withNonce nonce: String, by authorID: String, now: ContinuousClock.Instant) -> SandboxMessage? {
        guard let record = nonces[NonceKey(authorID: authorID, nonce: nonce)], record.expiresAt > now else { return nil }
        return message(id: record.messageID, in: record.channelID)
    }

    /// Stores a message whose id is newer than every other's; `nonce` is remembered for `enforce_nonce`.
    mutating func post(_ message: SandboxMessage, nonce: String?, now: ContinuousClock.Instant) {
        messagesByChannel[message.channelID, default: []].append(message)
        for (index, attachment) in message.attachments.enumerated() {
            attachmentLocations[attachment.id] = AttachmentLocation(
                channelID: message.channelID,
                messageID: message.id,
                index: index
            )
        }
        guard let nonce else { return }
        nonces = nonces.filter { $0.value.expiresAt > now }
        nonces[NonceKey(authorID: message.author.id, nonce: nonce)] = NonceRecord(
            channelID: message.channelID,
            messageID: message.id,
            expiresAt: now + Self.nonceWindow
        )
    }

    /// Removes the message and lets go of its attachments' bytes; `nil` for an unknown message.
    mutating func delete(id: String, in channelID: String) -> SandboxMessage? {
        guard let index = index(ofMessage: id, in: channelID), let removed = messagesByChannel[channelID]?.remove(at: index)
        else { return nil }
        for attachment in removed.attachments {
            attachmentLocations[attachment.id] = nil
        }
        return removed
    }

    func attachment(id: String, in channelID: String) -> SandboxAttachment? {
        guard let location = attachmentLocations[id], location.channelID == channelID,
            let message = message(id: location.messageID, in: channelID)
        else { return nil }
        return message.attachments[location.index]
    }

    /// The index of the first message for which `isAtOrPast` holds (it must hold for every later one too).
    private static func firstIndex(in list: [SandboxMessage], where isAtOrPast: (SandboxMessage) -> Bool) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if isAtOrPast(list[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
