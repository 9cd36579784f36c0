/// A guild member (docs: `resources/guild` "Guild Member Object"). `roles` is always sent and required; the
/// rest depends on where the member comes from: `user` is left out inside MESSAGE_CREATE (and is an empty
/// object in the docs' own example, read as no user), nullable fields may be missing or `null`.
public struct GuildMember: Sendable, Equatable, Decodable {
    /// Discord's longest nickname, in Unicode code points (docs: `resources/user` "Usernames and Nicknames").
    public static let nicknameLimit = 32

    public let user: DiscordUser?
    /// The guild nickname; `nil` when the member has none (the username or global name shows).
    public let nick: String?
    /// The member's guild avatar hash.
    public let avatar: String?
    /// Role ids, without `@everyone`.
    public let roles: [String]

    public init(user: DiscordUser?, nick: String? = nil, avatar: String? = nil, roles: [String] = []) {
        self.user = user
        self.nick = nick
        self.avatar = avatar
        self.roles = roles
    }

    private enum CodingKeys: String, CodingKey {
        case user, nick, avatar, roles
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            user: try? container.decodeIfPresent(DiscordUser.self, forKey: .user),
            nick: try container.decodeIfPresent(String.self, forKey: .nick),
            avatar: try container.decodeIfPresent(String.self, forKey: .avatar),
            roles: try container.decode([String].self, forKey: .roles))
    }

    /// The nickname Discord keeps when it is sent `text`: whitespace trimmed and runs of it made one space (as
    /// Discord sanitizes names), then cut to ``nicknameLimit`` code points without splitting a character.
    /// `nil` when nothing is left: send no nickname then. Compare a member's `nick` with this, not with `text`.
    public static func nickname(_ text: String) -> String? {
        var nickname = ""
        var length = 0
        for character in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") {
            length += character.unicodeScalars.count
            guard length <= nicknameLimit else { break }
            nickname.append(character)
        }
        while nickname.last?.isWhitespace == true { nickname.removeLast() }
        return nickname.isEmpty ? nil : nickname
    }
}
