import DiscordKit
import Foundation
import JSONSupport
import Logging
import Store

/// Applies the nickname template to linked members present in the guild. The guild owner and members whose
/// highest role is not below the bot's cannot be renamed by a bot: they are skipped and listed. A refusal for
/// want of Manage Nicknames stops the run and is reported with its fix.
public struct NicknameRun {
    public static let problemKind = BackgroundJob.Kind.nicknamesUpdate.rawValue

    public struct Outcome: Sendable, Equatable {
        public var changed = 0
        public var unchanged = 0
        /// Members a bot may not rename, by Discord id.
        public var skipped: [String] = []
        public var problem: GroupRunProblem?

        public var json: JSON {
            [
                "changed": .int(changed), "unchanged": .int(unchanged), "skipped": .array(skipped.map(JSON.string)),
                "problem": problem.map { .string($0.description) } ?? .null,
            ]
        }
    }

    let guildID: String
    let template: NicknameTemplate
    let db: PostgresConnection
    let actor: AuditActor
    let logger: Logger

    public init(guildID: String, template: NicknameTemplate, db: PostgresConnection, actor: AuditActor, logger: Logger) {
        self.guildID = guildID
        self.template = template
        self.db = db
        self.actor = actor
        self.logger = logger
    }

    public func run(discord: DiscordClient) throws -> Outcome {
        let guild = try discord.guild(id: guildID)
        let botRoles = try discord.guildMember(guildID: guildID, userID: try discord.botUser().id).roles
        let positions = Dictionary(guild.roles.map { ($0.id, $0.position) }, uniquingKeysWith: { first, _ in first })
        let top = { (roles: Set<String>) in roles.compactMap { positions[$0] }.max() ?? 0 }
        let botTop = top(Set(botRoles))
        let members = GuildMemberStore(db)
        let present = Dictionary(try members.present(guildID: guildID).map { ($0.discordID, $0) }, uniquingKeysWith: { first, _ in first })
        let ranks = try StaffStore(db).ranks()
        let groups = try GroupStore(db).firstGroupNames()
        var outcome = Outcome()
        for user in try GroupStore(db).linkedMembers() {
            guard let member = present[user.discordID] else { continue }
            guard member.discordID != guild.ownerID, top(member.roleIDs) < botTop else {
                outcome.skipped.append(member.discordID)
                continue
            }
            let nick = template.nickname(
                for: .init(
                    username: member.username ?? member.discordID, globalName: member.globalName, rank: ranks[member.discordID],
                    group: groups[user.userID]))
            guard nick != member.nick else {
                outcome.unchanged += 1
                continue
            }
            let result = Result { () throws(DiscordError) in
                try discord.setNickname(guildID: guildID, userID: member.discordID, nick: nick, reason: "GuildGate nicknames (\(actor))")
            }
            if case .failure(let error) = result {
                if error.code == .unknownMember {
                    try members.markLeft(guildID: guildID, discordID: member.discordID)
                    continue
                }
                guard error.code == .missingPermissions || error.status == 403 else { throw error }
                let problem = GroupRunProblem.diagnose(roleID: nil, needing: .manageNicknames, guild: guild, botRoleIDs: botRoles)
                try audit(member.discordID, from: member.nick, to: nick, result: problem.description)
                try SyncProblemStore(db).report(kind: Self.problemKind, message: problem.description)
                outcome.problem = problem
                return outcome
            }
            try members.setNick(guildID: guildID, discordID: member.discordID, nick: nick)
            try audit(member.discordID, from: member.nick, to: nick)
            outcome.changed += 1
        }
        try SyncProblemStore(db).clear(kind: Self.problemKind)
        return outcome
    }

    private func audit(_ target: String, from old: String?, to new: String?, result: String = "ok") throws {
        try AuditLogStore(db).record(
            actor: actor.description, action: "nick.set", target: target, detail: ["from": old.json, "to": new.json], result: result)
    }
}
