/// JSON written straight into one byte buffer, for large answers built from database text (the roster):
/// no tree, no `String` growth, no `Array` bookkeeping per piece (a memcpy each). Strings are escaped exactly
/// as `JSON.serialized` escapes them (safe inside HTML: `<`, `>`, U+2028 and U+2029 as `\uXXXX`), and text
/// that needs no escaping is copied whole.
public struct JSONByteWriter: ~Copyable {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    public init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// What was written.
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// Appends `text` as it is: punctuation, member names, and values already valid JSON (digits, `null`).
    @inlinable
    public mutating func raw(_ text: StaticString) {
        append(text.utf8Start, text.utf8CodeUnitCount)
    }

    /// Appends UTF-8 bytes known to be valid JSON as they are (a number, or a string's safe contents).
    @inlinable
    public mutating func raw(_ text: UnsafeRawBufferPointer) {
        guard let base = text.baseAddress else { return }
        append(base.assumingMemoryBound(to: UInt8.self), text.count)
    }

    /// Appends UTF-8 `text` as a quoted JSON string.
    public mutating func string(_ text: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return byte(UInt8(ascii: "\"")) }
        let length = text.count
        let attention = Self.attention
        var from = 0
        var index = 0
        while index < length {
            guard attention[Int(base[index])] else {
                index += 1
                continue
            }
            let escape = Self.escape(base[index], at: index, in: UnsafeBufferPointer(start: base, count: length))
            guard !escape.isEmpty else {
                index += 1
                continue
            }
            append(base + from, index - from)
            escape.withUnsafeBufferPointer { append($0.baseAddress!, $0.count) }
            index += base[index] == 0xE2 ? 3 : 1
            from = index
        }
        append(base + from, length - from)
        byte(UInt8(ascii: "\""))
    }

    /// Most pieces are a few bytes (punctuation, member names, ids, timestamps): up to 32 bytes are copied inline,
    /// as overlapping words, instead of calling memmove for each (callgrind: memmove's calls were a seventh of a
    /// roster answer's instructions).
    @inlinable
    mutating func append(_ source: UnsafePointer<UInt8>, _ length: Int) {
        if count + length > capacity { grow(to: count + length) }
        let target = UnsafeMutableRawPointer(start + count)
        let from = UnsafeRawPointer(source)
        switch length {
        case 17...32:
            copyWords(from, to: target, at: 0)
            copyWords(from, to: target, at: 8)
            copyWords(from, to: target, at: length - 16)
            copyWords(from, to: target, at: length - 8)
        case 8...16:
            copyWords(from, to: target, at: 0)
            copyWords(from, to: target, at: length - 8)
        case 4..<8:
            target.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(
                of: from.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self), toByteOffset: length - 4, as: UInt32.self)
        case 1..<4:
            start[count] = source[0]
            start[count + length / 2] = source[length / 2]
            start[count + length - 1] = source[length - 1]
        case 0:
            break
        default:
            (start + count).update(from: source, count: length)
        }
        count += length
    }

    /// The 8 bytes at `offset`.
    @inlinable
    func copyWords(_ source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, at offset: Int) {
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
    }

    @inlinable
    mutating func byte(_ value: UInt8) {
        if count == capacity { grow(to: count + 1) }
        start[count] = value
        count += 1
    }

    @usableFromInline
    mutating func grow(to needed: Int) {
        var bigger = capacity * 2
        while bigger < needed { bigger *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
        moved.update(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = bigger
    }

    /// True for the bytes that may need an escape: controls, `"`, `\`, `<`, `>`, and 0xE2 (the lead byte of
    /// U+2028/U+2029). A table, read once per byte of every string: made once, never freed, never written after.
    nonisolated(unsafe) private static let attention: UnsafePointer<Bool> = {
        let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        for byte in 0..<256 {
            table[byte] = byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C || byte == 0x3E || byte == 0xE2
        }
        return UnsafePointer(table)
    }()

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
