import Logging

/// guildgate-dev's messages on standard error, one line each, as the operator reads them:
/// `guildgate-dev: postgres: postgresql:///guildgate?…`, `guildgate-dev: warning: …`.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let label: String
        switch event.level {
        case .trace, .debug, .info, .notice: label = ""
        case .warning: label = "warning: "
        case .error, .critical: label = "error: "
        }
        StandardStream.error.write("guildgate-dev: \(label)\(event.message)\n")
    }
}
