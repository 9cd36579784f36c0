import Foundation

/// A separate guildgate-web process on its own socket, for tests that need other settings or signals.
public final class WebProcess: StackProcess {
    public let socketPath: String

    /// Runs `arguments`, or by default `serve` on its own socket with 4 threads and `serveOptions`.
    public init(
        stack: TestStack, arguments: [String]? = nil, serveOptions: [String] = [], overrides: [String: String?] = [:], stdin: String? = nil
    ) throws {
        let socketPath = stack.directory + "/run/extra-\(UUID().uuidString.prefix(8)).sock"
        self.socketPath = socketPath
        try super.init(
            stack: stack, binary: "guildgate-web",
            arguments: arguments ?? ["serve", "--listen", socketPath, "--threads", "4"] + serveOptions,
            overrides: overrides, stdin: stdin)
    }

    /// Waits until the socket answers a FastCGI request.
    public func waitUntilServing(timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning {
            if let reply = RawFastCGI.exchange(socketPath: socketPath, bytes: RawFastCGI.get("/healthz")),
                RawFastCGI.stdout(of: reply).contains("200 OK")
            {
                return true
            }
            usleep(50_000)
        }
        return false
    }
}
