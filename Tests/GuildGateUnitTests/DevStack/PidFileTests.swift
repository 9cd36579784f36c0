import Foundation
import Testing

@testable import DevStack

#if canImport(Glibc)
    import Glibc
#endif

/// A pid file is held, through its lock, by the service that inherited it, and by nothing else.
@Suite struct PidFileTests {
    @Test func theLockLastsAsLongAsTheProcessThatInheritedIt() throws {
        let path = NSTemporaryDirectory() + "guildgate-pid-" + UUID().uuidString.prefix(8)
        defer { unlink(path) }
        let file = PidFile(path: path)
        #expect(file.state == .absent)
        let child: ChildProcess
        do {
            let claim = try file.claim(for: .web)
            #expect(throws: StackError.self) { _ = try file.claim(for: .web) }
            child = try ChildProcess.spawn(
                Invocation("/bin/sleep", ["30"], environment: [:]), output: .discard, newSession: true, inherited: claim.descriptor)
            claim.record(child.pid)
        }
        #expect(file.state == .running(child.pid), "the child holds the lock once this process let go of it")
        kill(child.pid, SIGKILL)
        #expect(child.waitForExit() == .signalled(SIGKILL))
        #expect(file.state == .stale)
    }
}
