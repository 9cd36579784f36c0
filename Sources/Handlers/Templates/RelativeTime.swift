import Foundation

/// "just now", "2 min ago", "3 h ago", "5 days ago"; "in 2 min".
enum RelativeTime {
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        return seconds < 60 ? "just now" : span(seconds) + " ago"
    }

    /// How long until `date`: "in 4 min", "in 6 days" ("now" once it is due).
    static func until(_ date: Date, now: Date) -> String {
        let seconds = Int(date.timeIntervalSince(now))
        return seconds < 60 ? "now" : "in " + span(seconds)
    }

    private static func span(_ seconds: Int) -> String {
        switch seconds {
        case ..<3600: return "\(seconds / 60) min"
        case ..<86400: return "\(seconds / 3600) h"
        default: return "\(seconds / 86400) days"
        }
    }
}
