import JSONSupport
/// What tests may change about the gateway (`PUT /_sandbox/gateway/config`); a reset restores the defaults.
struct GatewaySettings: Sendable {
    var heartbeatIntervalMilliseconds = 41_250
    /// When off, heartbeats go unanswered, so the client sees a zombied connection.
    var acknowledgesHeartbeats = true
    /// The privileged intents "switched on in the Developer Portal".
    var enabledPrivilegedIntents = GatewayIntents.privileged
    /// How long a session whose connection dropped can be resumed.
    var resumeWindowMilliseconds = 180_000
    /// One "all members" REQUEST_GUILD_MEMBERS per guild per this window.
    var memberRequestWindowMilliseconds = 30_000
    /// Members per GUILD_MEMBERS_CHUNK.
    var chunkSize = 1000
    /// `max_concurrency` identifies per this window, one per rate-limit bucket, as `GET /gateway/bot` reports.
    var identifyWindowMilliseconds = 5000
    /// `GET /gateway/bot`'s `shards`: with more than one, an IDENTIFY must carry `shard` with at least this count.
    var shards = 1
    /// `GET /gateway/bot`'s `session_start_limit.max_concurrency`: the identify buckets, `shard_id % max_concurrency`.
    var maxConcurrency = 1

    mutating func apply(_ update: GatewaySettingsUpdate) {
        if let value = update.heartbeatIntervalMilliseconds { heartbeatIntervalMilliseconds = value }
        if let value = update.acknowledgesHeartbeats { acknowledgesHeartbeats = value }
        if let value = update.enabledPrivilegedIntents { enabledPrivilegedIntents = value }
        if let value = update.resumeWindowMilliseconds { resumeWindowMilliseconds = value }
        if let value = update.memberRequestWindowMilliseconds { memberRequestWindowMilliseconds = value }
        if let value = update.chunkSize { chunkSize = value }
        if let value = update.identifyWindowMilliseconds { identifyWindowMilliseconds = value }
        if let value = update.shards { shards = value }
        if let value = update.maxConcurrency { maxConcurrency = value }
    }

    var json: JSON {
        [
            "heartbeat_interval_ms": .int(heartbeatIntervalMilliseconds),
            "acks": .bool(acknowledgesHeartbeats),
            "privileged_intents": .array(
                GatewayIntents.privilegedNames.filter { enabledPrivilegedIntents.contains($0.intent) }.map { .string($0.name) }
            ),
            "resume_window_ms": .int(resumeWindowMilliseconds),
            "member_request_window_ms": .int(memberRequestWindowMilliseconds),
            "chunk_size": .int(chunkSize),
            "identify_window_ms": .int(identifyWindowMilliseconds),
            "shards": .int(shards),
            "max_concurrency": .int(maxConcurrency),
        ]
    }
}

/// The body of `PUT /_sandbox/gateway/config`: any subset of the settings.
struct GatewaySettingsUpdate: Decodable {
    let heartbeatIntervalMilliseconds: Int?
    let acknowledgesHeartbeats: Bool?
    let enabledPrivilegedIntents: GatewayIntents?
    let resumeWindowMilliseconds: Int?
    let memberRequestWindowMilliseconds: Int?
    let chunkSize: Int?
    let identifyWindowMilliseconds: Int?
    let shards: Int?
    let maxConcurrency: Int?

    private enum CodingKeys: String, CodingKey {
        case heartbeatIntervalMilliseconds = "heartbeat_interval_ms"
        case acknowledgesHeartbeats = "acks"
        case enabledPrivilegedIntents = "privileged_intents"
        case resumeWindowMilliseconds = "resume_window_ms"
        case memberRequestWindowMilliseconds = "member_request_window_ms"
        case chunkSize = "chunk_size"
        case identifyWindowMilliseconds = "identify_window_ms"
        case shards
        case maxConcurrency = "max_concurrency"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func bounded(_ key: CodingKeys, _ range: ClosedRange<Int>) throws -> Int? {
            let value = try container.decodeIfPresent(Int.self, forKey: key)
            if let value, !range.contains(value) {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: container,
                    debugDescription: "must be \(range.lowerBound)...\(range.upperBound)"
                )
            }
            return value
        }
        heartbeatIntervalMilliseconds = try bounded(.heartbeatIntervalMilliseconds, 1...3_600_000)
        resumeWindowMilliseconds = try bounded(.resumeWindowMilliseconds, 0...86_400_000)
        memberRequestWindowMilliseconds = try bounded(.memberRequestWindowMilliseconds, 0...86_400_000)
        chunkSize = try bounded(.chunkSize, 1...100_000)
        identifyWindowMilliseconds = try bounded(.identifyWindowMilliseconds, 0...60_000)
        shards = try bounded(.shards, 1...1024)
        maxConcurrency = try bounded(.maxConcurrency, 1...16)
        acknowledgesHeartbeats = try container.decodeIfPresent(Bool.self, forKey: .acknowledgesHeartbeats)
        enabledPrivilegedIntents = try container.decodeIfPresent([String].self, forKey: .enabledPrivilegedIntents).map {
            names in
            var intents: GatewayIntents = []
            for name in names {
                guard let intent = GatewayIntents.privilegedNames.first(where: { $0.name == name })?.intent else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .enabledPrivilegedIntents,
                        in: container,
                        debugDescription: "unknown privileged intent \"\(name)\" (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT)"
                    )
                }
                intents.insert(intent)
            }
            return intents
        }
    }
}
