import Logging

/// How both processes write their log lines to stderr (`LOG_FORMAT`, environment only).
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's own lines, for a person reading a terminal or `make run`.
    case text
    /// One JSON object per line (`JSONLogHandler`), for a log shipper.
    case json

    /// `LOG_FORMAT` as set; text when it is not.
    public init(setting: String?) throws(ConfigError) {
        guard let setting, !setting.isEmpty else {
            self = .text
            return
        }
        guard let format = LogFormat(rawValue: setting.lowercased()) else {
            throw .invalid("LOG_FORMAT", reason: "'\(setting)' is neither text nor json")
        }
        self = format
    }

    /// A handler writing to stderr in this format, letting through `level` and above.
    public func handler(label: String, level: Logger.Level) -> any LogHandler {
        var handler: any LogHandler
        switch self {
        case .text: handler = StreamLogHandler.standardError(label: label)
        case .json: handler = JSONLogHandler(label: label)
        }
        handler.logLevel = level
        return handler
    }
}
