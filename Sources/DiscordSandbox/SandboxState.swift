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

        init(bucketsByRoute: [String: String], configuration: SandboxConfiguration) {
            oauth = OAuthStore()
            rateLimiter = RateLimiter(bucketsByRoute: bucketsByRoute)
            faults = FaultQueue()
            requestLog = RequestLog()
            gateway = GatewayState(
                guild: SandboxGuild(id: configuration.guildID, bot: configuration.botUser, now: Date())
            )
        }
    }

    private let bucketsByRoute: [String: String]
    private let configuration: SandboxConfiguration
    private let parts: Mutex<Parts>

    /// - Parameter routes: the served routes, whose rate-limit buckets the limiter should know.
    init(routes: [Route], configuration: SandboxConfiguration) {
        bucketsByRoute = Dictionary(
            routes.compactMap { route in route.rateLimitBucket.map { (route.name, $0) } },
            uniquingKeysWith: { first, _ in first }
        )
        self.configuration = configuration
        parts = Mutex(Parts(bucketsByRoute: bucketsByRoute, configuration: configuration))
    }

    func withLock<Result: Sendable, Failure: Error>(
        _ body: (inout Parts) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try parts.withLock { parts throws(Failure) in try body(&parts) }
    }

    /// Back to the state at startup: default user, consent, limits, gateway settings; no codes, tokens,
    /// faults, log, gateway sessions or guild members but the bot. Open gateway connections are closed with
    /// 4003, as when Discord invalidates sessions (their sessions are gone).
    func reset() {
        let links = parts.withLock { parts in
            defer { parts = Parts(bucketsByRoute: bucketsByRoute, configuration: configuration) }
            return Array(parts.gateway.links.values)
        }
        for link in links { link.close(.notAuthenticated) }
    }
}
