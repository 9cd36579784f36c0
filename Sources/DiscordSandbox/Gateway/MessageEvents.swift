import JSONSupport
/// The dispatches about messages (docs: `events/gateway-events`): guild channels need GUILD_MESSAGES, DM channels
/// DIRECT_MESSAGES (and go to shard 0 only). Without the MESSAGE_CONTENT intent a session gets a guild message
/// by someone else that does not mention the bot with empty `content`, `embeds`, `attachments` and
/// `components` (docs: `events/gateway` "Message Content Intent"); the bot's own messages, DMs and mentions of
/// the bot come whole.
extension GatewayState {
    mutating func dispatchMessageCreate(
        _ message: SandboxMessage,
        in channel: SandboxChannel,
        rendering: SandboxMessage.Rendering,
        now: ContinuousClock.Instant
    ) {
        var extra: [(String, JSON)] = []
        if !channel.isDirect {
            extra.append(("guild_id", .string(guild.id)))
            if let member = guild.member(id: message.author.id) { extra.append(("member", member.partialJSON)) }
        }
        extra.append(("channel_type", .int(channel.type)))
        let data = message.json(rendering).appending(extra)
        let readable = channel.isDirect || message.author.id == guild.botID || message.mentions.contains { $0.id == guild.botID }
        guard !readable else {
            dispatch([messageEvent("MESSAGE_CREATE", data, in: channel)], now: now)
            return
        }
        let withoutContent = data.merging(["content": "", "embeds": [], "attachments": [], "components": []])
        dispatch(
            [
                GatewayEvent("MESSAGE_CREATE", data, requires: [.guildMessages, .messageContent]),
                GatewayEvent("MESSAGE_CREATE", withoutContent, requires: .guildMessages, excluding: .messageContent),
            ],
            now: now
        )
    }

    mutating func dispatchMessageDelete(ids: [String], in channel: SandboxChannel, now: ContinuousClock.Instant) {
        var fields: [(String, JSON)]
        let name: String
        if ids.count == 1 {
            (name, fields) = ("MESSAGE_DELETE", [("id", .string(ids[0])), ("channel_id", .string(channel.id))])
        } else {
            (name, fields) = ("MESSAGE_DELETE_BULK", [("ids", .array(ids.map(JSON.string))), ("channel_id", .string(channel.id))])
        }
        if !channel.isDirect { fields.append(("guild_id", .string(guild.id))) }
        dispatch([messageEvent(name, .object(fields), in: channel)], now: now)
    }

    private func messageEvent(_ name: String, _ data: JSON, in channel: SandboxChannel) -> GatewayEvent {
        channel.isDirect
            ? GatewayEvent(name, data, requires: .directMessages, isAboutGuild: false, isDirect: true)
            : GatewayEvent(name, data, requires: .guildMessages)
    }
}
