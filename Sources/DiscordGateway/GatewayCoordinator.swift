/// `[shard_id, num_shards]`, sent in IDENTIFY (docs: `events/gateway` "Sharding"): the session gets the
/// guilds with `(guild_id >> 22) % num_shards == shard_id`, and shard 0 also gets direct messages.
public struct GatewayShard: Sendable, Hashable, CustomStringConvertible {
    public let id: Int
    public let count: Int

    public init(id: Int, count: Int) {
        self.id = id
        self.count = count
    }

    /// Whether the guild's events come on this shard.
    public func holds(guildID: String) -> Bool {
        guard let snowflake = UInt64(guildID) else { return false }
        return Int((snowflake >> 22) % UInt64(count)) == id
    }

    /// The identify bucket (docs: `events/gateway` "Session Start Limit Object", `rate_limit_key`).
    public func rateLimitKey(maxConcurrency: Int) -> Int { id % max(maxConcurrency, 1) }

    public var description: String { "\(id)/\(count)" }
}

/// Where a session can be resumed from: what another process taking the shard over needs, with the facts
/// of the READY that started the session (a RESUMED repeats none of them).
public struct GatewayResumePoint: Sendable, Equatable {
    public let ready: GatewayReady
    public let sequence: Int?

    public init(ready: GatewayReady, sequence: Int?) {
        self.ready = ready
        self.sequence = sequence
    }
}

/// What a client asks of the other processes of the same bot, through whatever they share.
public protocol GatewayCoordinator: Sendable {
    /// Asked before each IDENTIFY: `.zero` when the shard may identify now (its bucket's slot is then
    /// taken), else how long to wait before asking again.
    func identifyDelay() async -> Duration
    /// The session the client runs, at READY and RESUMED and then at most once a second as dispatches
    /// advance it; nil once it ended (the next holder of the shard identifies).
    func sessionChanged(_ point: GatewayResumePoint?)
}
