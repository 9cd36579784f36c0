/// A guild role (docs: `topics/permissions` "Role Object"), as `GET /guilds/{guild.id}/roles` and the guild
/// object list it. What Discord always sends is required (a role without it is not one); `tags` only comes
/// on managed roles.
public struct GuildRole: Sendable, Equatable, Decodable {
    /// Who manages a managed role (docs: "Role Tags Structure"). Discord writes a "true" boolean tag as the key
    /// with `null` and leaves a false one out.
    public struct Tags: Sendable, Equatable, Decodable {
        /// The bot whose own role this is.
        public let botID: String?
        /// The integration (Twitch, YouTube…) whose role this is.
        public let integrationID: String?
        /// The guild's Booster role.
        public let isPremiumSubscriber: Bool
        public let subscriptionListingID: String?
        public let isAvailableForPurchase: Bool
        /// The guild's linked role.
        public let isGuildConnections: Bool

        public init(botID: String? = nil, integrationID: String? = nil, isPremiumSubscriber: Bool = false) {
            self.botID = botID
            self.integrationID = integrationID
            self.isPremiumSubscriber = isPremiumSubscriber
            subscriptionListingID = nil
            isAvailableForPurchase = false
            isGuildConnections = false
        }

        private enum CodingKeys: String, CodingKey {
            case botID = "bot_id"
            case integrationID = "integration_id"
            case isPremiumSubscriber = "premium_subscriber"
            case subscriptionListingID = "subscription_listing_id"
            case isAvailableForPurchase = "available_for_purchase"
            case isGuildConnections = "guild_connections"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            botID = try container.decodeIfPresent(String.self, forKey: .botID)
            integrationID = try container.decodeIfPresent(String.self, forKey: .integrationID)
            subscriptionListingID = try container.decodeIfPresent(String.self, forKey: .subscriptionListingID)
            isPremiumSubscriber = container.contains(.isPremiumSubscriber)
            isAvailableForPurchase = container.contains(.isAvailableForPurchase)
            isGuildConnections = container.contains(.isGuildConnections)
        }
    }

    public let id: String
    public let name: String
    /// Higher is more powerful (`@everyone` is 0); a bot manages only roles and members below its highest role.
    public let position: Int
    public let permissions: Permissions
    /// Managed by an integration (a bot's own role, a Booster role…): nobody can assign or remove it.
    public let managed: Bool
    public let tags: Tags?

    public init(id: String, name: String, position: Int, permissions: Permissions, managed: Bool = false, tags: Tags? = nil) {
        self.id = id
        self.name = name
        self.position = position
        self.permissions = permissions
        self.managed = managed
        self.tags = tags
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, position, permissions, managed, tags
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let bits = try container.decode(String.self, forKey: .permissions)
        guard let permissions = Permissions(discordString: bits) else {
            throw DecodingError.dataCorruptedError(
                forKey: .permissions, in: container, debugDescription: "\"\(bits)\" is not a decimal permission bitfield")
        }
        self.init(
            id: try container.decode(String.self, forKey: .id), name: try container.decode(String.self, forKey: .name),
            position: try container.decode(Int.self, forKey: .position), permissions: permissions,
            managed: try container.decode(Bool.self, forKey: .managed), tags: try container.decodeIfPresent(Tags.self, forKey: .tags))
    }
}
