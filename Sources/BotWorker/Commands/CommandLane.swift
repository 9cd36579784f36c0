import DiscordKit
import Foundation
import Logging
import Store

/// A serial queue with a database connection and a REST client of its own, so work on one lane never
/// waits for another's: message answers held back by a channel's rate limit do not delay slash commands.
final class CommandLane: @unchecked Sendable {
    private let queue: DispatchQueue
    /// Used on `queue` only.
    private let db: PostgresConnection
    private let discord: DiscordClient

    init(_ name: String, setup: BotSetup, logger: Logger) {
        queue = DispatchQueue(label: "guildgate.bot-\(name)")
        db = PostgresConnection(url: setup.config.databaseURL)
        discord = setup.discord(logger: logger)
    }

    func async(_ work: @escaping @Sendable (PostgresConnection, DiscordClient) -> Void) {
        queue.async { [self] in work(db, discord) }
    }
}
