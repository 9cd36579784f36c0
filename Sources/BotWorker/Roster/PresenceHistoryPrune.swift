import Foundation
import JSONSupport
import Logging
import Store

/// The `presence.history_prune` job: deletes the presence intervals that ended more than
/// `GUILDGATE_PRESENCE_HISTORY_DAYS` ago (a member's current interval stays however old it is).
struct PresenceHistoryPrune: Sendable {
    let databaseURL: String
    let days: Int
    let logger: Logger

    func run(now: Date = Date()) throws -> JSON {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        let deleted = try PresenceHistoryStore(PostgresConnection(url: databaseURL)).prune(endedBefore: cutoff)
        logger.info("presence history pruned", metadata: ["deleted": "\(deleted)", "days": "\(days)"])
        return ["deleted": .int(deleted), "cutoff": .string(ISO8601Timestamp.format(cutoff))]
    }
}
