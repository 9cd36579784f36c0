import Foundation

/// A separate guildgate-web process on its own socket, for tests that need other settings or signals.
final class WebProcess {
    let process = Process()
    let socketPath: String
    let stderr = Pipe()

    /// Starts `guildgate-web arguments…` with the stack's settings changed by `overrides` (nil removes).
    init(stack: TestStack, arguments: [String]? = nil, overrides: [String: String?] = [:], stdin: String? = nil) throws {
        socketPath = stack.directory + "/run/extra-\(UUID().uuidString.prefix(8)).sock"
        process.executableURL = URL(fileURLWithPath: TestStack.binaryDirectory + "/guildgate-web")
        process.arguments = arguments ?? ["serve", "--listen", socketPath, "--threads", "4"]
        var environment = stack.settings
        environment["GUILDGATE_ENV_FILE"] = ""
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        for (name, value) in overrides { environment[name] = value }
        process.environment = environment
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
    }

    /// Waits until the socket answers a FastCGI request.
    func waitUntilServing(timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning {
            if let reply = RawFastCGI.exchange(socketPath: socketPath, bytes: RawFastCGI.get("/healthz")),
               RawFastCGI.stdout(of: reply).contains("200 OK") {
                return true
            }
            usleep(50_000)
        }
        return false
    }

    /// Waits for the process to exit; nil when it is still running after `timeout`.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var errorOutput: String {
        String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit {
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
    }
}
