/// Why the stack could not do what was asked, worded for the operator: what failed and what to do about it, after
/// the ends of the logs that explain it.
public struct StackError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    /// The last lines of the logs that tell why, shown before the message.
    public let excerpts: [LogExcerpt]
    /// True when SIGINT or SIGTERM stopped the operation rather than a failure.
    public let isInterruption: Bool

    public init(_ message: String, excerpts: [LogExcerpt] = []) {
        self.init(message, excerpts: excerpts, isInterruption: false)
    }

    private init(_ message: String, excerpts: [LogExcerpt], isInterruption: Bool) {
        self.message = message
        self.excerpts = excerpts
        self.isInterruption = isInterruption
    }

    /// The operation gave up because it was asked to stop.
    public static let interrupted = StackError("interrupted", excerpts: [], isInterruption: true)

    /// The same failure, with the last lines of the log at `path` shown before it.
    init(_ message: String, log path: String, lines: Int = 25) {
        self.init(message, excerpts: [LogExcerpt(path: path, lines: lines)])
    }

    public var description: String {
        (excerpts.map(\.description) + [message]).joined(separator: "\n")
    }
}
