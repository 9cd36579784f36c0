import Foundation

/// A program to start: its path, arguments, environment and working directory.
public struct Invocation: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    /// nil: the working directory of this process.
    public var directory: String?

    public init(_ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
    }

    /// The program's name and its arguments, as a log line shows them.
    var commandLine: String {
        ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
    }
}
