import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One REQUEST_GUILD_MEMBERS (op 8) the gateway received, as `GET /_sandbox/gateway/member-requests` lists it.
struct MemberRequestRecord: Sendable {
    let guildID: String
    let nonce: String?
    let query: String?
    let limit: Int
    let presences: Bool
    /// Answered with RATE_LIMITED instead of chunks.
    let rateLimited: Bool
    let time: Date

    var json: JSON {
        [
            "guild_id": .string(guildID),
            "nonce": nonce.json,
            "query": query.json,
            "limit": .int(limit),
            "presences": .bool(presences),
            "rate_limited": .bool(rateLimited),
            "at": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(time)),
        ]
    }
}

/// Every op 8 received, and the limit on "all members" requests: one per guild per window, for the
/// whole bot (docs: `events/gateway-events` "Request Guild Members").
struct MemberRequestLog: Sendable {
    /// Oldest records are dropped beyond this.
    static let capacity = 10_000

    private(set) var records: [MemberRequestRecord] = []
    private var nextAllMembersRequest: [String: ContinuousClock.Instant] = [:]

    mutating func record(_ record: MemberRequestRecord) {
        if records.count == Self.capacity { records.removeFirst() }
        records.append(record)
    }

    /// Counts an "all members" request for the guild: `nil` when it may go ahead, otherwise how long
    /// until the next one may.
    mutating func admitAllMembers(guildID: String, window: Duration, now: ContinuousClock.Instant) -> Duration? {
        if let allowedAt = nextAllMembersRequest[guildID], allowedAt > now {
            return allowedAt - now
        }
        nextAllMembersRequest[guildID] = now + window
        return nil
    }
}
