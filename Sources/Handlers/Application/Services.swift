import CurlHTTP
import DiscordKit
import Logging
import Store

/// What one worker thread owns: its database connection and its connection to Discord. Never shared across
/// threads.
public final class Services {
    public let environment: AppEnvironment
    public let db: PostgresConnection
    /// A curl handle (a fake Discord in tests).
    public let http: any HTTPTransport
    let httpMetrics = HTTPMetrics.Recorder()

    public init(environment: AppEnvironment) {
        self.environment = environment
        db = PostgresConnection(
            url: environment.config.databaseURL, health: environment.databaseHealth, answerTimeout: environment.databaseAnswerTimeout)
        http = environment.makeDiscordTransport()
    }

    public func discord(logger: Logger) -> DiscordClient {
        environment.discordClient(transport: http, logger: logger)
    }
}
