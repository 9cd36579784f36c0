import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// Members of the sandbox's guild, each linked to a user of a group mapped to a role none of them holds
    /// yet: a `groups.remote_sync` job gives each the role with one `PUT …/members/{id}/roles/{role}`, a side
    /// effect on Discord the tests can count. Tables of groups and jobs are emptied first.
    struct MembersAwaitingARole {
        let role: String
        let members: [String]

        init(_ sandbox: SandboxControl, _ db: PostgresConnection, count: Int) throws {
            try db.query("TRUNCATE groups, group_members, guild_members, audit_log, sync_problems, jobs")
            try db.query("UPDATE schedules SET enabled = false")
            role = try sandbox.createRole(name: "Fault tested")
            let group = try #require(try GroupStore(db).create(name: "Fault tested", roleID: role))
            members = (0..<count).map { _ in GroupSync.freshID() }
            for (index, member) in members.enumerated() {
                try sandbox.addMember(id: member, username: "awaiting\(index)", roles: [])
                let user = try UserStore(db).upsertDiscordLogin(discordID: member, discordUsername: "awaiting\(index)")
                _ = try GroupStore(db).add(userID: user.id, groupID: group.id)
            }
        }

        /// What the bot changed on each member, in order: `["role_added <role>"]` each once all is done.
        func changesByTheBot(_ sandbox: SandboxControl) throws -> [[String]] {
            try members.map { member in
                try sandbox.changes(of: member).filter { $0["by"] as? String == "bot" }.map {
                    "\($0["change"] as? String ?? "?") \($0["role_id"] as? String ?? "-")"
                }
            }
        }

        var expectedChanges: [[String]] { members.map { _ in ["role_added \(role)"] } }

        /// Empties the tables again, so that no later test's bot verifies these members.
        static func cleanUp(_ db: PostgresConnection) {
            _ = try? db.query("TRUNCATE groups, group_members, guild_members, sync_problems, jobs")
        }
    }
}
