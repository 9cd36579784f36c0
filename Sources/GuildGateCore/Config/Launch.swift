import Foundation
import Logging
import Store

/// Start-up shared by the commands of both processes: logging, metrics, settings, and one clear line for what stops
/// the start.
public enum Launch {
    /// Logs to stderr as `LOG_FORMAT` says (text or json), from `LOG_LEVEL` up, and metrics to
    /// `ProcessMetrics`; the process's logger. An unknown `LOG_FORMAT` ends the process (after one text line).
    public static func logger(_ label: String) -> Logger {
        let environment = ProcessInfo.processInfo.environment
        let level = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let format: LogFormat
        var refusal: ConfigError?
        do {
            format = try LogFormat(setting: environment["LOG_FORMAT"])
        } catch {
            (format, refusal) = (.text, error)
        }
        LoggingSystem.bootstrap { label in format.handler(label: label, level: level) }
        ProcessMetrics.bootstrap()
        var logger = Logger(label: label)
        logger.logLevel = level
        if let refusal {
            logger.critical("\(refusal)")
            exit(1)
        }
        return logger
    }

    /// Settings from the environment and the `.env` file.
    public static func settings(logger: Logger) -> AppConfig {
        reporting(logger) { try AppConfig.load(environment: ProcessInfo.processInfo.environment) }
    }

    /// Checks that the database answers and is migrated, so a process never starts against a schema it
    /// does not know.
    public static func checkDatabase(_ config: AppConfig, logger: Logger) {
        reporting(logger) {
            let db = PostgresConnection(url: config.databaseURL)
            try db.connect()
            try Migrations.requireCurrent(db)
        }
    }

    /// Runs `body`; a failure is logged as one line and ends the process with exit status 1.
    public static func reporting<T>(_ logger: Logger, _ body: () throws -> T) -> T {
        do {
            return try body()
        } catch {
            logger.critical("\(error)")
            exit(1)
        }
    }
}
