/// Percent-encoding with the RFC 3986 *unreserved* set: `A-Z a-z 0-9 - . _ ~` stay, every other UTF-8
/// byte becomes `%XX` (upper-case hex). Safe for a query value, a path segment, or a form field.
public enum PercentEncoding {
    public static func encode(_ string: String) -> String {
        var encoded = String.UnicodeScalarView()
        for byte in string.utf8 {
            if isUnreserved(byte) {
                encoded.append(Unicode.Scalar(byte))
            } else {
                encoded.append("%")
                encoded.append(hexDigits[Int(byte >> 4)])
                encoded.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(encoded)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let hexDigits: [Unicode.Scalar] = Array("0123456789ABCDEF".unicodeScalars)
}

/// `application/x-www-form-urlencoded` bodies and query strings. A space is sent as `%20` (which every
/// form decoder reads as a space, whether it treats `+` as one or not), or as `+` where the other side's
/// habit is copied (Discord's OAuth redirects).
public enum FormEncoding {
    /// One name or value.
    public static func encode(_ component: String, spaceAsPlus: Bool = false) -> String {
        let encoded = PercentEncoding.encode(component)
        return spaceAsPlus ? encoded.replacing("%20", with: "+") : encoded
    }

    /// `name=value&name=value`, in the given order.
    public static func encode(_ fields: [(name: String, value: String)], spaceAsPlus: Bool = false) -> String {
        fields.map { encode($0.name, spaceAsPlus: spaceAsPlus) + "=" + encode($0.value, spaceAsPlus: spaceAsPlus) }
            .joined(separator: "&")
    }

    /// `url?fields` (or `url&fields` when the URL already has a query).
    public static func appendQuery(_ fields: [(name: String, value: String)], to url: String) -> String {
        guard !fields.isEmpty else { return url }
        let separator = url.hasSuffix("?") || url.hasSuffix("&") ? "" : url.contains("?") ? "&" : "?"
        return url + separator + encode(fields)
    }
}
