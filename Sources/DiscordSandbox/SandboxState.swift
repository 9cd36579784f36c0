import Synchronization

/// All mutable state of the sandbox, behind one lock. Each part is a value type with its own file;
/// new capabilities (channels, gateway sessions, CDN) add a part here.
final class SandboxState: Sendable {
    struct Parts: Sendable {
        var oauth: OAuthStore
        var rateLimiter: RateLimiter
        var faults: FaultQueue
        var requestLog: RequestLog

        init(bucketsByRoute: [String: String]) {
            oauth = OAuthStore()
            rateLimiter = RateLimiter(bucketsByRoute: bucketsByRoute)
            faults = FaultQueue()
            requestLog = RequestLog()
        }
    }

    private let bucketsByRoute: [String: String]
    private let parts: Mutex<Parts>

    /// - Parameter routes: the served routes, whose rate-limit buckets the limiter should know.
    init(routes: [Route]) {
        bucketsByRoute = Dictionary(
            routes.compactMap { route in route.rateLimitBucket.map { (route.name, $0) } },
            uniquingKeysWith: { first, _ in first }
        )
        parts = Mutex(Parts(bucketsByRoute: bucketsByRoute))
    }

    func withLock<Result: Sendable, Failure: Error>(
        _ body: (inout Parts) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try parts.withLock { parts throws(Failure) in try body(&parts) }
    }

    /// Back to the state at startup: default user, consent, limits; no codes, tokens, faults or log.
    func reset() {
        parts.withLock { $0 = Parts(bucketsByRoute: bucketsByRoute) }
    }
}
