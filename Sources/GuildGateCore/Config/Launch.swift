import Foundation
import Logging
import Store

/// Start-up shared by the commands of both processes: logging, settings, and one clear line for what stops the start.
public enum Launch {
    public static func logger(_ label: String) -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
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
