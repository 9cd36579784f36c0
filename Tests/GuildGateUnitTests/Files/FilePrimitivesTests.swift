import Foundation
@testable import Handlers
import GuildGateTesting
import Testing
@testable import GuildGateCore
@testable import WireFormats

@Suite struct MultipartTests {
    static let body = Array(
        """
        preamble to ignore\r
        --XyZ\r
        Content-Disposition: form-data; name="csrf"\r
        \r
        token-1\r
        --XyZ\r
        Content-Disposition: form-data; name="file"; filename="C:\\\\Users\\\\me\\\\r\u{e9}sum\u{e9}.pdf"\r
        Content-Type: application/pdf\r
        \r
        %PDF\r
        --XY not a boundary\r
        \r
        --XyZ--\r
        epilogue
        """.utf8)

    /// Feeds `bytes` in chunks of the given sizes (cycled) and collects the parts.
    static func parse(_ bytes: [UInt8], boundary: String = "XyZ", chunks: [Int]) throws -> [(MultipartPartHeaders, [UInt8])] {
        var parser = MultipartParser(boundary: boundary)
        var parts: [(MultipartPartHeaders, [UInt8])] = []
        var offset = 0
        var chunk = 0
        var sawEnd = false
        while offset < bytes.count {
            let size = max(1, chunks[chunk % chunks.count])
            chunk += 1
            let slice = Array(bytes[offset..<min(bytes.count, offset + size)])
            offset += slice.count
            let events = try slice.withUnsafeBytes { buffer in try parser.feed(buffer) }
            for event in events {
                switch event {
                case .part(let headers): parts.append((headers, []))
                case .data(let data): parts[parts.count - 1].1 += data
                case .partEnd: continue
                case .end: sawEnd = true
                }
            }
        }
        try parser.finish()
        #expect(sawEnd)
        return parts
    }

    @Test(arguments: [[1], [2, 3], [7], [64 * 1024], [5, 1, 13]])
    func partsSurviveAnyChunking(chunks: [Int]) throws {
        let parts = try Self.parse(Self.body, chunks: chunks)
        #expect(parts.map(\.0.name) == ["csrf", "file"])
        #expect(String(decoding: parts[0].1, as: UTF8.self) == "token-1")
        #expect(parts[1].0.filename == #"C:\Users\me\r\#u{e9}sum\#u{e9}.pdf"#)
        #expect(parts[1].0.filename.map(ClientFileName.displayName) == "r\u{e9}sum\u{e9}.pdf")
        #expect(parts[1].0.contentType == "application/pdf")
        #expect(String(decoding: parts[1].1, as: UTF8.self) == "%PDF\r\n--XY not a boundary\r\n")
    }

    @Test func boundariesComeFromTheContentType() {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=XyZ") == "XyZ")
        #expect(MultipartParser.boundary(contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b'c\"") == "a b'c")
        #expect(MultipartParser.boundary(contentType: "multipart/mixed; boundary=XyZ") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=a\r\nb") == nil)
    }

    @Test func malformedBodiesAreRefusedWithAReason() {
        #expect(throws: MultipartError.truncated) {
            try Self.parse(Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc".utf8), chunks: [4])
        }
        #expect(throws: MultipartError.malformed("a part without Content-Disposition")) {
            try Self.parse(Array("--XyZ\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XyZ--".utf8), chunks: [100])
        }
        #expect(throws: MultipartError.malformed("a boundary not followed by CRLF")) {
            try Self.parse(Array("--XyZjunk\r\n".utf8), chunks: [100])
        }
        #expect(throws: MultipartError.headersTooLarge) {
            try Self.parse(Array(("--XyZ\r\nX-Pad: " + String(repeating: "a", count: 20_000)).utf8), chunks: [4096])
        }
        let many = (0..<65).map { "--XyZ\r\nContent-Disposition: form-data; name=\"f\($0)\"\r\n\r\nv\r\n" }.joined() + "--XyZ--"
        #expect(throws: MultipartError.tooManyParts) { try Self.parse(Array(many.utf8), chunks: [1000]) }
    }

    @Test func displayNamesCarryNoPathsOrControls() {
        #expect(ClientFileName.displayName("../../etc/passwd") == "passwd")
        #expect(ClientFileName.displayName("a\u{0}b\u{202E}gpj.exe\r\n") == "abgpj.exe")
        #expect(ClientFileName.displayName("..") == "file")
        #expect(ClientFileName.displayName("/") == "file")
        #expect(ClientFileName.displayName(String(repeating: "é", count: 300)).count == 255)
        let headers = try? MultipartParser.partHeaders(
            Array(#"Content-Disposition: form-data; name="file"; filename="fallback.txt"; filename*=UTF-8''na%C3%AFve%20%22q%22.txt"#.utf8))
        #expect(headers?.filename == "naïve \"q\".txt")
    }

    @Test(arguments: 0..<4)
    func randomBytesNeverCrashTheParser(seed: UInt64) {
        var generator = SeededGenerator(state: seed)
        for _ in 0..<500 {
            var body = Array(Self.body)
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<body.count, using: &generator)
                body[index] = ParserFuzzTests.alphabet.randomElement(using: &generator)!
            }
            let chunks = (0..<3).map { _ in Int.random(in: 1...40, using: &generator) }
            if let parts = try? Self.parse(body, chunks: chunks) {
                #expect(parts.count <= 2)
            }
        }
    }
}

