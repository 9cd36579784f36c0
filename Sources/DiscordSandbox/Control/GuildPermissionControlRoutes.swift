import JSONSupport
/// Control calls that misconfigure a channel's permissions as operators do: an overwrite that denies the bot
/// something. (The bot's role is arranged with the role calls.)
enum GuildPermissionControlRoutes {
    static var routes: [Route] {
        [
            .control(.PUT, "/channels/{channel.id}/permission-overwrites") { context in
                let channelID = context.parameters["channel.id"] ?? ""
                let overwrites = try context.decodeBody([GuildPermissions.Overwrite].self)
                guard overwrites.allSatisfy({ [0, 1].contains($0.type) && UInt64($0.allow) != nil && UInt64($0.deny) != nil }) else {
                    throw HTTPError.control("each overwrite needs type 0 (role) or 1 (member) and decimal allow/deny strings")
                }
                let json = try context.state.withLock { parts throws(HTTPError) in
                    guard parts.channels.channel(id: channelID) != nil else { throw HTTPError.unknownChannel }
                    parts.permissions.setOverwrites(overwrites, channelID: channelID)
                    return parts.permissions.overwritesJSON(channelID: channelID)
                }
                return .json(json)
            }
        ]
    }
}
