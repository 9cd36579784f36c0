import NIOCore

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

// MARK: - Writing

extension JSONValue {
    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .null:
            buffer.writeStaticString("null")
        case .bool(let value):
            buffer.writeString(value ? "true" : "false")
        case .integer(let value):
            buffer.writeString(String(value))
        case .number(let value):
            buffer.writeString(value.isFinite ? String(value) : "null")
        case .string(let value):
            Self.writeQuoted(value, into: &buffer)
        case .array(let elements):
            buffer.writeStaticString("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                element.write(into: &buffer)
            }
            buffer.writeStaticString("]")
        case .object(let members):
            buffer.writeStaticString("{")
            for (index, member) in members.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                Self.writeQuoted(member.key, into: &buffer)
                buffer.writeStaticString(":")
                member.value.write(into: &buffer)
            }
            buffer.writeStaticString("}")
        }
    }

    private static func writeQuoted(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.writeStaticString("\\u00")
                buffer.writeBytes([hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default:
                buffer.writeInteger(byte)
            }
        }
        buffer.writeStaticString("\"")
    }
}
