@testable import JSONSupport
import GuildGateTesting
import Testing
@testable import FCGIApp
@testable import Handlers
@testable import GuildGateCore
import WireFormats

/// Random and mutated input for every parser of request data: none may crash, and what they accept
/// must be consistent.
@Suite struct ParserFuzzTests {
    static let alphabet = Array("%=&+?/#;:\\\"{}[],0123456789abcdefABCDEF xyz\u{0}\n\r\t<>é".utf8)

    static func randomBytes(_ generator: inout SeededGenerator, maxLength: Int) -> [UInt8] {
        let length = Int.random(in: 0...maxLength, using: &generator)
        return (0..<length).map { _ in
            Bool.random(using: &generator)
                ? alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                : UInt8.random(in: 0...255, using: &generator)
        }
    }

    @Test(arguments: 0..<8)
    func parsersSurviveRandomInput(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed)
        for _ in 0..<2_000 {
            let bytes = Self.randomBytes(&generator, maxLength: 64)
            let text = String(decoding: bytes, as: UTF8.self)
            if let decoded = PercentDecoding.decode(text, plusAsSpace: true) {
                #expect(decoded.utf8.count <= text.utf8.count)
            }
            _ = FormDecoding.decode(bytes)
            _ = JSON.parse(bytes)
            _ = DotEnv.parse(text)
            _ = Cookies.parse(text)
            _ = try? Request(method: "GET", requestURI: "/" + text, headers: [:], remoteAddress: "", body: nil)
            _ = try? RosterCSV.parse("name,rank,discord_id\n" + text)
        }
    }

    /// Mutated FastCGI request heads: the check never crashes and never calls a head complete whose
    /// name-value lengths point past the bytes that are there.
    @Test(arguments: 0..<4)
    func requestHeadCheckSurvivesMutation(seed: UInt64) {
        var generator = SeededGenerator(state: seed)
        let valid = RawFastCGI.get("/healthz")
        for _ in 0..<5_000 {
            var mutated = valid
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let cut = Int.random(in: 0...mutated.count, using: &generator)
            if RequestHeadCheck.check(mutated[0..<cut]) == .complete {
                #expect(mutated[0] == 1)
            }
        }
    }

    @Test(arguments: 0..<4)
    func validJSONSurvivesMutationAndSerializationRoundTrips(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed)
        let valid = Array(#"{"name":"Ann <b>","n":12,"list":[true,null,"x\u00e9"],"nested":{"k":"v"}}"#.utf8)
        let parsed = try #require(JSON.parse(valid))
        #expect(JSON.parse(Array(parsed.serialized.utf8)) == parsed)
        for _ in 0..<2_000 {
            var mutated = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if let reparsed = JSON.parse(mutated) {
                #expect(JSON.parse(Array(reparsed.serialized.utf8)) == reparsed)
            }
        }
    }
}
