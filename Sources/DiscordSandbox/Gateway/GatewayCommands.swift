import JSONSupport
// The `d` of the client payloads the sandbox acts on (docs: `events/gateway-events` "Identify"; `events/gateway-events` "Ready", "Resumed"; `events/gateway-events` "Request Guild Members").

/// Op 2. `intents` is kept as sent: a bitfield that is not an integer in range is 4013, not 4001.
struct Identify: Decodable, Sendable {
    let token: String
    let intents: JSON?
    /// 50...250; members beyond it make the guild `large` (only non-offline members in GUILD_CREATE).
    let largeThreshold: Int
    /// `[shard_id, num_shards]`.
    let shard: [Int]?

    private enum CodingKeys: String, CodingKey {
        case token, intents, shard
        case largeThreshold = "large_threshold"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        token = try container.decode(String.self, forKey: .token)
        intents = try container.decodeIfPresent(JSON.self, forKey: .intents)
        largeThreshold = try container.decodeIfPresent(Int.self, forKey: .largeThreshold) ?? 50
        guard (50...250).contains(largeThreshold) else {
            throw DecodingError.dataCorruptedError(forKey: .largeThreshold, in: container, debugDescription: "50...250")
        }
        shard = try container.decodeIfPresent([Int].self, forKey: .shard)
    }

    func validIntents() throws(GatewayCloseCode) -> GatewayIntents {
        guard let bits = intents?.wholeNumber, GatewayIntents.validRawValues.contains(bits) else {
            throw .invalidIntents
        }
        return GatewayIntents(rawValue: bits)
    }

    func validShard() throws(GatewayCloseCode) -> GatewayShard? {
        guard let shard else { return nil }
        guard shard.count == 2, shard[1] >= 1, (0..<shard[1]).contains(shard[0]) else { throw .invalidShard }
        return GatewayShard(id: shard[0], count: shard[1])
    }
}

/// Op 6.
struct Resume: Decodable, Sendable {
    let token: String
    let sessionID: String
    /// The last sequence number the client received; `null` counts as 0.
    let sequence: Int

    private enum CodingKeys: String, CodingKey {
        case token
        case sessionID = "session_id"
        case sequence = "seq"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        token = try container.decode(String.self, forKey: .token)
        sessionID = try container.decode(String.self, forKey: .sessionID)
        sequence = try container.decodeIfPresent(Int.self, forKey: .sequence) ?? 0
    }
}

/// Op 8: `query` (a username prefix) or `user_ids`, one guild per request.
struct RequestGuildMembers: Decodable, Sendable {
    /// Nonces longer than this are ignored: the chunks then carry none.
    static let maxNonceBytes = 32
    /// Cap on members returned for a prefix query or a list of ids.
    static let maxMatches = 100

    let guildID: String
    let query: String?
    let limit: Int
    let presences: Bool
    let userIDs: [String]?
    let nonce: String?

    private enum CodingKeys: String, CodingKey {
        case query, limit, presences, nonce
        case guildID = "guild_id"
        case userIDs = "user_ids"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guildID = try container.decode(String.self, forKey: .guildID)
        query = try container.decodeIfPresent(String.self, forKey: .query)
        presences = try container.decodeIfPresent(Bool.self, forKey: .presences) ?? false
        if let single = try? container.decodeIfPresent(String.self, forKey: .userIDs) {
            userIDs = [single]
        } else {
            userIDs = try container.decodeIfPresent([String].self, forKey: .userIDs)
        }
        guard query != nil || userIDs != nil else {
            throw DecodingError.dataCorruptedError(forKey: .query, in: container, debugDescription: "query or user_ids")
        }
        // `limit` is required with `query`.
        limit =
            try query == nil
            ? container.decodeIfPresent(Int.self, forKey: .limit) ?? 0 : container.decode(Int.self, forKey: .limit)
        guard limit >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .limit, in: container, debugDescription: "must be >= 0")
        }
        let nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        self.nonce = nonce.flatMap { $0.utf8.count <= Self.maxNonceBytes ? $0 : nil }
    }

    /// `query: ""` with `limit: 0`: the whole member list, which needs GUILD_MEMBERS and is rate limited.
    var isAllMembers: Bool { userIDs == nil && query == "" && limit == 0 }
}
