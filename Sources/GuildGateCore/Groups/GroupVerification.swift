import DiscordKit
import Foundation
import JSONSupport
import Logging
import Store

/// Verify groups: each linked member of the guild gets exactly the mapped roles of their groups (push), or,
/// under remote priority, their groups follow the mapped roles Discord says they hold (adopt). Roles no group
/// maps are never touched. Every change is audited; a refusal for want of permission or hierarchy stops the
/// run after the first one and is reported with its fix instead of retried into an error storm.
public struct GroupVerification {
    public static let problemKind = BackgroundJob.Kind.groupsVerify.rawValue

    public struct Outcome: Sendable, Equatable {
        public var members = 0
        public var added = 0
        public var removed = 0
        public var left = 0
        public var joinedGroups = 0
        public var leftGroups = 0
        public var problem: GroupRunProblem?

        public var json: JSON {
            [
                "members": .int(members), "roles_added": .int(added), "roles_removed": .int(removed), "members_left": .int(left),
                "groups_joined": .int(joinedGroups), "groups_left": .int(leftGroups),
                "problem": problem.map { .string($0.description) } ?? .null,
            ]
        }
    }

    let guildID: String
    let db: PostgresConnection
    let actor: AuditActor
    let logger: Logger

    public init(guildID: String, db: PostgresConnection, actor: AuditActor, logger: Logger) {
        self.guildID = guildID
        self.db = db
        self.actor = actor
        self.logger = logger
    }

    /// Gives and takes roles on Discord until every linked member (or only `discordID`) holds the mapped
    /// roles of their groups.
    public func push(discordID: String? = nil, discord: DiscordClient) throws -> Outcome {
        let groups = GroupStore(db)
        let members = GuildMemberStore(db)
        let present = try members.present(guildID: guildID, discordID: discordID)
        let drift = RoleDrift.compute(
            members: present, linked: try groups.linkedMembers(discordID: discordID), mappedRoles: try groups.mappedRoleIDs())
        var held = Dictionary(present.map { ($0.discordID, $0.roleIDs) }, uniquingKeysWith: { first, _ in first })
        var outcome = Outcome(members: drift.count)
        members: for change in drift {
            let changes = change.add.map { ($0, true) } + change.remove.map { ($0, false) }
            for (roleID, adding) in changes {
                switch try refusal(applying: roleID, adding: adding, to: change.discordID, discord: discord) {
                case nil:
                    break
                case .memberLeft?:
                    try members.markLeft(guildID: guildID, discordID: change.discordID)
                    try audit("member.left", change.discordID, ["role_id": .string(roleID)])
                    outcome.left += 1
                    continue members
                case .roleGone?:
                    try groups.unmap(roleID: roleID)
                    try audit(
                        adding ? "role.add" : "role.remove", change.discordID, ["role_id": .string(roleID)],
                        result: "the role no longer exists on Discord; its groups map nothing now")
                    continue
                case .forbidden?:
                    let problem = try diagnose(roleID: roleID, discord: discord)
                    try audit(
                        adding ? "role.add" : "role.remove", change.discordID, ["role_id": .string(roleID)], result: problem.description)
                    try members.setRoles(guildID: guildID, discordID: change.discordID, roleIDs: held[change.discordID] ?? [])
                    try SyncProblemStore(db).report(kind: Self.problemKind, message: problem.description)
                    logger.error("verify groups stopped", metadata: ["problem": "\(problem)"])
                    outcome.problem = problem
                    return outcome
                }
                if adding {
                    held[change.discordID, default: []].insert(roleID)
                    outcome.added += 1
                } else {
                    held[change.discordID]?.remove(roleID)
                    outcome.removed += 1
                }
                try audit(adding ? "role.add" : "role.remove", change.discordID, ["role_id": .string(roleID)])
            }
            try members.setRoles(guildID: guildID, discordID: change.discordID, roleIDs: held[change.discordID] ?? [])
        }
        if discordID == nil { try SyncProblemStore(db).clear(kind: Self.problemKind) }
        return outcome
    }

    /// Remote priority: each linked member's (or only `discordID`'s) groups follow the mapped roles they hold
    /// on Discord; nothing is changed on Discord.
    public func adopt(discordID: String? = nil) throws -> Outcome {
        let groups = GroupStore(db)
        let mapped = try groups.mappedRoleIDs()
        let present = Dictionary(
            try GuildMemberStore(db).present(guildID: guildID, discordID: discordID).map { ($0.discordID, $0.roleIDs) },
            uniquingKeysWith: { first, _ in first })
        var outcome = Outcome()
        for user in try groups.linkedMembers(discordID: discordID) {
            guard let roles = present[user.discordID] else { continue }
            outcome.members += 1
            let (joined, left) = try groups.adopt(heldRoles: roles.intersection(mapped), userID: user.userID)
            for name in joined { try audit("group.join", user.discordID, ["group": .string(name)]) }
            for name in left { try audit("group.leave", user.discordID, ["group": .string(name)]) }
            outcome.joinedGroups += joined.count
            outcome.leftGroups += left.count
        }
        return outcome
    }

    /// Refusals a run handles itself; anything else (Discord away, rate limits past waiting) fails the job.
    private enum Refusal {
        /// 10007: the member left the guild.
        case memberLeft
        /// 10011: the role was deleted.
        case roleGone
        /// 403 / 50013: hierarchy or permission.
        case forbidden
    }

    /// Gives or takes the role; the refusal Discord answered with, or nil when it was done.
    private func refusal(applying roleID: String, adding: Bool, to userID: String, discord: DiscordClient) throws -> Refusal? {
        let reason = "GuildGate verify groups (\(actor))"
        let result = Result { () throws(DiscordError) in
            if adding {
                try discord.addMemberRole(guildID: guildID, userID: userID, roleID: roleID, reason: reason)
            } else {
                try discord.removeMemberRole(guildID: guildID, userID: userID, roleID: roleID, reason: reason)
            }
        }
        guard case .failure(let error) = result else { return nil }
        switch error.code {
        case .unknownMember?: return .memberLeft
        case .unknownRole?: return .roleGone
        case .missingPermissions?: return .forbidden
        default:
            if error.status == 403 { return .forbidden }
            throw error
        }
    }

    private func diagnose(roleID: String, discord: DiscordClient) throws -> GroupRunProblem {
        let guild = try discord.guild(id: guildID)
        let bot = try discord.guildMember(guildID: guildID, userID: try discord.botUser().id)
        return GroupRunProblem.diagnose(roleID: roleID, needing: .manageRoles, guild: guild, botRoleIDs: bot.roles)
    }

    private func audit(_ action: String, _ target: String, _ detail: JSON, result: String = "ok") throws {
        try AuditLogStore(db).record(actor: actor.description, action: action, target: target, detail: detail, result: result)
    }
}
