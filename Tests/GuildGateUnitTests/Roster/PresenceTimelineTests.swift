import Foundation
import GuildGateCore
import Store
import Testing

/// The history math of a staff member's page: intervals clipped to the range, seconds online per UTC day
/// across midnight, the hour-of-day buckets.
@Suite struct PresenceTimelineMath {
    /// 2026-12-01T00:00:00Z, a Tuesday.
    static let midnight = Date(timeIntervalSince1970: 1_796_083_200)

    static func at(day: Int = 0, _ hours: Double) -> Date {
        midnight.addingTimeInterval(Double(day) * 86_400 + hours * 3_600)
    }

    static func interval(_ status: String, _ start: Date, _ end: Date?) -> PresenceInterval {
        PresenceInterval(status: status, customStatus: nil, activity: nil, start: start, end: end)
    }

    @Test func intervalsAreClippedToTheRangeAndTheOpenOneEndsNow() {
        let history = [
            Self.interval("online", Self.at(-2), Self.at(1)),
            Self.interval("idle", Self.at(1), Self.at(2)),
            Self.interval("dnd", Self.at(2), nil),
        ]
        let timeline = PresenceTimeline(history: history, from: Self.at(0), to: Self.at(10), now: Self.at(3.5))
        #expect(timeline.intervals.map(\.status) == ["online", "idle", "dnd"])
        #expect(timeline.intervals.first?.start == Self.at(0))
        #expect(timeline.intervals.last?.end == Self.at(3.5))
        #expect(timeline.onlineSeconds == Int(3.5 * 3_600))

        let past = PresenceTimeline(history: history, from: Self.at(0), to: Self.at(3), now: Self.at(20))
        #expect(past.intervals.last?.end == Self.at(3), "an open interval stops at the end of the range")
        let none = PresenceTimeline(history: history, from: Self.at(day: 5, 0), to: Self.at(day: 5, 1), now: Self.at(day: 2, 0))
        #expect(none.intervals.isEmpty, "nothing after now")
    }

    @Test func offlineTimeIsNotOnlineAndSecondsSplitAtMidnightUTC() {
        let history = [
            Self.interval("online", Self.at(day: 0, 22), Self.at(day: 1, 1.5)),
            Self.interval("offline", Self.at(day: 1, 1.5), Self.at(day: 1, 9)),
            Self.interval("idle", Self.at(day: 1, 9), Self.at(day: 1, 9.25)),
        ]
        let timeline = PresenceTimeline(history: history, from: Self.at(day: 0, 12), to: Self.at(day: 2, 0), now: Self.at(day: 3, 0))
        #expect(timeline.days.map(\.start) == [Self.midnight, Self.at(day: 1, 0)])
        #expect(timeline.days.map(\.onlineSeconds) == [2 * 3_600, 5_400 + 900])
        #expect(timeline.onlineSeconds == 2 * 3_600 + 5_400 + 900)
    }

    @Test func theHeatmapSumsEachHourOfTheDayOverTheRange() {
        let history = [
            Self.interval("online", Self.at(day: 0, 9.5), Self.at(day: 0, 11)),
            Self.interval("dnd", Self.at(day: 1, 9), Self.at(day: 1, 9.25)),
            Self.interval("offline", Self.at(day: 1, 9.25), Self.at(day: 1, 23.5)),
            Self.interval("online", Self.at(day: 1, 23.5), Self.at(day: 2, 0.5)),
        ]
        let timeline = PresenceTimeline(history: history, from: Self.midnight, to: Self.at(day: 3, 0), now: Self.at(day: 3, 0))
        var expected = [Int](repeating: 0, count: 24)
        expected[9] = 1_800 + 900
        expected[10] = 3_600
        expected[23] = 1_800
        expected[0] = 1_800
        #expect(timeline.hourlyOnlineSeconds == expected)
        #expect(timeline.days.map(\.onlineSeconds) == [5_400, 900 + 1_800, 1_800])
    }

    @Test func aRangeNotStartingAtMidnightStillCountsWholeUTCDays() {
        let history = [Self.interval("online", Self.at(day: 0, 23), Self.at(day: 1, 2))]
        let timeline = PresenceTimeline(history: history, from: Self.at(day: 0, 23.5), to: Self.at(day: 1, 1), now: Self.at(day: 4, 0))
        #expect(timeline.days.map(\.onlineSeconds) == [1_800, 3_600])
        #expect(timeline.hourlyOnlineSeconds[23] == 1_800 && timeline.hourlyOnlineSeconds[0] == 3_600)
    }

    @Test func rangesAreParsedBoundedAndNameTheBadField() throws {
        let now = Self.at(day: 10, 12)
        let defaulted = try PresenceRange(from: nil, to: nil, now: now)
        #expect(defaulted.to == now && defaulted.from == now.addingTimeInterval(-7 * 86_400))
        let dates = try PresenceRange(from: "2026-12-01", to: "2026-12-02T06:00:00+02:00", now: now)
        #expect(dates.from == Self.midnight && dates.to == Self.at(day: 1, 4))
        #expect(refusal(from: "yesterday", to: nil, now: now) == "from")
        #expect(refusal(from: nil, to: "12/01/2026", now: now) == "to")
        #expect(refusal(from: "2026-12-03", to: "2026-12-02", now: now) == "from")
        #expect(refusal(from: "2026-10-01", to: "2026-12-02", now: now) == "from", "more than 31 days")
        let page = PresenceRange.wholeDays(7, until: now)
        #expect(page.from == Self.at(day: 4, 0) && page.to == now)
    }

    /// The field a refused range names; nil when it is accepted.
    private func refusal(from: String?, to: String?, now: Date) -> String? {
        do {
            _ = try PresenceRange(from: from, to: to, now: now)
            return nil
        } catch {
            return error.field
        }
    }
}
