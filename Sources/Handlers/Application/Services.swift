import CurlHTTP
import DiscordKit
import Logging
import Store

/// What one worker thread owns: its database connection and its HTTP client. Never shared across threads.
public final class Services {
    public let environment: AppEnvironment
    public let db: PostgresConnection
    public let http: HTTPClient

    public init(environment: AppEnvironment) {
        self.environment = environment
        db = PostgresConnection(url: environment.config.databaseURL)
        http = HTTPClient()
    }

    public func discord(logger: Logger) -> DiscordClient {
        environment.discordClient(transport: http, logger: logger)
    }
}
