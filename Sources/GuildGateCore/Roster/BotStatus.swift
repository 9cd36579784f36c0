import Foundation
import Store

/// What guildgate-bot last reported of itself.
public struct BotStatus: Sendable {
    /// The bot counts as running while its heartbeat is younger than this.
    public static let heartbeatFreshness: TimeInterval = 30

    public let heartbeat: BotHealth?
    public let isRunning: Bool
}
