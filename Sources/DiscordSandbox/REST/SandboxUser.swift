import JSONSupport
/// A Discord user as `GET /users/@me` returns it (docs: `resources/user` "Get Current User").
struct SandboxUser: Sendable {
    var id: String
    var username: String
    var globalName: String?
    var avatar: String?
    var email: String?
    var verified: Bool
    var locale: String
    var isBot: Bool

    init(
        id: String,
        username: String,
        globalName: String?,
        avatar: String? = nil,
        email: String? = nil,
        verified: Bool = true,
        locale: String = "en-US",
        isBot: Bool = false
    ) {
        self.id = id
        self.username = username
        self.globalName = globalName
        self.avatar = avatar
        self.email = email
        self.verified = verified
        self.locale = locale
        self.isBot = isBot
    }

    static let defaultTestUser = SandboxUser(
        id: "200000000000000002",
        username: "sandbox_user",
        globalName: "Sandbox User",
        email: "sandbox@example.com"
    )

    /// The user object; `email` and `verified` only when the token was granted the `email` scope.
    func json(includeEmail: Bool) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(id)),
            ("username", .string(username)),
            ("avatar", avatar.json),
            ("discriminator", "0"),
            ("public_flags", 0),
            ("flags", 0),
        ]
        if isBot { fields.append(("bot", true)) }
        fields += [
            ("banner", .null),
            ("accent_color", .null),
            ("global_name", globalName.json),
            ("avatar_decoration_data", .null),
            ("collectibles", .null),
            ("primary_guild", .null),
            ("mfa_enabled", false),
            ("locale", .string(locale)),
            ("premium_type", 0),
        ]
        if includeEmail {
            fields += [("email", email.json), ("verified", .bool(verified))]
        }
        return .object(fields)
    }
}

extension SandboxUser {
    /// The user as others see it, inside guild members and events: no email, locale or account settings.
    var publicJSON: JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(id)),
            ("username", .string(username)),
            ("avatar", avatar.json),
            ("discriminator", "0"),
            ("public_flags", 0),
        ]
        if isBot { fields.append(("bot", true)) }
        fields.append(("global_name", globalName.json))
        return .object(fields)
    }
}

extension SandboxUser: Decodable {
    private enum CodingKeys: String, CodingKey {
        case id, username, avatar, email, verified, locale
        case globalName = "global_name"
    }

    /// The body of `PUT /_sandbox/oauth/user`: `id` and `username` are required; it replaces the whole user.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .id)
        guard !id.isEmpty, id.count <= 20, id.allSatisfy(\.isASCIIDigit) else {
            throw DecodingError.dataCorruptedError(
                forKey: .id,
                in: container,
                debugDescription: "Value \"\(id)\" is not snowflake."
            )
        }
        let username = try container.decode(String.self, forKey: .username)
        guard (2...32).contains(username.count) else {
            throw DecodingError.dataCorruptedError(
                forKey: .username,
                in: container,
                debugDescription: "Must be between 2 and 32 in length."
            )
        }
        self.init(
            id: id,
            username: username,
            globalName: try container.decodeIfPresent(String.self, forKey: .globalName),
            avatar: try container.decodeIfPresent(String.self, forKey: .avatar),
            email: try container.decodeIfPresent(String.self, forKey: .email),
            verified: try container.decodeIfPresent(Bool.self, forKey: .verified) ?? true,
            locale: try container.decodeIfPresent(String.self, forKey: .locale) ?? "en-US"
        )
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
