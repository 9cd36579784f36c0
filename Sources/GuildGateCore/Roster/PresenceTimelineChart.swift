import Foundation
import Store

/// A `PresenceTimeline` drawn as inline SVG for a staff member's page: one row per UTC day with the
/// statuses as coloured bars (each with a title saying what and when), and the hour-of-day heatmap.
public enum PresenceTimelineChart {
    static let labelWidth = 90.0
    static let plotWidth = 720.0
    static let rowHeight = 22.0
    static let top = 20.0

    /// One row per day of the timeline, newest last.
    public static func timeline(_ timeline: PresenceTimeline) -> String {
        let height = top + Double(timeline.days.count) * rowHeight + 4
        let width = labelWidth + plotWidth
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(SVGText.number(width))" height="\(SVGText.number(height))" \
            viewBox="0 0 \(SVGText.number(width)) \(SVGText.number(height))" role="img" aria-label="Presence by day (UTC)" \
            font-family="system-ui,sans-serif" font-size="11">
            """
        for hour in stride(from: 0, through: 24, by: 3) {
            let x = labelWidth + plotWidth * Double(hour) / 24
            svg += "<text x=\"\(SVGText.number(x))\" y=\"12\" text-anchor=\"middle\" fill=\"#667085\">\(hour)</text>"
        }
        for (row, day) in timeline.days.enumerated() {
            let y = top + Double(row) * rowHeight
            svg += "<text x=\"0\" y=\"\(SVGText.number(y + 15))\" fill=\"#344054\">\(dayLabel(day.start))</text>"
            svg += "<rect x=\"\(SVGText.number(labelWidth))\" y=\"\(SVGText.number(y + 3))\" width=\"\(SVGText.number(plotWidth))\""
            svg += " height=\"16\" fill=\"#f2f4f7\"/>"
            let dayEnd = day.start.addingTimeInterval(PresenceTimeline.day)
            for interval in timeline.intervals {
                let start = max(interval.start, day.start)
                let end = min(interval.end ?? interval.start, dayEnd)
                guard end > start else { continue }
                let x = labelWidth + plotWidth * start.timeIntervalSince(day.start) / PresenceTimeline.day
                let barWidth = max(0.5, plotWidth * end.timeIntervalSince(start) / PresenceTimeline.day)
                svg += "<rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y + 3))\" width=\"\(SVGText.number(barWidth))\""
                svg += " height=\"16\" fill=\"\(SVGText.colour(interval.status))\"><title>\(title(interval, start, end))</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// 24 cells, 00:00–01:00 UTC first, darker the more time online in that hour over the range.
    public static func heatmap(_ timeline: PresenceTimeline) -> String {
        let cell = plotWidth / 24
        let width = labelWidth + plotWidth
        let most = max(1, timeline.hourlyOnlineSeconds.max() ?? 0)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(SVGText.number(width))" height="52" \
            viewBox="0 0 \(SVGText.number(width)) 52" role="img" aria-label="Time online by hour of day (UTC)" \
            font-family="system-ui,sans-serif" font-size="11">\
            <text x="0" y="26" fill="#344054">Hour (UTC)</text>
            """
        for (hour, seconds) in timeline.hourlyOnlineSeconds.enumerated() {
            let x = labelWidth + Double(hour) * cell
            let opacity = seconds == 0 ? 0.06 : 0.15 + 0.85 * Double(seconds) / Double(most)
            svg += "<rect x=\"\(SVGText.number(x + 1))\" y=\"8\" width=\"\(SVGText.number(cell - 2))\" height=\"26\" rx=\"3\""
            svg += " fill=\"#23a55a\" fill-opacity=\"\(String(format: "%.2f", opacity))\">"
            svg += "<title>\(String(format: "%02d", hour)):00–\(String(format: "%02d", (hour + 1) % 24)):00 UTC: "
            svg += "\(duration(seconds)) online</title></rect>"
            svg += "<text x=\"\(SVGText.number(x + cell / 2))\" y=\"48\" text-anchor=\"middle\" fill=\"#667085\">\(hour)</text>"
        }
        return svg + "</svg>"
    }

    /// `3 h 05 min`, `12 min`, `0 min`.
    public static func duration(_ seconds: Int) -> String {
        let minutes = seconds / 60
        guard minutes >= 60 else { return "\(minutes) min" }
        return "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min"
    }

    /// `Mon 30 Nov`.
    public static func dayLabel(_ day: Date) -> String {
        let parts = calendar.dateComponents([.weekday, .day, .month], from: day)
        let weekday = calendar.shortWeekdaySymbols[(parts.weekday ?? 1) - 1]
        let month = calendar.shortMonthSymbols[(parts.month ?? 1) - 1]
        return "\(weekday) \(parts.day ?? 1) \(month)"
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        return calendar
    }()

    private static func title(_ interval: PresenceInterval, _ start: Date, _ end: Date) -> String {
        var text = Roster.label(interval.status)
        if let custom = interval.customStatus { text += " · " + custom }
        if let activity = interval.activity { text += " · " + activity }
        return SVGText.escaped(text, limit: 120) + ", \(clock(start))–\(clock(end)) UTC"
    }

    private static func clock(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}
