import Foundation
import Testing

@testable import DevStack

#if canImport(Glibc)
    import Glibc
#endif

/// What a process the stack starts gets of this one: default signals, and no descriptor it was not given.
@Suite struct ChildProcessTests {
    /// What `arguments` writes, started by ChildProcess.
    static func report(_ arguments: [String], inherited: Int32? = nil) throws -> String {
        let output = NSTemporaryDirectory() + "guildgate-child-" + UUID().uuidString.prefix(8)
        defer { unlink(output) }
        let child = try ChildProcess.spawn(
            Invocation(arguments[0], Array(arguments.dropFirst()), environment: [:]), output: .append(output), inherited: inherited)
        #expect(child.waitForExit() == .exited(0))
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    static func mask(_ name: String, in report: String) -> UInt64? {
        report.split(separator: "\n").first { $0.hasPrefix(name + ":") }.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
    }

    @Test func signalsAreAtTheirDefaultsWhateverThisProcessIgnores() throws {
        let previous = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, previous) }
        let report = try Self.report(["/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"])
        #expect(Self.mask("SigBlk", in: report) == 0, "\(report)")
        #expect(Self.mask("SigIgn", in: report).map { $0 & (1 << (UInt64(SIGINT) - 1)) } == 0, "\(report)")
    }

    @Test func onlyTheDescriptorHandedOverIsInherited() throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)  // not close-on-exec, as a careless library opens them
        defer { pipeEnds.forEach { close($0) } }
        let report = try Self.report(["/bin/sh", "-c", "ls /proc/$$/fd"], inherited: pipeEnds[1])
        let descriptors = report.split(separator: "\n").filter { $0.allSatisfy(\.isNumber) }
        // The shell's: 0-2, and 3, the one handed over (not the pipe's other end).
        #expect(descriptors == ["0", "1", "2", "3"], "\(report)")
    }
}
