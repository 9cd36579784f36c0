import DevStack
import Foundation
import Logging
import Synchronization
import Testing

/// nginx + guildgate-web + PostgreSQL + discord-sandbox, started once for the whole test run in a temporary
/// directory by DevStack, in-process (what `guildgate-dev up` and `make run` do), and stopped at exit.
public final class TestStack: Sendable {
    public let directory: String
    public let settings: [String: String]

    public var webURL: String { settings["WEB_URL"]! }
    public var sandboxURL: String { settings["SANDBOX_URL"]! }
    public var databaseURL: String { settings["DATABASE_URL"]! }
    public var socketPath: String { directory + "/run/web.sock" }
    /// What guildgate-web has logged so far (at `notice` and above).
    public var webLog: String { (try? String(contentsOfFile: directory + "/logs/web.log", encoding: .utf8)) ?? "" }
    /// What nginx has logged so far: why it answered 502 or passed a request to the next instance.
    public var nginxErrorLog: String { (try? String(contentsOfFile: directory + "/logs/nginx-error.log", encoding: .utf8)) ?? "" }

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

    /// A stack of the caller's own, for a test that takes one of its parts away (PostgreSQL): the in-process
    /// tests, which run alongside the end-to-end ones, keep their database in the shared stack. The caller stops it.
    public static func ownStack() throws(StackError) -> TestStack {
        try TestStack()
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
        var options = StackOptions(binaries: Self.binaryDirectory, repository: Self.repositoryRoot)
        options.startsBot = false
        options.isolated = true
        do {
            settings = try Self.localStack(directory).up(options)
        } catch {
            throw StackError(description: "the test stack did not start (logs in \(directory)/logs):\n\(error)")
        }
    }

    /// Sends the stack's pages and API to these guildgate-web sockets (none: back to the stack's own instance)
    /// with `nginx -s reload`; returns once nginx's old workers are gone.
    public func routeWeb(to sockets: [String]) throws {
        do {
            try Self.localStack(directory).reloadNginx(webSockets: sockets)
        } catch {
            throw StackError(description: "\(error)")
        }
    }

    /// The group nginx's workers reach the app's sockets with (`guildgate-web serve --socket-group`).
    public var socketGroup: String { settings["STACK_SOCKET_GROUP"]! }

    public func stop() {
        Self.localStack(directory).down(purge: true)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The stack in `directory`, as the tests run it: with ``stackEnvironment``, telling its progress on standard error.
    public static func localStack(_ directory: String) -> LocalStack {
        LocalStack(
            directory: directory, environment: stackEnvironment,
            logger: Logger(label: "guildgate-dev", factory: { StreamLogHandler.standardError(label: $0) }))
    }

    /// The environment the stack gets: no Discord credentials and no DATABASE_URL, so it starts its own PostgreSQL and
    /// discord-sandbox.
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
}
