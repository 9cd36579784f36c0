import DiscordKit
import Foundation
import GuildGateCore
import JSONSupport
import Logging
import Store

/// The jobs of group ↔ role sync: `groups.verify`, `groups.remote_sync` and `nicknames.update`. Each run
/// opens its own connection and REST client (jobs run one at a time on the runner's thread) and reads the
/// settings in effect when it starts (the nickname template may change in the admin panel).
struct GroupJobs: Sendable {
    let guildID: String
    let settings: LiveConfig
    let logger: Logger
    let discord: @Sendable () -> DiscordClient

    /// Push for one member an admin changed or a change seen on Discord under local priority; for everyone,
    /// push under local priority and adopt under remote priority.
    func verify(discordID: String?, requestedBy: String) throws -> JSON {
        let db = PostgresConnection(url: settings.base.databaseURL)
        let verification = GroupVerification(guildID: guildID, db: db, actor: Self.actor(requestedBy, .groupsVerify), logger: logger)
        if discordID == nil, settings.current.groupPriority == .remote { return try verification.adopt().json }
        return try verification.push(discordID: discordID, discord: discord()).json
    }

    /// Reads the whole member list (refreshing usernames and display names), then verifies everyone.
    func remoteSync(requestedBy: String) throws -> JSON {
        let db = PostgresConnection(url: settings.base.databaseURL)
        let discord = discord()
        guard let counts = try refresh(db: db, discord: discord, problemKind: BackgroundJob.Kind.groupsRemoteSync.rawValue) else {
            return ["problem": .string(GroupRunProblem.membersIntent.description)]
        }
        let verification = GroupVerification(
            guildID: guildID, db: db, actor: Self.actor(requestedBy, .groupsRemoteSync), logger: logger)
        let outcome =
            settings.current.groupPriority == .remote ? try verification.adopt() : try verification.push(discord: discord)
        return ["present": .int(counts.present), "left": .int(counts.left), "verify": outcome.json]
    }

    /// Refreshes the accounts (usernames, display names), then applies the nickname template if one is set.
    func nicknames(requestedBy: String) throws -> JSON {
        let db = PostgresConnection(url: settings.base.databaseURL)
        let discord = discord()
        guard let counts = try refresh(db: db, discord: discord, problemKind: BackgroundJob.Kind.nicknamesUpdate.rawValue) else {
            return ["problem": .string(GroupRunProblem.membersIntent.description)]
        }
        guard let template = settings.current.nicknameTemplate else {
            return ["present": .int(counts.present), "nicknames": "no template set"]
        }
        let outcome = try NicknameRun(
            guildID: guildID, template: NicknameTemplate(template), db: db, actor: Self.actor(requestedBy, .nicknamesUpdate), logger: logger
        ).run(discord: discord)
        return ["present": .int(counts.present), "nicknames": outcome.json]
    }

    /// The member list read whole; nil (and the problem reported) when Discord refuses it for want of the
    /// Server Members intent.
    private func refresh(db: PostgresConnection, discord: DiscordClient, problemKind: String) throws -> (present: Int, left: Int)? {
        do {
            let counts = try MemberDirectory(guildID: guildID, db: db).refresh(discord: discord)
            try SyncProblemStore(db).clear(kind: problemKind)
            return counts
        } catch let error as DiscordError where error.code == .missingAccess {
            try SyncProblemStore(db).report(kind: problemKind, message: GroupRunProblem.membersIntent.description)
            logger.error("the member list was refused", metadata: ["problem": "\(GroupRunProblem.membersIntent)"])
            return nil
        }
    }

    /// Who a job acts for in the audit log: its schedule, or whoever queued it.
    static func actor(_ requestedBy: String, _ kind: BackgroundJob.Kind) -> AuditActor {
        requestedBy == "schedule" ? .schedule(kind.rawValue) : .job(requestedBy)
    }
}
