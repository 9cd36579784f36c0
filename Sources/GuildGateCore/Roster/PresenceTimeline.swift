import Foundation
import Store

/// A member's presence over a range of time, as a staff member's page and its API show it: the history's
/// intervals clipped to the range, the seconds online (any status but offline) on each UTC day the range
/// touches, and the seconds online in each hour of the day (UTC), summed over the range.
public struct PresenceTimeline: Sendable, Equatable {
    /// Seconds online on one UTC day.
    public struct Day: Sendable, Equatable {
        /// Midnight UTC.
        public let start: Date
        public let onlineSeconds: Int
    }

    public let from: Date
    public let to: Date
    /// Oldest first, each within [`from`, `to`] and ended (the current one at `now` or `to`).
    public let intervals: [PresenceInterval]
    public let days: [Day]
    /// 24 buckets: hour 0 (00:00–01:00 UTC) first.
    public let hourlyOnlineSeconds: [Int]

    public var onlineSeconds: Int { days.reduce(0) { $0 + $1.onlineSeconds } }

    /// `history` is what the store returned for the range (overlapping it, oldest first); an interval still
    /// open runs until `now`.
    public init(history: [PresenceInterval], from: Date, to: Date, now: Date) {
        self.from = from
        self.to = to
        intervals = history.compactMap { interval in
            let start = max(interval.start, from)
            let end = min(interval.end ?? max(now, interval.start), to)
            guard end > start else { return nil }
            return PresenceInterval(
                status: interval.status, customStatus: interval.customStatus, activity: interval.activity, start: start, end: end)
        }
        let firstDay = Self.floor(from.timeIntervalSince1970, to: Self.day)
        let dayCount = max(1, Int(((to.timeIntervalSince1970 - firstDay) / Self.day).rounded(.up)))
        var daySeconds = [Double](repeating: 0, count: dayCount)
        var hourSeconds = [Double](repeating: 0, count: 24)
        for interval in intervals where interval.status != "offline" {
            var moment = interval.start.timeIntervalSince1970
            let end = (interval.end ?? interval.start).timeIntervalSince1970
            // Hour by hour: each hour lies within one day and one bucket.
            while moment < end {
                let hourStart = Self.floor(moment, to: Self.hour)
                let next = min(end, hourStart + Self.hour)
                let dayIndex = Int((hourStart - firstDay) / Self.day)
                if daySeconds.indices.contains(dayIndex) { daySeconds[dayIndex] += next - moment }
                hourSeconds[Int(hourStart / Self.hour) % 24] += next - moment
                moment = next
            }
        }
        days = daySeconds.enumerated().map { index, seconds in
            Day(start: Date(timeIntervalSince1970: firstDay + Double(index) * Self.day), onlineSeconds: Int(seconds.rounded()))
        }
        hourlyOnlineSeconds = hourSeconds.map { Int($0.rounded()) }
    }

    static let hour = 3_600.0
    static let day = 86_400.0

    private static func floor(_ seconds: TimeInterval, to unit: Double) -> Double {
        (seconds / unit).rounded(.down) * unit
    }
}
