import Foundation
import JSONSupport

/// Why a presence range was refused: the field (`from`, `to`) and what is wrong with it.
public struct PresenceRangeError: Error, Equatable {
    public let field: String
    public let reason: String
}

/// The range of a staff member's presence history asked for (`?from&to`): RFC 3339 date-times or
/// `YYYY-MM-DD` dates (midnight UTC); `to` defaults to now and `from` to seven days before `to`. At most
/// ``maximumDays`` long, `from` before `to`.
public struct PresenceRange: Sendable, Equatable {
    public static let defaultDays = 7
    public static let maximumDays = 31

    public let from: Date
    public let to: Date

    public init(from fromText: String?, to toText: String?, now: Date) throws(PresenceRangeError) {
        let to = try toText.map { text throws(PresenceRangeError) in try Self.parse(text, field: "to") } ?? now
        let from =
            try fromText.map { text throws(PresenceRangeError) in try Self.parse(text, field: "from") }
            ?? to.addingTimeInterval(-Double(Self.defaultDays) * 86_400)
        guard from < to else { throw PresenceRangeError(field: "from", reason: "must be before to") }
        guard to.timeIntervalSince(from) <= Double(Self.maximumDays) * 86_400 else {
            throw PresenceRangeError(field: fromText == nil ? "to" : "from", reason: "the range may cover at most \(Self.maximumDays) days")
        }
        self.from = from
        self.to = to
    }

    /// Today (UTC) up to `now` and the `days - 1` whole days before it: what a staff member's page shows.
    public static func wholeDays(_ days: Int, until now: Date) -> PresenceRange {
        let today = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        return PresenceRange(checkedFrom: Date(timeIntervalSince1970: today - Double(days - 1) * 86_400), to: now)
    }

    private init(checkedFrom from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    private static func parse(_ text: String, field: String) throws(PresenceRangeError) -> Date {
        if let date = ISO8601Timestamp.parse(text) { return date }
        if text.utf8.count == 10, let date = ISO8601Timestamp.parse(text + "T00:00:00Z") { return date }
        throw PresenceRangeError(field: field, reason: "must be an ISO 8601 date-time such as 2026-12-01T00:00:00Z, or a date")
    }
}
