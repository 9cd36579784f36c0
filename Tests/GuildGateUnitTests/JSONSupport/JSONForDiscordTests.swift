import Foundation
import JSONSupport
import Testing

/// What discord-sandbox needs of `JSON` to write as Discord does: key order, floats, `null`s, mentions
/// unescaped; and to read free-form fields of control bodies decoded with Foundation.
@Suite struct JSONForDiscordTests {
    @Test func discordTextEscapesOnlyWhatJSONRequires() {
        let message: JSON = ["content": "<@42> hi\u{2028}\"\\\n\u{1}", "nonce": .null, "retry_after": .number(0.873)]
        #expect(
            message.serialized(escapingHTML: false) == #"{"content":"<@42> hi"# + "\u{2028}"
                + #"\"\\\n\u0001","nonce":null,"retry_after":0.873}"#)
        #expect(message.serialized == #"{"content":"\u003c@42\u003e hi\u2028\"\\\n\u0001","nonce":null,"retry_after":0.873}"#)
    }

    @Test func numbersKeepTheirShortestForm() {
        let values: JSON = [.number(1.25), .number(0.001), .int(37635), .int(-7), .number(1e20)]
        #expect(values.serialized(escapingHTML: false) == "[1.25,0.001,37635,-7,1e+20]")
    }

    @Test func wholeNumbersComeOnlyFromNumbers() {
        #expect(JSON.int(513).wholeNumber == 513)
        #expect(JSON.number(1.5).wholeNumber == nil)
        #expect(JSON.string("513").wholeNumber == nil)
        #expect(JSON.string("513").integer == 513)
        #expect(JSON.bool(true).wholeNumber == nil)
    }

    @Test func decodedObjectsHaveSortedMembers() throws {
        struct Body: Decodable { let data: JSON }
        let body = try JSONDecoder().decode(Body.self, from: Data(#"{"data":{"z":[1,2.5,true,null,"s"],"a":{}}}"#.utf8))
        #expect(body.data.serialized == #"{"a":{},"z":[1,2.5,true,null,"s"]}"#)
    }
}
