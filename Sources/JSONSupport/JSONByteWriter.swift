/// JSON written straight into one byte buffer, for large answers built from database text (the roster):
/// no tree, no `String` growth. Strings are escaped exactly as `JSON.serialized` escapes them (safe inside
/// HTML: `<`, `>`, U+2028 and U+2029 as `\uXXXX`), and text that needs no escaping is copied whole.
public struct JSONByteWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends `text` as it is: punctuation, member names, and values already valid JSON (digits, `null`).
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends UTF-8 bytes known to be valid JSON as they are (a number, or a string's safe contents).
    public mutating func raw(_ text: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: text.assumingMemoryBound(to: UInt8.self))
    }

    /// Appends UTF-8 `text` as a quoted JSON string.
    public mutating func string(_ text: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = text.assumingMemoryBound(to: UInt8.self)
        Self.needsAttention.withUnsafeBufferPointer { needsAttention in
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                guard needsAttention[Int(byte)] else {
                    index += 1
                    continue
                }
                let escape = Self.escape(byte, at: index, in: utf8)
                guard !escape.isEmpty else {
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(contentsOf: escape)
                index += byte == 0xE2 ? 3 : 1
                start = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `text` as a quoted JSON string.
    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(UnsafeRawBufferPointer($0)) }
    }

    /// Bytes that may need an escape: controls, `"`, `\`, `<`, `>`, and 0xE2 (the lead byte of U+2028/U+2029).
    private static let needsAttention: [Bool] = (0...255).map { byte in
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C || byte == 0x3E || byte == 0xE2
    }

    /// The escape for the byte at `index`; empty when it stands for itself (0xE2 leading another character).
    private static func escape(_ byte: UInt8, at index: Int, in utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "\""): return Array(#"\""#.utf8)
        case UInt8(ascii: "\\"): return Array(#"\\"#.utf8)
        case UInt8(ascii: "\n"): return Array(#"\n"#.utf8)
        case UInt8(ascii: "\r"): return Array(#"\r"#.utf8)
        case UInt8(ascii: "\t"): return Array(#"\t"#.utf8)
        case UInt8(ascii: "<"): return Array(#"\u003c"#.utf8)
        case UInt8(ascii: ">"): return Array(#"\u003e"#.utf8)
        case 0xE2:
            // U+2028 is E2 80 A8, U+2029 is E2 80 A9.
            guard index + 2 < utf8.count, utf8[index + 1] == 0x80, utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9 else {
                return []
            }
            return Array((utf8[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            return Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
    }
}
