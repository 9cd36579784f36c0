import JSONSupport
import Testing

/// `JSONByteWriter` writes strings byte for byte as `JSON.serialized` does (the roster API's answer must
/// not change when it is written from the rows instead of a tree).
@Suite struct JSONByteWriterTests {
    static let samples = [
        "", "plain", "Ann \"Q\" \\ back", "<b>bold</b> & co", "tab\tnew\nline\rreturn", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
        "Zoë 😀 ☃", "line\u{2028}para\u{2029}end", "€ ‚ … ™ (E2 lead bytes that stand for themselves)", "\u{2028}", "ends with €",
        String(repeating: "long name without escapes ", count: 40),
    ]

    @Test(arguments: samples) func stringsMatchTheTreeSerialization(_ text: String) {
        var writer = JSONByteWriter(capacity: 0)
        var text = text
        text.withUTF8 { writer.string(UnsafeRawBufferPointer($0)) }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == JSON.string(text).serialized)
    }

    @Test func rawTextIsCopiedAsItIs() {
        var writer = JSONByteWriter(capacity: 16)
        writer.raw("[")
        Array("42".utf8).withUnsafeBytes { writer.raw($0) }
        writer.raw(",")
        Array("a\"b".utf8).withUnsafeBytes { writer.string($0) }
        writer.raw("]")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[42,"a\"b"]"#)
    }

    /// Pieces of every length, one after another from a buffer that grows: short ones are copied word-wise.
    @Test func piecesOfEveryLengthAreCopiedWhole() {
        var writer = JSONByteWriter(capacity: 0)
        var expected: [UInt8] = []
        for length in 0...40 {
            let piece = (0..<length).map { UInt8(ascii: "a") + UInt8((length + $0) % 26) }
            piece.withUnsafeBytes { writer.raw($0) }
            expected += piece
        }
        #expect(writer.bytes == expected)
    }
}
