import Testing
import WireFormats

/// What discord-sandbox asks of WireFormats beyond what GuildGate's own tests cover: Discord's `+` for spaces
/// in its OAuth redirects, and a whole large body fed to the multipart parser at once.
@Suite struct WireFormatsTests {
    @Test func hexIsTwoLowercaseDigitsAByteInOrder() {
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF, 0x10]) == "000fa5ff10")
        #expect(Hex.encode([]) == "")
    }

    @Test func formsCanWriteSpacesAsPlusAsDiscordsRedirectsDo() {
        let fields = [(name: "error_description", value: "denied the request"), (name: "state", value: "a+b %20")]
        #expect(FormEncoding.encode(fields, spaceAsPlus: true) == "error_description=denied+the+request&state=a%2Bb+%2520")
        #expect(FormEncoding.encode(fields) == "error_description=denied%20the%20request&state=a%2Bb%20%2520")
        #expect(
            FormDecoding.decode(FormEncoding.encode(fields, spaceAsPlus: true)) == [
                "error_description": "denied the request", "state": "a+b %20",
            ])
    }

    @Test func aWholeBodyFedAtOnceKeepsItsCarriageReturns() throws {
        let content = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // every byte value, CRs and dashes too
        let body =
            Array("--b0undary\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"dir/x.bin\"\r\n\r\n".utf8)
            + content + Array("\r\n--b0undary--\r\n".utf8)
        var parser = MultipartParser(boundary: "b0undary")
        let events = try body.withUnsafeBytes { try parser.feed($0) }
        try parser.finish()
        guard case .part(let headers) = events.first else {
            Issue.record("the body does not start with a part")
            return
        }
        #expect(headers.name == "files[0]" && headers.filename == "dir/x.bin", "the name as sent, directory and all")
        let data = events.compactMap { if case .data(let bytes) = $0 { bytes } else { nil } }.joined()
        #expect(Array(data) == content)
        #expect(events.suffix(2) == [.partEnd, .end])
    }
}
