/// A Discord user as `GET /users/@me` returns it (the fields GuildGate uses).
public struct DiscordUser: Sendable, Equatable, Codable {
    /// Snowflake id, as a string.
    public var id: String
    /// The unique handle (`"0"` discriminator users) or the legacy name.
    public var username: String
    /// `"0"` for users migrated to unique usernames; never build `name#0`.
    public var discriminator: String?
    /// The display name the user chose, if any.
    public var globalName: String?
    /// Avatar hash (`a_` prefix = animated).
    public var avatar: String?
    /// With the `email` scope; may be `null` even then.
    public var email: String?
    /// Whether the email is verified (`email` scope).
    public var verified: Bool?
    public var bot: Bool?

    public init(
        id: String, username: String, discriminator: String? = nil, globalName: String? = nil, avatar: String? = nil,
        email: String? = nil, verified: Bool? = nil, bot: Bool? = nil
    ) {
        self.id = id
        self.username = username
        self.discriminator = discriminator
        self.globalName = globalName
        self.avatar = avatar
        self.email = email
        self.verified = verified
        self.bot = bot
    }

    /// What to show: the display name, else the username.
    public var displayName: String {
        if let globalName, !globalName.isEmpty { return globalName }
        return username
    }

    enum CodingKeys: String, CodingKey {
        case id, username, discriminator, avatar, email, verified, bot
        case globalName = "global_name"
    }
}
