import JSONSupport

/// The application, as `GET /applications/@me` describes it: its `flags` say which privileged intents the
/// Developer Portal has switched on.
public struct DiscordApplication: Sendable, Equatable {
    public let id: String
    public let name: String
    public let flags: Int
}

extension DiscordClient {
    /// Whether `userID` is a member of `guildID` (`GET /guilds/{guild.id}/members/{user.id}` with the bot
    /// token): false when Discord answers 10007 Unknown Member.
    public func isGuildMember(guildID: String, userID: String) throws(DiscordError) -> Bool {
        do {
            _ = try guildMember(guildID: guildID, userID: userID)
            return true
        } catch  where error.code == .unknownMember {
            return false
        }
    }

    /// The role ids of a guild member.
    public func guildMemberRoles(guildID: String, userID: String) throws(DiscordError) -> [String] {
        try guildMember(guildID: guildID, userID: userID).roles
    }

    /// `GET /guilds/{guild.id}`: its owner and roles.
    public func guild(id: String) throws(DiscordError) -> DiscordGuild {
        try DiscordGuild(json(send(Route(.get, "/guilds/\(id)"))))
    }

    /// `GET /guilds/{guild.id}/roles`: every role, `@everyone` (whose id is the guild's) included.
    public func guildRoles(guildID: String) throws(DiscordError) -> [GuildRole] {
        try send(Route(.get, "/guilds/\(guildID)/roles"), as: [GuildRole].self)
    }

    /// `GET /channels/{channel.id}`: its guild and permission overwrites.
    public func channel(id: String) throws(DiscordError) -> DiscordChannel {
        try DiscordChannel(json(send(Route(.get, "/channels/\(id)"))))
    }

    /// `GET /users/@me` with the bot token: the bot user (a refused token is a 401).
    public func botUser() throws(DiscordError) -> DiscordUser {
        try send(Route(.get, "/users/@me"), as: DiscordUser.self)
    }

    /// `GET /applications/@me`.
    public func currentApplication() throws(DiscordError) -> DiscordApplication {
        let object = try json(send(Route(.get, "/applications/@me")))
        guard let id = object["id"]?.string else { throw .invalidResponse(status: 200, reason: "an application without id") }
        return DiscordApplication(id: id, name: object["name"]?.string ?? "", flags: object["flags"]?.integer ?? 0)
    }
}
