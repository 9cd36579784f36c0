import CurlHTTP
import JSONSupport
import Synchronization

/// Which limits one request counts against (docs: `topics/rate-limits`): the route's bucket, separated per top-level
/// resource (`major`), and, for bot-token requests, that token's global limit.
struct RateLimitKey: Hashable, Sendable {
    /// `METHOD /path/{id}` with ids replaced; the bucket key until Discord names the bucket.
    var route: String
    /// The top-level resource (`channels/123`, `guilds/9`, `webhooks/5/<token>`) or a user-token
    /// fingerprint for Bearer routes; empty when there is none.
    var major: String
    /// The fingerprint of the bot token the global limit is counted for; `nil` = not counted.
    var globalIdentity: Int?
}

/// Discord's rate limits, learned from response headers and shared by every thread of the process.
///
/// Before sending, a thread asks ``admit(_:)``: it either gets a slot (which is reserved, so two threads
/// cannot both spend the last request of a bucket), a short wait, or a refusal when the wait would exceed
/// ``Configuration/maxWait``. After the response it calls ``record(_:for:)`` with the headers, which
/// teaches the limiter the bucket (`X-RateLimit-Bucket`, `-Limit`, `-Remaining`, `-Reset-After`) and
/// handles 429s: a route 429 blocks its bucket, a global one pauses every route, and one without
/// Discord's headers or JSON body is a Cloudflare ban (everything pauses; nothing is retried).
public final class RateLimiter: Sendable {
    public struct Configuration: Sendable {
        /// Requests per second allowed per bot token (Discord: 50).
        public var globalRequestsPerSecond: Int
        /// The longest a request waits for a bucket to reset; beyond it the request fails with a
        /// rate-limit error instead (a web page should not hang for a minute).
        public var maxWait: Duration
        /// How long everything pauses after a Cloudflare-style ban that gives no `Retry-After`.
        public var banPause: Duration

        public init(globalRequestsPerSecond: Int = 50, maxWait: Duration = .seconds(10), banPause: Duration = .seconds(60)) {
            self.globalRequestsPerSecond = globalRequestsPerSecond
            self.maxWait = maxWait
            self.banPause = banPause
        }
    }

    enum Admission: Equatable, Sendable {
        /// Send now; the slot is reserved.
        case proceed
        /// Sleep this long, then ask again.
        case wait(Duration)
        /// Do not send: the limit resets only after `retryAfter`, longer than the configured maximum wait.
        case reject(retryAfter: Duration, global: Bool)
    }

    enum Outcome: Equatable, Sendable {
        case ok
        /// A 429 from Discord; the limiter now knows to wait `retryAfter`.
        case limited(retryAfter: Duration, global: Bool)
        /// A 429 without Discord's rate-limit headers or JSON body: an IP ban by Cloudflare.
        case banned(retryAfter: Duration)
    }

    private struct Bucket {
        var limit: Int
        var remaining: Int
        var resetAt: Duration
        /// The longest `Reset-After` seen: the estimated window length when a window restarts locally.
        var window: Duration
    }

    /// When the latest requests counted against a bot token's global limit were sent, oldest first.
    private struct GlobalLog {
        var sent: [Duration] = []
    }

    /// The global limit is counted over this span, sliding: Discord counts its second from when its own window
    /// starts, so a window the length of Discord's would let a second as Discord sees it hold more than the limit
    /// whenever latency varies. The extra tenth of a second absorbs that jitter.
    static let globalSpan = Duration.milliseconds(1100)

    private struct State {
        var hashByRoute: [String: String] = [:]
        var buckets: [String: Bucket] = [:]
        var globalLogs: [Int: GlobalLog] = [:]
        var pausedUntil: Duration = .zero
    }

    public let configuration: Configuration
    /// The clock used for waiting; ``DiscordClient`` sleeps on it too.
    public let clock: any BlockingClock
    private let state = Mutex(State())

