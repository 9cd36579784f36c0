import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON document as the sandbox writes it: objects keep the order their keys were written in,
/// so responses read like Discord's in a terminal.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// `nil` becomes `null`, so optional fields can be written as present-but-null the way Discord does.
    static func optional(_ string: String?) -> JSONValue {
        string.map(JSONValue.string) ?? .null
    }

    /// A duration in seconds with millisecond precision (`0.873`, not `0.8730000000000001`).
    static func seconds(milliseconds: Int) -> JSONValue {
        .number(Double(milliseconds) / 1000)
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(nilLiteral: ()) { self = .null }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int) { self = .integer(value) }
    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

// MARK: - Access

extension JSONValue {
    /// The member named `key` of an object; `nil` for a missing key or a value that is not an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// An object with `other`'s members replacing its own of the same name and added after them; other values
    /// are returned as they are.
    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(let own) = self, case .object(let new) = other else { return self }
        let replaced = own.map { member in (key: member.key, value: other[member.key] ?? member.value) }
        return .object(replaced + new.filter { member in self[member.key] == nil })
    }

    /// An object with more members after its own; other values are returned as they are.
    func appending(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
        guard case .object(let own) = self else { return self }
        return .object(own + members)
    }
}

// MARK: - Reading

extension JSONValue: Decodable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            // Decoded objects come from unordered storage: sort the keys so output is stable.
            self = .object(
                try object.allKeys.sorted { $0.stringValue < $1.stringValue }.map { key in
                    (key: key.stringValue, value: try object.decode(JSONValue.self, forKey: key))
                }
            )
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? value.decode(Int.self) {
            self = .integer(integer)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try value.decode(String.self))
        }
    }
}

extension JSONValue {
    /// The JSON body of a Discord request; text that is not JSON is Discord's 50109.
    init(discordBody buffer: ByteBuffer) throws(HTTPError) {
        do {
            self = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError.invalidJSON
        }
    }
}

// MARK: - Writing

extension JSONValue {
    /// Writes the JSON text in one go: built as a `String` first, since many small `ByteBuffer` writes
    /// cost far more, above all in debug builds.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeString(text)
    }

    /// The JSON text.
    var text: String {
        var text = ""
        append(to: &text)
        return text
    }

    private func append(to text: inout String) {
        switch self {
        case .null:
            text += "null"
        case .bool(let value):
            text += value ? "true" : "false"
        case .integer(let value):
            text += String(value)
        case .number(let value):
            text += value.isFinite ? String(value) : "null"
        case .string(let value):
            Self.appendQuoted(value, to: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                element.append(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { text += "," }
                Self.appendQuoted(member.key, to: &text)
                text += ":"
                member.value.append(to: &text)
            }
            text += "}"
        }
    }

    /// Strings without characters to escape (nearly all) are appended whole.
    private static func appendQuoted(_ string: String, to text: inout String) {
        text += "\""
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{0}"..<"\u{20}":
                let hex = Array("0123456789abcdef")
                text += "\\u00"
                text.append(hex[Int(scalar.value >> 4)])
                text.append(hex[Int(scalar.value & 0xF)])
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
