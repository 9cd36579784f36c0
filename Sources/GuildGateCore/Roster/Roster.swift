import Foundation
import Store

/// The staff presence roster: each staff member with the presence the bot last saw.
public struct Roster {
    /// Discord's statuses, in the order the roster offers them as filters (`invisible` reaches bots as offline).
    public static let statuses = ["online", "idle", "dnd", "offline"]

    /// A status as people read it (`dnd` is "Do Not Disturb"; anything unknown reads as offline).
    public static func label(_ status: String) -> String {
        switch status {
        case "online": return "Online"
        case "idle": return "Idle"
        case "dnd": return "Do Not Disturb"
        default: return "Offline"
        }
    }

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

    /// The API's answer (`RosterJSON`): everyone, as a JSON array, and the `version` it is of.
    public func answer() throws(StoreError) -> (version: String, json: [UInt8]) {
        let store = StaffStore(db)
        let (version, json) = try store.withRosterRows(guildID: guildID) { rows in
            let version = rows.rowCount == 0 ? nil : String(decoding: rows.bytes(row: 0, column: RosterColumn.version), as: UTF8.self)
            return (version, RosterJSON.write(rows))
        }
        guard let version else { return (Self.tag(try store.rosterVersion()), json) }
        return (Self.tag(version), json)
    }

    /// The entries of the staff members `discordIDs` names, each as the API writes it, by Discord id (members
    /// not on the roster are left out).
    public func entryJSON(discordIDs: Set<String>) throws(StoreError) -> [String: [UInt8]] {
        try StaffStore(db).withRosterRows(guildID: guildID) { rows in RosterJSON.entries(rows, discordIDs: discordIDs) }
    }

    /// A tag that changes whenever the API's answer may have (`StaffStore.rosterVersion`), read without the rows.
    public func version() throws(StoreError) -> String {
        Self.tag(try StaffStore(db).rosterVersion())
    }

    /// The leading format number changes with the answer's fields (2: `discord_last_seen` added).
    private static func tag(_ version: String) -> String {
        "r2." + version
    }

    /// Whether guildgate-bot is running: its latest heartbeat, fresh when younger than `heartbeatFreshness`.
    public func botStatus(now: Date) throws -> BotStatus {
        let heartbeat = try BotHealthStore(db).latest(guildID: guildID)
        return BotStatus(
            heartbeat: heartbeat, isRunning: heartbeat.map { now.timeIntervalSince($0.beatAt) < BotStatus.heartbeatFreshness } ?? false)
    }
}