    public init(configuration: Configuration = Configuration(), clock: any BlockingClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Whether a request may be sent now; reserves the slot when it may.
    func admit(_ key: RateLimitKey) -> Admission {
        let now = clock.now()
        return state.withLock { state in
            var wait = Duration.zero
            var global = false
            if state.pausedUntil > now {
                wait = state.pausedUntil - now
                global = true
            }
            let bucketKey = Self.bucketKey(key, state: state)
            if var bucket = state.buckets[bucketKey] {
                if bucket.resetAt <= now {
                    // The window ended: assume a fresh one starts with this request.
                    bucket.remaining = bucket.limit
                    bucket.resetAt = now + bucket.window
                    state.buckets[bucketKey] = bucket
                }
                if bucket.remaining <= 0, bucket.resetAt - now > wait {
                    wait = bucket.resetAt - now
                    global = false
                }
            }
            if let identity = key.globalIdentity, var log = state.globalLogs[identity] {
                log.sent.removeAll { now - $0 >= Self.globalSpan }
                state.globalLogs[identity] = log
                if log.sent.count >= configuration.globalRequestsPerSecond, let oldest = log.sent.first,
                    oldest + Self.globalSpan - now > wait
                {
                    wait = oldest + Self.globalSpan - now
                    global = true
                }
            }
            if wait > .zero {
                return wait > configuration.maxWait ? .reject(retryAfter: wait, global: global) : .wait(wait)
            }
            state.buckets[bucketKey]?.remaining -= 1
            if let identity = key.globalIdentity {
                state.globalLogs[identity, default: GlobalLog()].sent.append(now)
            }
            return .proceed
        }
    }

    /// Learns from a response's headers and, for a 429, how long to hold off.
    func record(_ response: HTTPResponse, for key: RateLimitKey) -> Outcome {
        let now = clock.now()
        let headers = response.headers
        let limits = HeaderLimits(headers)
        let tooMany = response.status == 429
        let body = tooMany ? JSON.parse(response.body) : nil
        return state.withLock { state in
            if let hash = limits.bucket, !hash.isEmpty, state.hashByRoute[key.route] != hash {
                // The route's bucket is now known by name: carry over what was learned under the route key.
                let oldKey = Self.bucketKey(key, state: state)
                state.hashByRoute[key.route] = hash
                let newKey = Self.bucketKey(key, state: state)
                if let learned = state.buckets.removeValue(forKey: oldKey), state.buckets[newKey] == nil {
                    state.buckets[newKey] = learned
                }
            }
            let bucketKey = Self.bucketKey(key, state: state)
            if let limit = limits.limit, let remaining = limits.remaining, let resetAfter = limits.resetAfter {
                let resetAt = now + resetAfter
                if var bucket = state.buckets[bucketKey], bucket.resetAt > now {
                    // Same window: responses can arrive out of order, and reservations are not yet counted
                    // by Discord, so keep the lower count and the later reset.
                    bucket.limit = limit
                    bucket.remaining = min(bucket.remaining, remaining)
                    bucket.resetAt = max(bucket.resetAt, resetAt)
                    bucket.window = max(bucket.window, resetAfter)
                    state.buckets[bucketKey] = bucket
                } else {
                    let window = max(state.buckets[bucketKey]?.window ?? .zero, resetAfter)
                    state.buckets[bucketKey] = Bucket(limit: limit, remaining: remaining, resetAt: resetAt, window: window)
                }
            }
            defer { Self.prune(&state, now: now) }
            guard tooMany else { return .ok }

            guard headers.containsName(withPrefix: "X-RateLimit-"), body?.object != nil else {
                let pause = limits.retryAfterHeader ?? configuration.banPause
                state.pausedUntil = max(state.pausedUntil, now + pause)
                return .banned(retryAfter: pause)
            }
            let retryAfter =
                body?["retry_after"]?.number.map { Duration.seconds(fractional: $0) }
                ?? limits.retryAfterHeader ?? limits.resetAfter ?? .seconds(1)
            let global = body?["global"]?.bool == true || limits.global || limits.scope == "global"
            if global {
                state.pausedUntil = max(state.pausedUntil, now + retryAfter)
            } else {
                var bucket =
                    state.buckets[bucketKey]
                    ?? Bucket(limit: limits.limit ?? 1, remaining: 0, resetAt: now, window: retryAfter)
                bucket.remaining = 0
                bucket.resetAt = max(bucket.resetAt, now + retryAfter)
                state.buckets[bucketKey] = bucket
            }
            return .limited(retryAfter: retryAfter, global: global)
        }
    }

    /// Until when every route is paused (a global 429 or a ban), if it is; for status pages.
    public var globalPauseRemaining: Duration? {
        let now = clock.now()
        let until = state.withLock { $0.pausedUntil }
        return until > now ? until - now : nil
    }

    private static func bucketKey(_ key: RateLimitKey, state: State) -> String {
        (state.hashByRoute[key.route] ?? key.route) + "|" + key.major
    }

    /// Keeps the table small: buckets idle for a minute after their reset are forgotten (their hash
    /// mapping stays, so the next response re-learns them).
    private static func prune(_ state: inout State, now: Duration) {
        guard state.buckets.count > 1024 else { return }
        state.buckets = state.buckets.filter { $0.value.resetAt + .seconds(60) > now }
        state.globalLogs = state.globalLogs.filter { now - ($0.value.sent.last ?? .zero) < .seconds(60) }
    }
}

/// The `X-RateLimit-*` and `Retry-After` headers of one response.
private struct HeaderLimits {
    var bucket: String?
    var limit: Int?
    var remaining: Int?
    var resetAfter: Duration?
    var retryAfterHeader: Duration?
    var global: Bool
    var scope: String?

    init(_ headers: HTTPHeaders) {
        bucket = headers["X-RateLimit-Bucket"]
        limit = headers["X-RateLimit-Limit"].flatMap { Int($0) }
        remaining = headers["X-RateLimit-Remaining"].flatMap { Int($0) }
        resetAfter = headers["X-RateLimit-Reset-After"].flatMap { Double($0) }.map { Duration.seconds(fractional: $0) }
        retryAfterHeader = headers["Retry-After"].flatMap { Double($0) }.map { Duration.seconds(fractional: $0) }
        global = headers["X-RateLimit-Global"]?.lowercased() == "true"
        scope = headers["X-RateLimit-Scope"]?.lowercased()
    }
}
