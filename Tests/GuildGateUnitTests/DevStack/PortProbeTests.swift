import Testing

@testable import DevStack

#if canImport(Glibc)
    import Glibc
#endif

/// Whether nginx can have a port of 127.0.0.1.
@Suite struct PortProbeTests {
    @Test func aPortWithAListenerIsInUseUntilItCloses() throws {
        let port = try PortProbe.freePort()
        #expect(PortProbe.candidates.contains(port))
        #expect(PortProbe.isFree(port))
        do {
            guard let listener = LoopbackSocket() else { throw StackError("no socket") }
            let bound = listener.bindAddress(port: port)
            #expect(bound)
            let listening = listen(listener.descriptor, 1)
            #expect(listening == 0)
            #expect(!PortProbe.isFree(port))
        }
        #expect(PortProbe.isFree(port))
    }

    @Test func aServerAnswersWithItsStatusAndSilenceIsNil() throws {
        let port = try PortProbe.freePort()
        #expect(HTTPProbe.status(port: port, path: "/healthz") == nil)
    }
}
