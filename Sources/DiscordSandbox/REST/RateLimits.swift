import Crypto
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How many requests a bucket allows per window.
struct RateLimit: Sendable {
    var limit: Int
    var window: Duration

    /// Generous enough that an ordinary flow never meets it; tests lower it through the control API.
    static let routeDefault = RateLimit(limit: 50, window: .seconds(1))
    /// Message create, per channel: the limit Discord applies in practice (docs: `topics/rate-limits` calls it folklore).
    static let messageCreate = RateLimit(limit: 5, window: .seconds(5))
    /// Add and Remove Guild Member Role, one bucket per guild: the live API reports `X-RateLimit-Limit: 10`
    /// on a fixed window (discord/discord-api-docs#7680); the 10 s window is folklore, the docs give no number.
    static let memberRoles = RateLimit(limit: 10, window: .seconds(10))
    /// Modify Guild Member, per guild: as the role routes, undocumented too.
    static let memberModify = RateLimit(limit: 10, window: .seconds(10))
}

/// The state of one bucket after counting a request: what the `X-RateLimit-*` headers say.
struct BucketStatus: Sendable {
    let limit: Int
    let remaining: Int
    let resetAfterMilliseconds: Int
    /// When the bucket resets, in milliseconds since 1970; fixed for the whole window.
    let resetEpochMilliseconds: Int
    /// The opaque `X-RateLimit-Bucket` value.
    let hash: String
}

/// Why a request was refused with 429 (docs: `topics/rate-limits`).
struct RateLimitRejection: Sendable {
    /// `X-RateLimit-Scope` (developers/topics/rate-limits, "Header Format").
    enum Scope: String, Sendable, Decodable {
        /// The bot's own per-route limit.
        case user
        /// The bot's global limit.
        case global
        /// A limit on the resource, shared by everyone using it (only injected by a fault here).
        case shared
    }

    let scope: Scope
    let retryAfterMilliseconds: Int
    /// The exhausted route bucket; `nil` for the global limit, whose 429 carries no bucket headers.
    let bucket: BucketStatus?
}

/// Per-route buckets keyed by (bucket, major parameters, caller), plus the global per-bot-token limit.
/// Windows are fixed: they start with the first request and reset `window` later. Switched off, it lets
/// every request through without counting it or sending `X-RateLimit-*` headers.
struct RateLimiter: Sendable {
    static let defaultGlobalPerSecond = 50
    /// Path parameters that make a separate bucket per resource, like Discord's top-level resources.
    static let majorParameterNames = ["channel.id", "guild.id", "webhook.id", "webhook.token", "interaction.id"]

    enum Decision: Sendable {
        case allowed(BucketStatus)
        case limited(RateLimitRejection)
        /// The limiter is switched off.
        case unlimited
    }

    private struct BucketKey: Hashable {
        let bucket: String
        let majorParameters: [String]
        let identity: String
    }

    private struct Window {
        var used: Int
        let resetsAt: ContinuousClock.Instant
        let resetEpochMilliseconds: Int
    }

    /// Route name (`GET /users/@me`) → bucket name; routes sharing a bucket map to the same name.
    let bucketsByRoute: [String: String]
    private let hashesByBucket: [String: String]
    private var limitsByBucket: [String: RateLimit]
    private(set) var globalPerSecond = RateLimiter.defaultGlobalPerSecond
    private(set) var isEnabled = true
    private var windows: [BucketKey: Window] = [:]
    private var globalWindows: [String: Window] = [:]

