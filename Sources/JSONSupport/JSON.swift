/// A JSON value: decoded from request bodies, written by hand for responses (Foundation's encoder
/// costs more than the whole FastCGI hop on small payloads).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public static func int(_ value: Int) -> JSON { .number(Double(value)) }

    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// A whole number, also from a numeric string (Discord sends snowflakes and some counts as strings).
    public var integer: Int? {
        switch self {
        case .number(let value) where value == value.rounded() && abs(value) < 9e15: return Int(value)
        case .string(let value): return Int(value)
        default: return nil
        }
    }

    /// A whole number, only from a JSON number (`integer` also reads numeric strings).
    public var wholeNumber: Int? {
        if case .number(let value) = self, value == value.rounded(), abs(value) < 9e15 { return Int(value) }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var array: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of an object by name (the last of repeated names), or nil for other values.
    public var object: [String: JSON]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members, uniquingKeysWith: { _, last in last })
    }

    /// Parses a JSON document (RFC 8259, nesting up to 64 levels); nil when it is not valid JSON.
    public static func parse(_ bytes: [UInt8]) -> JSON? {
        var parser = JSONParser(bytes: bytes)
        return parser.document()
    }

    /// Compact JSON text, safe inside HTML: `<`, `>`, U+2028 and U+2029 are written as `\uXXXX`.
    public var serialized: String {
        serialized(escapingHTML: true)
    }

    /// Compact JSON text; without `escapingHTML` only what JSON requires is escaped (`"`, `\`, control
    /// characters), as Discord writes it (`"content":"<@1> hi"`).
    public func serialized(escapingHTML: Bool) -> String {
        var out = ""
        write(to: &out, escapingHTML: escapingHTML)
        return out
    }

    private func write(to out: inout String, escapingHTML: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { out += String(Int64(value)) } else { out += String(value) }
        case .string(let value): JSON.writeString(value, to: &out, escapingHTML: escapingHTML)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out, escapingHTML: escapingHTML)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                JSON.writeString(key, to: &out, escapingHTML: escapingHTML)
                out += ":"
                value.write(to: &out, escapingHTML: escapingHTML)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, to out: inout String, escapingHTML: Bool) {
        out += "\""
        // Most strings need no escaping: copy them whole instead of scalar by scalar.
        if !value.utf8.contains(where: { byte in
            byte < 0x20 || byte == 0x22 || byte == 0x5C || (escapingHTML && (byte == 0x3C || byte == 0x3E || byte == 0xE2))
        }) {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where escapingHTML: out += "\\u003c"
            case ">" where escapingHTML: out += "\\u003e"
            case "\u{2028}" where escapingHTML: out += "\\u2028"
            case "\u{2029}" where escapingHTML: out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension Optional where Wrapped == String {
    /// The string as JSON, or `null`.
    public var json: JSON { map(JSON.string) ?? .null }
}
