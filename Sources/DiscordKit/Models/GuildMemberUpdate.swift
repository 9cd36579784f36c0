/// GUILD_MEMBER_UPDATE's `d` (docs: `events/gateway-events` "Guild Member Update"): a member of `guildID` whose
/// roles, nickname or user changed. Unlike elsewhere, `user` is always there.
public struct GuildMemberUpdate: Sendable, Equatable, Decodable {
    public let guildID: String
    public let user: DiscordUser
    public let member: GuildMember

    private enum CodingKeys: String, CodingKey {
        case user
        case guildID = "guild_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guildID = try container.decode(String.self, forKey: .guildID)
        user = try container.decode(DiscordUser.self, forKey: .user)
        member = try GuildMember(from: decoder)
    }
}
