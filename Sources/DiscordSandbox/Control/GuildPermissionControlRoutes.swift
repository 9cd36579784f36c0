import JSONSupport
/// Control calls that misconfigure the guild's permissions as operators do: the bot's role without a
/// permission, a channel overwrite that denies the bot something.
enum GuildPermissionControlRoutes {
    static var routes: [Route] {
        [
            .control(.PUT, "/guild/bot-role") { context in
                let setting = try context.decodeBody(BotRoleSetting.self)
                guard let permissions = UInt64(setting.permissions) else {
                    throw HTTPError.control("permissions must be a decimal bitfield string")
                }
                context.state.withLock { $0.permissions.botRolePermissions = permissions }
                return .json(["permissions": .string(setting.permissions)])
            },
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
            },
        ]
    }
}

private struct BotRoleSetting: Decodable {
    let permissions: String
}
