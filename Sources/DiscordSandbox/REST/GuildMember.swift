import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A member's presence as PRESENCE_UPDATE reports it (docs: `events/gateway-events`).
struct MemberPresence: Sendable {
    enum Status: String, Sendable, Decodable, CaseIterable {
        case online, idle, dnd, offline
    }

    var status: Status
    /// An array of activity objects, stored as given.
    var activities: JSON
    /// `{"desktop": ..., "mobile": ..., "web": ...}`; a missing platform means offline there.
    var clientStatus: JSON

    /// Without an explicit client status the member is on desktop, unless offline.
    init(status: Status, activities: JSON = [], clientStatus: JSON? = nil) {
        self.status = status
        self.activities = activities
        self.clientStatus = clientStatus ?? Self.desktopClientStatus(status)
    }

    private static func desktopClientStatus(_ status: Status) -> JSON {
        status == .offline ? [:] : ["desktop": .string(status.rawValue)]
    }

    /// The partial presence update; `guild_id` is left out inside GUILD_CREATE and member chunks.
    func json(userID: String, guildID: String?) -> JSON {
        var fields: [(String, JSON)] = [("user", ["id": .string(userID)])]
        if let guildID { fields.append(("guild_id", .string(guildID))) }
        fields += [("status", .string(status.rawValue)), ("activities", activities), ("client_status", clientStatus)]
        return .object(fields)
    }
}

/// A member of the sandbox guild with its roles, nickname and presence.
struct GuildMember: Sendable {
    /// Discord's limit on a nickname (docs: `resources/user` "Usernames and Nicknames": 1 to 32 characters),
    /// counted in Unicode code points as Discord's API counts.
    static let nickLengths = 1...32

    /// The nickname Discord stores for `nick`: "trimmed of leading, trailing, and excessive internal
    /// whitespace" ("Usernames and Nicknames"). `nil` when it is not 1 to 32 characters before or after that.
    static func sanitizedNick(_ nick: String) -> String? {
        let sanitized = nick.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard nickLengths.contains(nick.unicodeScalars.count), !sanitized.isEmpty else { return nil }
        return sanitized
    }

    var user: SandboxUser
    /// ISO 8601, fixed when the member joined.
    let joinedAt: String
    var presence: MemberPresence
    /// Role ids, without `@everyone`, in the order they were given.
    var roles: [String] = []
    var nick: String?

    init(user: SandboxUser, presence: MemberPresence, joinedAt: Date) {
        self.user = user
        self.presence = presence
        self.joinedAt = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(joinedAt)
    }

    var id: String { user.id }

    /// The guild member object.
    var json: JSON { .object(fields) }

    /// The member object plus `guild_id`: the `d` of GUILD_MEMBER_ADD and GUILD_MEMBER_UPDATE.
    func json(guildID: String) -> JSON {
        json(appending: [("guild_id", .string(guildID))])
    }

    func json(appending extraFields: [(String, JSON)]) -> JSON {
        .object(fields + extraFields)
    }

    /// The member object without `user`, as MESSAGE_CREATE carries it next to the author.
    var partialJSON: JSON {
        .object(fields.filter { $0.0 != "user" })
    }

    /// The guild member object (developers/resources/guild, "Guild Member Object"), its nullable fields
    /// present as `null` as in the docs' Example Guild Member.
    private var fields: [(String, JSON)] {
        [
            ("user", user.publicJSON),
            ("nick", nick.json),
            ("avatar", .null),
            ("banner", .null),
            ("roles", .array(roles.map(JSON.string))),
            ("joined_at", .string(joinedAt)),
            ("premium_since", .null),
            ("deaf", false),
            ("mute", false),
            ("flags", 0),
            ("pending", false),
            ("communication_disabled_until", .null),
        ]
    }
}

extension GuildMember: Decodable {
    private enum CodingKeys: String, CodingKey {
        case id, username, avatar, bot, status, activities, roles, nick
        case globalName = "global_name"
        case clientStatus = "client_status"
    }

    /// An entry of `POST /_sandbox/guild/members`: `id` and `username` required; `status` defaults to
    /// offline, `activities` and `roles` to `[]`, `nick` to none. Whether the roles exist is for the caller
    /// to check.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .id)
        guard !id.isEmpty, id.count <= 20, id.allSatisfy(\.isASCIIDigit) else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "not a snowflake")
        }
        let username = try container.decode(String.self, forKey: .username)
        guard (2...32).contains(username.count) else {
            throw DecodingError.dataCorruptedError(forKey: .username, in: container, debugDescription: "2...32 characters")
        }
        let activities = try container.decodeIfPresent(JSON.self, forKey: .activities) ?? []
        guard case .array = activities else {
            throw DecodingError.dataCorruptedError(forKey: .activities, in: container, debugDescription: "must be an array")
        }
        let clientStatus = try container.decodeIfPresent(JSON.self, forKey: .clientStatus)
        if let clientStatus {
            guard case .object = clientStatus else {
                throw DecodingError.dataCorruptedError(forKey: .clientStatus, in: container, debugDescription: "must be an object")
            }
        }
        let nick = try container.decodeIfPresent(String.self, forKey: .nick).map { nick in
            guard let sanitized = Self.sanitizedNick(nick) else {
                throw DecodingError.dataCorruptedError(forKey: .nick, in: container, debugDescription: "1...32 characters")
            }
            return sanitized
        }
        self.init(
            user: SandboxUser(
                id: id,
                username: username,
                globalName: try container.decodeIfPresent(String.self, forKey: .globalName),
                avatar: try container.decodeIfPresent(String.self, forKey: .avatar),
                isBot: try container.decodeIfPresent(Bool.self, forKey: .bot) ?? false
            ),
            presence: MemberPresence(
                status: try container.decodeIfPresent(MemberPresence.Status.self, forKey: .status) ?? .offline,
                activities: activities,
                clientStatus: clientStatus
            ),
            joinedAt: Date()
        )
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? []
        self.nick = nick
    }
}
