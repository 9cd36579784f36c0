import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One request the sandbox answered (or dropped), as `GET /_sandbox/requests` lists it.
struct RequestLogEntry: Sendable {
    let method: String
    let path: String
    let query: String?
    let userAgent: String?
    let authorizationKind: String?
    /// The matched route (`GET /users/@me`), `nil` if none matched.
    let route: String?
    /// `nil` when the connection was closed without a response.
    let status: Int?
    let fault: Fault.Kind?
    /// Set when the rate limiter (not an injected fault) answered 429.
    let rateLimitScope: RateLimitRejection.Scope?
    let time: Date

    var json: JSON {
        [
            "method": .string(method),
            "path": .string(path),
            "query": query.json,
            "user_agent": userAgent.json,
            "authorization_kind": authorizationKind.json,
            "route": route.json,
            "status": status.map(JSON.int) ?? .null,
            "fault": (fault?.rawValue).json,
            "rate_limit_scope": (rateLimitScope?.rawValue).json,
            "time": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(time)),
        ]
    }
}

/// The most recent requests plus the counters tests assert on ("no 429 provoked").
struct RequestLog: Sendable {
    /// Oldest entries are dropped beyond this; the counters keep counting.
    static let capacity = 10_000

    private(set) var entries: [RequestLogEntry] = []
    /// 429s sent by the rate limiter (route buckets and the global limit), not by injected faults.
    private(set) var rateLimited = 0
    /// The same by route name (`PUT /guilds/{guild.id}/members/{user.id}/roles/{role.id}`).
    private(set) var rateLimitedByRoute: [String: Int] = [:]
    /// Faults applied, of any kind.
    private(set) var injected = 0

    mutating func record(_ entry: RequestLogEntry) {
        if entries.count == Self.capacity { entries.removeFirst() }
        entries.append(entry)
        if entry.rateLimitScope != nil {
            rateLimited += 1
            if let route = entry.route { rateLimitedByRoute[route, default: 0] += 1 }
        }
        if entry.fault != nil { injected += 1 }
    }

    var json: JSON {
        [
            "requests": .array(entries.map(\.json)),
            "rate_limited": .int(rateLimited),
            "injected": .int(injected),
        ]
    }
}
