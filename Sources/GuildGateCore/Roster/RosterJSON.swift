import JSONSupport
import Store

/// The roster API's answer, written from the database's rows straight into one buffer: the value of
/// `RosterEntry`'s fields in the API's order, plus `discord_last_seen`. Text is copied whole unless it has
/// a byte to escape; ids and timestamps (formatted by PostgreSQL) need none.
enum RosterJSON {
    /// About the size of one entry, to reserve the whole answer at once.
    private static let bytesPerEntry = 320

    static func write(_ rows: RawQueryResult) -> [UInt8] {
        var out = JSONByteWriter(capacity: rows.rowCount * bytesPerEntry + 2)
        out.raw("[")
        for row in 0..<rows.rowCount {
            if row > 0 { out.raw(",") }
            entry(rows, row, to: &out)
        }
        out.raw("]")
        return out.bytes
    }

    /// The entries of the members `discordIDs` names, each a JSON object of its own, by Discord id (the
    /// roster's events).
    static func entries(_ rows: RawQueryResult, discordIDs: Set<String>) -> [String: [UInt8]] {
        var entries: [String: [UInt8]] = [:]
        for row in 0..<rows.rowCount {
            let discordID = String(decoding: rows.bytes(row: row, column: RosterColumn.discordID), as: UTF8.self)
            guard discordIDs.contains(discordID) else { continue }
            var out = JSONByteWriter(capacity: bytesPerEntry)
            entry(rows, row, to: &out)
            entries[discordID] = out.bytes
        }
        return entries
    }

    private static func entry(_ rows: RawQueryResult, _ row: Int, to out: inout JSONByteWriter) {
        out.raw(#"{"id":"#)
        out.raw(rows.bytes(row: row, column: RosterColumn.id))
        out.raw(#","name":"#)
        out.string(rows.bytes(row: row, column: RosterColumn.name))
        out.raw(#","rank":"#)
        out.string(rows.bytes(row: row, column: RosterColumn.rank))
        out.raw(#","discord_id":"#)
        out.string(rows.bytes(row: row, column: RosterColumn.discordID))
        out.raw(#","discord_status":"#)
        out.string(rows.bytes(row: row, column: RosterColumn.status))
        out.raw(#","discord_custom_status":"#)
        optionalString(rows, row, RosterColumn.customStatus, to: &out)
        out.raw(#","discord_activity":"#)
        optionalString(rows, row, RosterColumn.activity, to: &out)
        out.raw(#","discord_status_updated":"#)
        timestamp(rows, row, RosterColumn.statusUpdated, to: &out)
        out.raw(#","discord_last_seen":"#)
        timestamp(rows, row, RosterColumn.lastSeen, to: &out)
        out.raw("}")
    }

    private static func optionalString(_ rows: RawQueryResult, _ row: Int, _ column: Int, to out: inout JSONByteWriter) {
        if rows.isNull(row: row, column: column) {
            out.raw("null")
        } else {
            out.string(rows.bytes(row: row, column: column))
        }
    }

    /// Digits and `-:.TZ` only: copied between quotes as they are.
    private static func timestamp(_ rows: RawQueryResult, _ row: Int, _ column: Int, to out: inout JSONByteWriter) {
        if rows.isNull(row: row, column: column) {
            out.raw("null")
        } else {
            out.raw("\"")
            out.raw(rows.bytes(row: row, column: column))
            out.raw("\"")
        }
    }
}