@Suite struct DownloadHeaderTests {
    @Test func rangesResolveAsRFC9110Says() {
        #expect(ByteRangeRequest.resolve(nil, length: 100) == .whole)
        #expect(ByteRangeRequest.resolve("bytes=0-9", length: 100) == .partial(lower: 0, upper: 9))
        #expect(ByteRangeRequest.resolve("bytes=90-", length: 100) == .partial(lower: 90, upper: 99))
        #expect(ByteRangeRequest.resolve("bytes=-10", length: 100) == .partial(lower: 90, upper: 99))
        #expect(ByteRangeRequest.resolve("bytes=-500", length: 100) == .partial(lower: 0, upper: 99))
        #expect(ByteRangeRequest.resolve("bytes=50-5000", length: 100) == .partial(lower: 50, upper: 99))
        #expect(ByteRangeRequest.resolve("bytes=50-99999999999999999999999", length: 100) == .partial(lower: 50, upper: 99))
        #expect(ByteRangeRequest.resolve("bytes=100-", length: 100) == .unsatisfiable)
        #expect(ByteRangeRequest.resolve("bytes=-0", length: 100) == .unsatisfiable)
        #expect(ByteRangeRequest.resolve("bytes=0-0", length: 0) == .unsatisfiable)
        #expect(ByteRangeRequest.resolve("bytes=9-3", length: 100) == .whole)
        #expect(ByteRangeRequest.resolve("bytes=0-1,5-6", length: 100) == .whole)
        #expect(ByteRangeRequest.resolve("items=0-1", length: 100) == .whole)
        #expect(ByteRangeRequest.resolve("bytes=a-b", length: 100) == .whole)
        #expect(ByteRangeRequest.resolve("bytes=-", length: 100) == .whole)
    }

    @Test func contentDispositionKeepsAnyNameSafe() {
        #expect(ContentDisposition.attachment(filename: "report.pdf") == "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf")
        let tricky = ContentDisposition.attachment(filename: "ré\"sumé;\r\n x%.txt")
        #expect(!tricky.contains("\r") && !tricky.contains("\n"))
        #expect(tricky == "attachment; filename=\"r__sum____ x_.txt\"; filename*=UTF-8''r%C3%A9%22sum%C3%A9%3B%0D%0A%20x%25.txt")
    }

    @Test func partsRoundTripAndRefuseTampering() throws {
        let cipher = FileCipher(key: FileCipher.randomKey())
        let plaintext = (0..<(FileCipher.chunkSize * 2 + 100)).map { UInt8(truncatingIfNeeded: $0 * 31) }
        let sealed = try cipher.seal(plaintext, part: 0)
        #expect(sealed.count == FileCipher.sealedSize(plain: plaintext.count))
        #expect(sealed.count == plaintext.count + 3 * FileCipher.tagSize)
        #expect(sealed.prefix(64) != plaintext.prefix(64))
        #expect(try cipher.open(sealed, part: 0, plainSize: plaintext.count) == plaintext)
        var slice: [UInt8] = []
        let range = (FileCipher.chunkSize - 5)..<(FileCipher.chunkSize + 5)
        try cipher.open(sealed, part: 0, plainSize: plaintext.count, range: range) { slice += $0 }
        #expect(slice == Array(plaintext[range]))

        #expect(throws: FilePartError.authenticationFailed(part: 1)) { try cipher.open(sealed, part: 1, plainSize: plaintext.count) }
        var flipped = sealed
        flipped[FileCipher.chunkSize + 40] ^= 1
        #expect(throws: FilePartError.authenticationFailed(part: 0)) { try cipher.open(flipped, part: 0, plainSize: plaintext.count) }
        let chunkBytes = FileCipher.chunkSize + FileCipher.tagSize
        let swapped = Array(sealed[chunkBytes..<(2 * chunkBytes)] + sealed[0..<chunkBytes] + sealed[(2 * chunkBytes)...])
        #expect(throws: FilePartError.authenticationFailed(part: 0)) { try cipher.open(swapped, part: 0, plainSize: plaintext.count) }
        #expect(throws: FilePartError.authenticationFailed(part: 0)) {
            try FileCipher(key: FileCipher.randomKey()).open(sealed, part: 0, plainSize: plaintext.count)
        }
        #expect(throws: FilePartError.authenticationFailed(part: 0)) {
            try cipher.open(Array(sealed.dropLast()), part: 0, plainSize: plaintext.count)
        }
        #expect(try cipher.open(try cipher.seal([], part: 5), part: 5, plainSize: 0) == [])
    }

    @Test func partSizesFitTheAttachmentLimit() {
        for limit in [17, 1000, 1 << 20, (1 << 20) + 16, (1 << 20) + 17, 10_485_760, 26_214_400] {
            let plain = FileCipher.plainPartSize(attachmentLimit: limit)
            #expect(FileCipher.sealedSize(plain: plain) <= limit, "limit \(limit)")
            #expect(FileCipher.sealedSize(plain: plain + 1) > limit, "limit \(limit) wastes room")
        }
        #expect(PartLayout(attachmentLimit: 10_485_760).partsPerMessage == 2)
        #expect(PartLayout(attachmentLimit: 1_000_000).partsPerMessage == 10)
    }
}
