@testable import Handlers
import Testing

@Suite struct RequestIDTests {
    @Test func nginxsIDIsKept() {
        #expect(RequestID.accepting("4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f") == "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f")
        #expect(RequestID.accepting("trace-1_A") == "trace-1_A")
    }

    @Test(arguments: [nil, "", "a b", "id\r\nX-Evil: 1", "é", String(repeating: "a", count: 65)])
    func anythingElseIsReplacedByANewID(_ given: String?) {
        let id = RequestID.accepting(given)
        #expect(id != given)
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
    }

    @Test func newIDsDiffer() {
        #expect(RequestID.generate() != RequestID.generate())
    }
}
