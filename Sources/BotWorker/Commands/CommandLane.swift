import DiscordKit
import Logging
import ProcessSupport
import Store

/// A thread with a database connection and a REST client of its own, so work on one lane never waits
/// for another's: message answers held back by a channel's rate limit do not delay slash commands.
final class CommandLane: Sendable {
    private let queue: WorkQueue<(db: PostgresConnection, discord: DiscordClient)>

    init(_ name: String, setup: BotSetup, logger: Logger) {
        queue = WorkQueue(name: "bot-\(name)") { _ in
            (PostgresConnection(url: setup.config.databaseURL), setup.discord(logger: logger))
        }
    }

    func async(_ work: @escaping @Sendable (PostgresConnection, DiscordClient) -> Void) {
        queue.submit { lane in work(lane.db, lane.discord) }
    }
}
