import Foundation

/// A schedule's interval as people write it: a number of seconds, minutes, hours or days.
enum ScheduleInterval {
    enum Unit: String, CaseIterable {
        case seconds, minutes, hours, days

        var seconds: Int {
            switch self {
            case .seconds: return 1
            case .minutes: return 60
            case .hours: return 3600
            case .days: return 86400
            }
        }

        var abbreviation: String {
            switch self {
            case .seconds: return "s"
            case .minutes: return "min"
            case .hours: return "h"
            case .days: return "days"
            }
        }
    }

    /// The largest unit that measures `seconds` exactly: 300 is 5 minutes, 604800 is 7 days.
    static func split(_ seconds: Int) -> (value: Int, unit: Unit) {
        let unit = Unit.allCases.reversed().first { seconds > 0 && seconds % $0.seconds == 0 } ?? .seconds
        return (seconds / unit.seconds, unit)
    }

    /// "5 min", "7 days", "90 s".
    static func text(_ seconds: Int) -> String {
        let (value, unit) = split(seconds)
        return value == 1 && unit == .days ? "1 day" : "\(value) \(unit.abbreviation)"
    }

    /// Seconds from a form's number and unit; nil (with a field error) when they are not a whole number and
    /// one of the units.
    static func seconds(value text: String?, unit unitText: String?, errors: inout [FieldError]) -> Int? {
        guard let unit = unitText.flatMap(Unit.init(rawValue:)) else {
            errors.append(FieldError("unit", "must be one of: \(Unit.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        guard let value = text.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), value > 0 else {
            errors.append(FieldError("interval", "must be a positive whole number"))
            return nil
        }
        let (seconds, overflow) = value.multipliedReportingOverflow(by: unit.seconds)
        return overflow ? Int.max : seconds
    }
}
