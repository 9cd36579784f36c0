import DiscordKit
import Foundation
import GuildGateCore
import JSONSupport
import Logging
import ProcessSupport
import Store

/// The gateway's member events, recorded on a thread of their own (the gateway's reader never waits for the
/// database): GUILD_CREATE's members, member chunks, GUILD_MEMBER_ADD, _UPDATE and _REMOVE. A mapped role
/// given or taken on Discord is adopted into the user's groups under remote priority, and under local
/// priority queues a verify of that member, which gives or takes it back within seconds.
final class MemberEvents: Sendable {
    private let queue: WorkQueue<PostgresConnection>
    private let settings: LiveConfig
    private let guildID: String
    private let logger: Logger

    init(settings: LiveConfig, guildID: String, logger: Logger) {
        self.settings = settings
        self.guildID = guildID
        self.logger = logger
        queue = WorkQueue(name: "member-events") { _ in PostgresConnection(url: settings.base.databaseURL) }
    }

    /// A member list (GUILD_CREATE, GUILD_MEMBERS_CHUNK).
    func listed(_ members: [JSON], guildID: String) {
        let decoded = members.compactMap { try? $0.decoded(as: GuildMember.self) }
        submit { db in try MemberDirectory(guildID: guildID, db: db).record(decoded) }
    }

    /// GUILD_MEMBER_ADD or GUILD_MEMBER_UPDATE.
    func changed(_ data: JSON) {
        guard let guildID = data["guild_id"]?.string, let member = try? data.decoded(as: GuildMember.self),
            let discordID = member.user?.id
        else { return }
        submit { [self] db in
            try MemberDirectory(guildID: guildID, db: db).record([member])
            guard guildID == self.guildID, try UserStore(db).user(discordID: discordID) != nil else { return }
            try follow(discordID: discordID, db: db)
        }
    }

    /// GUILD_MEMBER_REMOVE.
    func removed(_ data: JSON) {
        guard let guildID = data["guild_id"]?.string, let discordID = data["user"]?["id"]?.string else { return }
        submit { db in try MemberDirectory(guildID: guildID, db: db).left(discordID) }
    }

    /// Stops taking events; what is queued is dropped (the next remote sync reads the member list whole).
    func finish() {
        queue.close(discardingQueued: true)
    }

    private func follow(discordID: String, db: PostgresConnection) throws {
        let verification = GroupVerification(guildID: guildID, db: db, actor: .discord, logger: logger)
        if settings.current.groupPriority == .remote {
            _ = try verification.adopt(discordID: discordID)
            return
        }
        let groups = GroupStore(db)
        let drift = RoleDrift.compute(
            members: try GuildMemberStore(db).present(guildID: guildID, discordID: discordID),
            linked: try groups.linkedMembers(discordID: discordID), mappedRoles: try groups.mappedRoleIDs())
        guard !drift.isEmpty else { return }
        let job = try JobStore(db).enqueue(.groupsVerify(discordID: discordID, requestedBy: AuditActor.discord.description))
        logger.info(
            "mapped roles changed on Discord; verifying the member", metadata: ["discord_id": "\(discordID)", "job_id": "\(job.id)"])
    }

    private func submit(_ work: @escaping @Sendable (PostgresConnection) throws -> Void) {
        let logger = logger
        _ = queue.submit { db in
            do {
                try work(db)
            } catch {
                logger.error("recording a member event failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
