import Foundation

/// A GuildGate binary started with the test stack's settings, its standard error and output kept in files.
public class StackProcess {
    public let process = Process()
    public let logPath: String
    public let outputPath: String

    /// Starts `binary arguments…` with the stack's settings changed by `overrides` (nil removes).
    public init(stack: TestStack, binary: String, arguments: [String], overrides: [String: String?] = [:], stdin: String? = nil) throws {
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
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// What the process wrote to standard error so far.
    public var errorOutput: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// What the process wrote to standard output so far.
    public var standardOutput: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Waits until standard error contains `text`.
    public func waitForOutput(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if errorOutput.contains(text) { return true }
            usleep(50_000)
        }
        return errorOutput.contains(text)
    }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
