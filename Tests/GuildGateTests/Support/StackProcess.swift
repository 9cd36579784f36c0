import Foundation

/// A GuildGate binary started with the test stack's settings, its standard error and output kept in files.
class StackProcess {
    let process = Process()
    let logPath: String
    let outputPath: String

    /// Starts `binary arguments…` with the stack's settings changed by `overrides` (nil removes).
    init(stack: TestStack, binary: String, arguments: [String], overrides: [String: String?] = [:], stdin: String? = nil) throws {
        logPath = stack.directory + "/logs/\(binary)-\(UUID().uuidString.prefix(8)).log"
        outputPath = logPath + ".out"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestStack.binaryDirectory + "/" + binary)
        process.arguments = arguments
        var environment = stack.settings
        environment["GUILDGATE_ENV_FILE"] = ""
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        for (name, value) in overrides { environment[name] = value }
        process.environment = environment
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
    }

    /// Waits for the process to exit; nil when it is still running after `timeout`.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// What the process wrote to standard error so far.
    var errorOutput: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// What the process wrote to standard output so far.
    var standardOutput: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Waits until standard error contains `text`.
    func waitForOutput(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if errorOutput.contains(text) { return true }
            usleep(50_000)
        }
        return errorOutput.contains(text)
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A separate guildgate-web process on its own socket, for tests that need other settings or signals.
final class WebProcess: StackProcess {
    let socketPath: String

    /// Runs `arguments`, or by default `serve` on its own socket with 4 threads and `serveOptions`.
    init(
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
    func waitUntilServing(timeout: TimeInterval = 10) -> Bool {
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

/// `guildgate-bot run` against the stack's discord-sandbox.
final class BotProcess: StackProcess {
    init(stack: TestStack, overrides: [String: String?] = [:]) throws {
        var settings: [String: String?] = ["GUILDGATE_MEMBER_REQUEST_INTERVAL": "1", "LOG_LEVEL": "debug"]
        settings.merge(overrides) { _, override in override }
        try super.init(stack: stack, binary: "guildgate-bot", arguments: ["run"], overrides: settings)
    }

    /// Waits until the bot's gateway session is ready (it logs so once READY or RESUMED arrived).
    func waitUntilReady(timeout: TimeInterval = 15) -> Bool {
        waitForOutput("gateway session ready", timeout: timeout)
    }
}
