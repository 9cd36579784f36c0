import Foundation
import Synchronization
import Testing

/// nginx + guildgate-web + PostgreSQL + discord-sandbox, started once for the whole test run by
/// `scripts/stack` in a temporary directory (the same script `make run` uses) and stopped at exit.
public final class TestStack: Sendable {
    public let directory: String
    public let settings: [String: String]

    public var webURL: String { settings["WEB_URL"]! }
    public var sandboxURL: String { settings["SANDBOX_URL"]! }
    public var databaseURL: String { settings["DATABASE_URL"]! }
    public var socketPath: String { directory + "/run/web.sock" }
    /// What guildgate-web has logged so far (at `notice` and above).
    public var webLog: String { (try? String(contentsOfFile: directory + "/logs/web.log", encoding: .utf8)) ?? "" }

    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The directory holding the built products (next to the test bundle).
    public static let binaryDirectory: String = {
        if let configured = ProcessInfo.processInfo.environment["GUILDGATE_BIN"] { return configured }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }()

    private static let started = Mutex<Result<TestStack, StackError>?>(nil)

    public struct StackError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The shared stack, started on first use.
    public static func shared() throws -> TestStack {
        try started.withLock { state in
            if state == nil {
                state = Result { () throws(StackError) in try TestStack() }
                if case .success = state! { atexit { TestStack.stopShared() } }
            }
            return try state!.get()
        }
    }

    private static func stopShared() {
        started.withLock { state in
            if case .success(let stack) = state { stack.stop() }
        }
    }

    private init() throws(StackError) {
        directory = NSTemporaryDirectory() + "guildgate-test-" + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        let binary = Self.binaryDirectory + "/guildgate-web"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw StackError(description: "\(binary) is missing: run `make test` (or `swift build` first)")
        }
        let status = Self.runStack(["up", "--dir", directory, "--bin", Self.binaryDirectory, "--http-port", "0", "--no-bot", "--isolated"])
        guard status == 0 else {
            throw StackError(description: "scripts/stack up failed (exit \(status)); logs in \(directory)/logs")
        }
        guard let text = try? String(contentsOfFile: directory + "/stack.env", encoding: .utf8) else {
            throw StackError(description: "scripts/stack up wrote no \(directory)/stack.env")
        }
        settings = Self.parseShellAssignments(text)
    }

    public func stop() {
        Self.runStack(["down", "--dir", directory, "--purge"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `scripts/stack` with a clean environment: no Discord credentials and no DATABASE_URL, so it
    /// starts its own PostgreSQL and discord-sandbox.
    @discardableResult
    public static func runStack(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/scripts/stack")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        process.environment = stackEnvironment
        do {
            try process.run()
        } catch {
            return 127
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The environment `scripts/stack` gets: no Discord credentials and no DATABASE_URL, so it starts its own
    /// PostgreSQL and discord-sandbox.
    public static var stackEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.hasPrefix("DISCORD_") && !name.hasPrefix("GUILDGATE_") && name != "DATABASE_URL"
                && name != "WEB_APP_BASE_URL" && name != "SERVER_ID" && name != "CHANNEL_ID"
        }
        environment["LOG_LEVEL"] = "notice"
        // Small enough that a test can exceed it, larger than any one test's files.
        environment["GUILDGATE_USER_QUOTA"] = String(64 << 20)
        return environment
    }

    /// Reads `KEY='value'` lines as written by scripts/stack.
    public static func parseShellAssignments(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var name = String(line[..<equals])
            if name.hasPrefix("export ") { name = String(name.dropFirst(7)) }
            var value = String(line[line.index(after: equals)...])
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "'\\''", with: "'")
            } else if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            values[name] = value
        }
        return values
    }
}
