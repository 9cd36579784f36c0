import DiscordKit
import Foundation
import Logging
import Store

/// The guild's members as GuildGate records them (`guild_members`): from Discord's member list, read whole
/// by a remote sync, and from the gateway's member events in between.
public struct MemberDirectory {
    /// Members per page of List Guild Members (Discord's most).
    static let pageSize = 1000

    let guildID: String
    let db: PostgresConnection

    public init(guildID: String, db: PostgresConnection) {
        self.guildID = guildID
        self.db = db
    }

    /// The record of a member as Discord describes it; nil without a user (Discord leaves it out in places).
    public static func record(_ member: GuildMember, guildID: String) -> GuildMemberRecord? {
        guard let user = member.user else { return nil }
        return GuildMemberRecord(
            guildID: guildID, discordID: user.id, username: user.username, globalName: user.globalName, nick: member.nick,
            roleIDs: Set(member.roles))
    }

    public func record(_ members: [GuildMember]) throws {
        try GuildMemberStore(db).upsert(members.compactMap { Self.record($0, guildID: guildID) })
    }

    public func left(_ discordID: String) throws {
        try GuildMemberStore(db).markLeft(guildID: guildID, discordID: discordID)
    }

    /// Reads the whole member list, a page at a time, records it (usernames and display names included) and
    /// marks everyone not listed as left. Needs the Server Members intent (`GroupRunProblem.membersIntent`).
    public func refresh(discord: DiscordClient) throws -> (present: Int, left: Int) {
        var seen = Set<String>()
        var after: String?
        while true {
            let page = try discord.guildMembers(guildID: guildID, after: after, limit: Self.pageSize)
            try record(page)
            let ids = page.compactMap(\.user?.id)
            seen.formUnion(ids)
            guard page.count == Self.pageSize, let last = ids.max(by: { UInt64($0) ?? 0 < UInt64($1) ?? 0 }) else { break }
            after = last
        }
        let left = try GuildMemberStore(db).markLeft(guildID: guildID, except: seen)
        return (seen.count, left)
    }
}
