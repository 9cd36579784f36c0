import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One change to a member's roles or nickname, as `GET /_sandbox/members/{id}/changes` lists it.
struct MemberChange: Sendable {
    enum Kind: Sendable {
        case roleAdded(roleID: String)
        case roleRemoved(roleID: String)
        /// `nil` is no nickname.
        case nick(from: String?, to: String?)
    }

    /// Who made the change.
    enum Actor: String, Sendable {
        /// The bot, through Discord's REST API.
        case bot
        /// Someone on Discord, through the control API.
        case control
    }

    let userID: String
    let kind: Kind
    let actor: Actor
    /// The request's `X-Audit-Log-Reason`, decoded.
    let reason: String?
    let time: Date

    var json: JSON {
        var fields: [(String, JSON)] = [("user_id", .string(userID))]
        switch kind {
        case .roleAdded(let roleID): fields += [("change", "role_added"), ("role_id", .string(roleID))]
        case .roleRemoved(let roleID): fields += [("change", "role_removed"), ("role_id", .string(roleID))]
        case .nick(let from, let to): fields += [("change", "nick"), ("from", from.json), ("to", to.json)]
        }
        fields += [
            ("by", .string(actor.rawValue)),
            ("reason", reason.json),
            ("time", .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(time))),
        ]
        return .object(fields)
    }
}

/// Every change made to members' roles and nicknames, oldest first, for tests to check that a sync made
/// exactly the changes it should. A change that changes nothing (a role the member already has) is not one.
struct MemberChangeLog: Sendable {
    /// Oldest entries are dropped beyond this.
    static let capacity = 100_000

    private(set) var entries: [MemberChange] = []

    mutating func record(_ changes: [MemberChange]) {
        entries.append(contentsOf: changes)
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
    }

    func changes(of userID: String) -> [MemberChange] {
        entries.filter { $0.userID == userID }
    }
}
