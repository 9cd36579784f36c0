import Foundation
import Store

/// The staff presence roster: each staff member with the presence the bot last saw.
public struct Roster {
    /// Discord's statuses, in the order the roster offers them as filters (`invisible` reaches bots as offline).
    public static let statuses = ["online", "idle", "dnd", "offline"]

    let db: PostgresConnection
    let guildID: String?

    public init(db: PostgresConnection, guildID: String?) {
        self.db = db
        self.guildID = guildID
    }

    /// Everyone, or those with `status` (one of `statuses`).
    public func entries(status: String? = nil) throws -> [RosterEntry] {
        try StaffStore(db).roster(guildID: guildID).filter { status == nil || $0.status == status }
    }

    /// Whether guildgate-bot is running: its latest heartbeat, fresh when younger than `heartbeatFreshness`.
    public func botStatus(now: Date) throws -> BotStatus {
        let heartbeat = try BotHealthStore(db).latest(guildID: guildID)
        return BotStatus(
            heartbeat: heartbeat, isRunning: heartbeat.map { now.timeIntervalSince($0.beatAt) < BotStatus.heartbeatFreshness } ?? false)
    }
}
