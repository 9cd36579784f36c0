/// Percent-encoding as used in request targets and `application/x-www-form-urlencoded` bodies.
enum URLEncoding {
    struct MalformedError: Error, CustomStringConvertible {
        let description: String
    }

    /// Decodes `%XX` escapes (and `+` as a space in form data). Rejects truncated escapes,
    /// non-hex digits and byte sequences that are not UTF-8.
    static func decode(_ encoded: Substring, plusIsSpace: Bool) throws(MalformedError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        var iterator = encoded.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw MalformedError(description: "invalid percent-escape in \"\(encoded)\"")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw MalformedError(description: "percent-escapes in \"\(encoded)\" are not UTF-8")
        }
        return decoded
    }

    /// Encodes one path segment: unreserved characters stay, the rest (a space too) becomes `%XX`.
    static func encodePathSegment(_ string: String) -> String {
        percentEncode(string, spaceAsPlus: false)
    }

    /// Form-encodes one name or value: unreserved characters stay, a space becomes `+`, the rest `%XX`.
    private static func encodeFormComponent(_ string: String) -> String {
        percentEncode(string, spaceAsPlus: true)
    }

    private static func percentEncode(_ string: String, spaceAsPlus: Bool) -> String {
        var encoded = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " ") where spaceAsPlus:
                encoded.append("+")
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return encoded
    }

    static func encodeForm(_ fields: [(String, String)]) -> String {
        fields.map { "\(encodeFormComponent($0.0))=\(encodeFormComponent($0.1))" }.joined(separator: "&")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Decoded `name=value` pairs of a query string or form body, in order; repeated names are kept.
struct FormFields: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    init() {}

    init(parsing encoded: Substring) throws(URLEncoding.MalformedError) {
        for field in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try URLEncoding.decode(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? try URLEncoding.decode(parts[1], plusIsSpace: true) : ""
            pairs.append((name: name, value: value))
        }
    }

    /// The first value given for `name`, treating an empty value as absent.
    subscript(name: String) -> String? {
        guard let value = pairs.first(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
        return value
    }
}
