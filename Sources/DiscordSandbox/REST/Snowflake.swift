#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Ids of what the sandbox creates (messages, attachments, DM channels, commands, interactions): Discord
/// snowflakes, `(milliseconds since 2015 << 22) | counter` (docs: `reference` "HTTP API"), strictly increasing, so ordering
/// by id is ordering by creation.
struct SnowflakeGenerator: Sendable {
    private var last: UInt64 = 0

    mutating func next(now: Date) -> String {
        let milliseconds = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        let base = milliseconds > Snowflake.epochMilliseconds ? (milliseconds - Snowflake.epochMilliseconds) << 22 : 0
        last = max(base, last + 1)
        return String(last)
    }
}

enum Snowflake {
    /// 2015-01-01T00:00:00Z, Discord's epoch, in Unix milliseconds.
    static let epochMilliseconds: UInt64 = 1_420_070_400_000

    /// The id as a number, `nil` when it is not a snowflake (1–20 digits that fit 64 bits).
    static func value(_ id: String) -> UInt64? {
        guard !id.isEmpty, id.count <= 20, id.allSatisfy(\.isASCIIDigit) else { return nil }
        return UInt64(id)
    }

    /// When the id was made.
    static func date(of id: UInt64) -> Date {
        Date(timeIntervalSince1970: Double((id >> 22) + epochMilliseconds) / 1000)
    }

    /// A timestamp as Discord writes message timestamps: `2026-11-23T16:00:00.123000+00:00`.
    static func timestamp(_ date: Date) -> String {
        let text = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
        return text.hasSuffix("Z") ? text.dropLast() + "000+00:00" : text
    }
}
