import Foundation
import JSONSupport
import Store

/// Turns Discord's presence objects (PRESENCE_UPDATE, and the `presences` of GUILD_CREATE and member
/// chunks) into roster rows (docs: `events/gateway-events`).
public enum PresenceMapping {
    static let statuses = Set(Roster.statuses)

    /// nil when the object has no user id or no guild.
    public static func record(_ presence: JSON, guildID fallbackGuildID: String?, seenAt: Date) -> PresenceRecord? {
        guard let userID = presence["user"]?["id"]?.string,
            let guildID = presence["guild_id"]?.string ?? fallbackGuildID
        else { return nil }
        // "invisible" reaches bots as offline; anything unknown is treated the same way.
        let status = presence["status"]?.string.flatMap { statuses.contains($0) ? $0 : nil } ?? "offline"
        let activities = presence["activities"]?.array ?? []
        let custom = activities.first { $0["type"]?.integer == 4 }
        let other = activities.first { $0["type"]?.integer != 4 }
        var clientStatus: JSON = [:]
        if case .object(let platforms)? = presence["client_status"] {
            clientStatus = .object(platforms.filter { $0.1.string.map(statuses.contains) ?? false })
        }
        return PresenceRecord(
            guildID: guildID, discordID: userID, status: status,
            customStatus: custom.flatMap(customStatus), activity: other.flatMap(activityText),
            clientStatus: clientStatus, seenAt: seenAt)
    }

    /// The custom status text (`state` of the type-4 activity), after its emoji when it has one.
    static func customStatus(_ activity: JSON) -> String? {
        let emoji = activity["emoji"]?["id"]?.string == nil ? activity["emoji"]?["name"]?.string : nil
        let text = activity["state"]?.string
        let parts = [emoji, text].compactMap { $0?.isEmpty == false ? $0 : nil }
        return parts.isEmpty ? nil : String(parts.joined(separator: " ").prefix(256))
    }

    /// "Playing Factorio", "Listening to Spotify", "Watching YouTube", "Competing in Arena".
    static func activityText(_ activity: JSON) -> String? {
        guard let name = activity["name"]?.string, !name.isEmpty else { return nil }
        let verb: String? =
            switch activity["type"]?.integer {
            case 0: "Playing"
            case 1: "Streaming"
            case 2: "Listening to"
            case 3: "Watching"
            case 5: "Competing in"
            default: nil
            }
        return String((verb.map { "\($0) \(name)" } ?? name).prefix(256))
    }

    /// Records for a member list (GUILD_CREATE, GUILD_MEMBERS_CHUNK): members with a presence get it, the
    /// others are offline (Discord leaves offline members out of `presences`).
    public static func records(members: [JSON], presences: [JSON], guildID: String, seenAt: Date) -> [PresenceRecord] {
        var records = presences.compactMap { record($0, guildID: guildID, seenAt: seenAt) }
        let present = Set(records.map(\.discordID))
        for member in members {
            guard let id = member["user"]?["id"]?.string, !present.contains(id) else { continue }
            records.append(.offline(guildID: guildID, discordID: id, seenAt: seenAt))
        }
        return records
    }
}
