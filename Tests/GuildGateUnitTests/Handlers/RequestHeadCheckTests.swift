import GuildGateTesting
import Testing
@testable import FCGIApp

@Suite struct RequestHeadCheckTests {
    static let begin = RawFastCGI.beginRequest()
    static let params = RawFastCGI.params([("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/healthz")])

    @Test func aWellFormedHeadIsComplete() {
        #expect(RequestHeadCheck.check((Self.begin + Self.params)[...]) == .complete)
    }

    @Test func everyPrefixNeedsMore() {
        let head = Self.begin + Self.params
        for length in 0..<head.count {
            #expect(RequestHeadCheck.check(head[0..<length]) == .needMore)
        }
    }

    @Test func lengthsMustMatchTheBytesPresent() {
        #expect(RequestHeadCheck.check(MalformedStream.overflowingLengths[...]) != .complete)
        let short = RawFastCGI.pair(name: Array("NAME".utf8), value: Array("V".utf8), valueLength: 5)
        let head = Self.begin + RawFastCGI.record(type: 4, content: short) + RawFastCGI.record(type: 4, content: [])
        #expect(RequestHeadCheck.check(head[...]) != .complete)
    }

    @Test func unexpectedRecordsAreRefused() {
        #expect(RequestHeadCheck.check(Self.params[...]) != .complete)
        var wrongVersion = Self.begin
        wrongVersion[0] = 2
        #expect(RequestHeadCheck.check((wrongVersion + Self.params)[...]) != .complete)
        #expect(RequestHeadCheck.check((Self.begin + RawFastCGI.record(type: 42, content: [1]))[...]) != .complete)
    }

    @Test func anOversizedHeadIsRefusedEarly() {
        let bigRecord = RawFastCGI.record(type: 4, content: Array(repeating: 0, count: 65_000))
        let head = Self.begin + bigRecord + bigRecord + bigRecord
        #expect(RequestHeadCheck.check(head[...]) != .needMore)
    }
}

@Suite struct CGIParamTests {
    @Test func headerNamesComeBackLowercaseWithDashes() {
        #expect(FastCGIExchange.headerName(cgiName: "HTTP_X_FORWARDED_FOR") == "x-forwarded-for")
        #expect(FastCGIExchange.headerName(cgiName: "HTTP_COOKIE") == "cookie")
        #expect(FastCGIExchange.headerName(cgiName: "HTTP_X_API_V2") == "x-api-v2")
    }
}
