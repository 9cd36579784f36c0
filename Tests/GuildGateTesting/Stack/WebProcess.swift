import Foundation

/// A separate guildgate-web process on its own socket, for tests that need other settings or signals.
public final class WebProcess: StackProcess {
    public let socketPath: String

    /// Runs `arguments`, or by default `serve` on its own socket with `threads` threads and `serveOptions`.
    public init(
        stack: TestStack, arguments: [String]? = nil, threads: Int = 4, serveOptions: [String] = [], overrides: [String: String?] = [:],
        stdin: String? = nil
    ) throws {
        let socketPath = stack.directory + "/run/extra-\(UUID().uuidString.prefix(8)).sock"
        self.socketPath = socketPath
        try super.init(
            stack: stack, binary: "guildgate-web",
            arguments: arguments ?? ["serve", "--listen", socketPath, "--threads", String(threads)] + serveOptions,
            overrides: overrides, stdin: stdin)
    }

    /// An instance nginx can send the stack's pages to (`TestStack.routeWeb`), with as many threads as the stack's own.
    public static func behindNginx(_ stack: TestStack) throws -> WebProcess {
        let web = try WebProcess(stack: stack, threads: 16, serveOptions: ["--socket-group", stack.socketGroup])
        guard web.waitUntilServing() else {
            throw TestStack.StackError(description: "a guildgate-web instance did not start: \(web.errorOutput.suffix(2000))")
        }
        return web
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