    /// - Parameter limitsByBucket: buckets whose limit is not `RateLimit.routeDefault`.
    init(bucketsByRoute: [String: String], limitsByBucket: [String: RateLimit]) {
        self.bucketsByRoute = bucketsByRoute
        self.limitsByBucket = limitsByBucket
        hashesByBucket = Dictionary(
            Set(bucketsByRoute.values).map { ($0, Self.hash(bucket: $0)) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    func limit(bucket: String) -> RateLimit {
        limitsByBucket[bucket] ?? .routeDefault
    }

    func hash(bucket: String) -> String {
        hashesByBucket[bucket] ?? Self.hash(bucket: bucket)
    }

    /// Changes a route's bucket (and so every route sharing it) and starts its windows afresh.
    mutating func setLimit(_ limit: RateLimit, bucket: String) {
        limitsByBucket[bucket] = limit
        windows = windows.filter { $0.key.bucket != bucket }
    }

    mutating func setGlobalPerSecond(_ limit: Int) {
        globalPerSecond = limit
        globalWindows = [:]
    }

    /// Switches every limit off or on; either way all windows start afresh.
    mutating func setEnabled(_ enabled: Bool) {
        isEnabled = enabled
        windows = [:]
        globalWindows = [:]
    }

    /// Counts one request: first against the bot token's global limit, then against the route bucket.
    mutating func admit(
        bucket: String,
        majorParameters: [String],
        identity: String,
        botToken: String?,
        now: ContinuousClock.Instant
    ) -> Decision {
        guard isEnabled else { return .unlimited }
        if let botToken {
            var global = current(globalWindows[botToken], window: .seconds(1), now: now)
            guard global.used < globalPerSecond else {
                return .limited(
                    RateLimitRejection(scope: .global, retryAfterMilliseconds: global.resetsAt.milliseconds(after: now), bucket: nil)
                )
            }
            global.used += 1
            globalWindows[botToken] = global
        }

        let limit = limit(bucket: bucket)
        let key = BucketKey(bucket: bucket, majorParameters: majorParameters, identity: identity)
        var window = current(windows[key], window: limit.window, now: now)
        let resetAfter = window.resetsAt.milliseconds(after: now)
        guard window.used < limit.limit else {
            let status = BucketStatus(
                limit: limit.limit,
                remaining: 0,
                resetAfterMilliseconds: resetAfter,
                resetEpochMilliseconds: window.resetEpochMilliseconds,
                hash: hash(bucket: bucket)
            )
            return .limited(RateLimitRejection(scope: .user, retryAfterMilliseconds: resetAfter, bucket: status))
        }
        window.used += 1
        windows[key] = window
        return .allowed(
            BucketStatus(
                limit: limit.limit,
                remaining: limit.limit - window.used,
                resetAfterMilliseconds: resetAfter,
                resetEpochMilliseconds: window.resetEpochMilliseconds,
                hash: hash(bucket: bucket)
            )
        )
    }

    private func current(_ window: Window?, window length: Duration, now: ContinuousClock.Instant) -> Window {
        if let window, window.resetsAt > now { return window }
        return Window(
            used: 0,
            resetsAt: now + length,
            resetEpochMilliseconds: BucketStatus.epochMilliseconds() + length.wholeMilliseconds
        )
    }

    /// A stable opaque bucket id: the first 16 bytes of SHA-256 of the bucket name, in hex.
    private static func hash(bucket: String) -> String {
        SHA256.hash(data: Array(bucket.utf8)).prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}

// MARK: - On the wire

extension BucketStatus {
    func apply(to headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: "X-RateLimit-Limit", value: String(limit))
        headers.replaceOrAdd(name: "X-RateLimit-Remaining", value: String(remaining))
        headers.replaceOrAdd(name: "X-RateLimit-Reset", value: Self.seconds(resetEpochMilliseconds))
        headers.replaceOrAdd(name: "X-RateLimit-Reset-After", value: Self.seconds(resetAfterMilliseconds))
        headers.replaceOrAdd(name: "X-RateLimit-Bucket", value: hash)
    }

    /// Seconds with three decimals, from milliseconds: `1470173023.123`.
    static func seconds(_ milliseconds: Int) -> String {
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func epochMilliseconds() -> Int {
        Int((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

extension RateLimitRejection {
    /// The 429 Discord sends: `Retry-After` in whole seconds, `retry_after` in the body with decimals.
    var response: SandboxResponse {
        // The wording of the docs' examples (developers/topics/rate-limits, "Exceeding A Rate Limit").
        let message = scope == .shared ? "The resource is being rate limited." : "You are being rate limited."
        var response = SandboxResponse.json(
            [
                "message": .string(message),
                "retry_after": .seconds(milliseconds: retryAfterMilliseconds),
                "global": .bool(scope == .global),
            ],
            status: .tooManyRequests
        )
        response.headers.add(name: "Retry-After", value: String((retryAfterMilliseconds + 999) / 1000))
        if scope == .global {
            response.headers.add(name: "X-RateLimit-Global", value: "true")
        }
        response.headers.add(name: "X-RateLimit-Scope", value: scope.rawValue)
        // Clients (discord.py among them) take a 429 without `Via` for a Cloudflare ban, not a rate limit.
        response.headers.add(name: "Via", value: "1.1 google")
        bucket?.apply(to: &response.headers)
        return response
    }
}

extension ContinuousClock.Instant {
    /// Whole milliseconds from `earlier` to this instant, rounded up, never negative.
    func milliseconds(after earlier: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = (self - earlier).components
        return max(0, Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
    }
}

extension Duration {
    var wholeMilliseconds: Int {
        Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
