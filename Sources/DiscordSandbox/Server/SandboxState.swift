import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// All mutable state of the sandbox, behind one lock. Each part is a value type with its own file;
/// new capabilities (channels, CDN) add a part here.
final class SandboxState: Sendable {
    struct Parts: Sendable {
        var oauth: OAuthStore
        var rateLimiter: RateLimiter
        var faults: FaultQueue
        var requestLog: RequestLog
        var gateway: GatewayState
        var snowflakes: SnowflakeGenerator
        var channels: ChannelStore
        var cdn: CDNSigner
        var commands: ApplicationCommandStore
        var interactions: InteractionStore
        var permissions = GuildPermissions()
        var chatBackend = ChatBackendStore()

        init(rateLimits: RateLimitTable, configuration: SandboxConfiguration) {
            oauth = OAuthStore()
            rateLimiter = RateLimiter(bucketsByRoute: rateLimits.bucketsByRoute, limitsByBucket: rateLimits.limitsByBucket)
            faults = FaultQueue()
            requestLog = RequestLog()
            gateway = GatewayState(
                guild: SandboxGuild(
                    id: configuration.guildID,
                    bot: configuration.botUser,
                    textChannelIDs: configuration.textChannelIDs,
                    now: Date()
                )
            )
            snowflakes = SnowflakeGenerator()
            channels = ChannelStore(textChannelIDs: configuration.textChannelIDs)
            cdn = CDNSigner()
            commands = ApplicationCommandStore()
            interactions = InteractionStore()
        }

        /// A user the sandbox knows: a guild member, or the OAuth test user.
        func user(id: String) -> SandboxUser? {
            if let member = gateway.guild.member(id: id) { return member.user }
            return oauth.user.id == id ? oauth.user : nil
        }
    }

    /// The routes' rate-limit buckets and the limits they start with.
    struct RateLimitTable: Sendable {
        let bucketsByRoute: [String: String]
        let limitsByBucket: [String: RateLimit]

        init(routes: [Route]) {
            let limited = routes.compactMap { route in route.rateLimitBucket.map { (route, $0) } }
            bucketsByRoute = Dictionary(limited.map { ($0.0.name, $0.1) }, uniquingKeysWith: { first, _ in first })
            limitsByBucket = Dictionary(
                limited.compactMap { route, bucket in route.rateLimit.map { (bucket, $0) } },
                uniquingKeysWith: { first, _ in first }
            )
        }
    }

    private let rateLimits: RateLimitTable
    private let configuration: SandboxConfiguration
    private let parts: Mutex<Parts>

    /// - Parameter routes: the served routes, whose rate-limit buckets the limiter should know.
    init(routes: [Route], configuration: SandboxConfiguration) {
        rateLimits = RateLimitTable(routes: routes)
        self.configuration = configuration
        parts = Mutex(Parts(rateLimits: rateLimits, configuration: configuration))
    }

    func withLock<Result: Sendable, Failure: Error>(
        _ body: (inout Parts) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try parts.withLock { parts throws(Failure) in try body(&parts) }
    }

    /// Back to the state at startup: default user, consent, limits, gateway and CDN settings; no codes, tokens,
    /// faults, log, gateway sessions, guild members but the bot, messages, DM channels, commands,
    /// interactions or chat backend calls, and a new CDN signing key. Open gateway connections are closed with 4003, as when Discord
    /// invalidates sessions (their sessions are gone).
    func reset() {
        let links = parts.withLock { parts in
            defer { parts = Parts(rateLimits: rateLimits, configuration: configuration) }
            return Array(parts.gateway.links.values)
        }
        for link in links { link.close(.notAuthenticated) }
    }
}
