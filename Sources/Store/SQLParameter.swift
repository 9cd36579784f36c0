import Foundation

/// A value sent to PostgreSQL as a text-format query parameter.
public protocol SQLParameter {
    /// The parameter in PostgreSQL's text input format, or nil for SQL NULL.
    var sqlText: String? { get }
}

extension String: SQLParameter {
    public var sqlText: String? { self }
}

extension Int: SQLParameter {
    public var sqlText: String? { String(self) }
}

extension Int64: SQLParameter {
    public var sqlText: String? { String(self) }
}

extension Bool: SQLParameter {
    public var sqlText: String? { self ? "t" : "f" }
}

extension Double: SQLParameter {
    public var sqlText: String? { String(self) }
}

extension Date: SQLParameter {
    public var sqlText: String? { PostgresTimestamp.format(self) }
}

/// Binary data, sent as a `bytea` in hex format.
public struct ByteA: SQLParameter, Sendable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var sqlText: String? {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension Optional: SQLParameter where Wrapped: SQLParameter {
    public var sqlText: String? { self?.sqlText }
}

/// Conversion between `Date` and PostgreSQL's timestamptz text form; connections run with `TimeZone=UTC`.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let micros = Int((date.timeIntervalSince1970 - Double(seconds)) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]+00`, the output of a UTC session.
    static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard scalars.count >= 19 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            var value = 0
            for index in from..<(from + length) {
                let digit = Int(scalars[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var fraction = 0.0
        var index = 19
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            while index < scalars.count, (48...57).contains(scalars[index]) {
                fraction += Double(scalars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + fraction)
    }
}
