import Foundation
import Testing

@testable import DevStack

/// `run`'s log follower: what `tail -F` and the prefixing did in the shell script.
@Suite struct LogFollowerTests {
    let directory = NSTemporaryDirectory() + "guildgate-follow-" + UUID().uuidString.prefix(8)

    func append(_ text: String, to name: String) throws {
        let path = "\(directory)/\(name).log"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let file = try #require(FileHandle(forWritingAtPath: path))
        try file.seekToEnd()
        try file.write(contentsOf: Data(text.utf8))
        try file.close()
    }

    @Test func newCompleteLinesComePrefixedWithTheirLog() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try append("written before\n", to: "web")
        let follower = LogFollower(paths: ["web", "nginx-error", "postgres"].map { "\(directory)/\($0).log" })
        #expect(follower.newLines().isEmpty, "what was there before is not shown")

        try append("GET /healthz\n\npart", to: "web")
        try append("[crit] no socket\n", to: "nginx-error")
        #expect(follower.newLines() == ["web        | GET /healthz", "nginx-error| [crit] no socket"])
        try append("ial line\n", to: "web")
        try append("ready\n", to: "postgres")
        #expect(follower.newLines() == ["web        | partial line", "postgres   | ready"], "a log that appears later is followed")
    }

    @Test func aTruncatedOrReplacedLogIsReadFromItsStart() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try append("old old old old\n", to: "bot")
        let follower = LogFollower(paths: ["\(directory)/bot.log"])
        try Data().write(to: URL(fileURLWithPath: "\(directory)/bot.log"))
        try append("new\n", to: "bot")
        #expect(follower.newLines() == ["bot        | new"])
        try FileManager.default.removeItem(atPath: "\(directory)/bot.log")
        try append("again and again\n", to: "bot")
        #expect(follower.newLines() == ["bot        | again and again"])
    }
}
