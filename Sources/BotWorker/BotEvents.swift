import GuildGateCore
import DiscordGateway
import Foundation
import JSONSupport
import Logging
import Store
import Synchronization

/// The bot's side of the gateway: presences to the ingest, members to the member records (and group sync),
/// member chunks to the reconciler, and the session facts the heartbeat row reports.
final class BotEvents: GatewayEventHandler {
    private struct Session {
        var startedAt: Date
        var live: Bool
        var lastEventAt: Date?
    }

    private let ingest: PresenceIngest
    private let members: MemberEvents
    private let commands: BotCommands
    /// Whether this session's READY registers the slash commands: shard 0's does, once for every shard.
    private let registersCommands: Bool
    private let botID = Mutex<String?>(nil)
    private let reconciler: Mutex<MemberReconciler?> = Mutex(nil)
    private let session = Mutex<Session?>(nil)
    private let logger: Logger

    init(ingest: PresenceIngest, members: MemberEvents, commands: BotCommands, registersCommands: Bool, logger: Logger) {
        self.ingest = ingest
        self.members = members
        self.commands = commands
        self.registersCommands = registersCommands
        self.logger = logger
    }

    func attach(_ reconciler: MemberReconciler) {
        self.reconciler.withLock { $0 = reconciler }
    }

    /// The heartbeat row's facts while the session is live.
    func heartbeat(guildID: String, latency: Duration?) -> BotHeartbeat? {
        session.withLock { session in
            guard let session, session.live else { return nil }
            return BotHeartbeat(
                guildID: guildID, sessionStartedAt: session.startedAt,
                latencyMS: latency.map { Int($0.wholeMilliseconds) },
                lastEventAt: session.lastEventAt)
        }
    }

    func handle(_ event: GatewayEvent) async {
        let now = Date()
        switch event {
        case .ready(let ready):
            await begin(ready, at: now)
            if registersCommands { commands.register(applicationID: ready.applicationID ?? ready.botUserID) }
        case .resumed(let ready):
            let resumed = session.withLock { session in
                session?.live = true
                session?.lastEventAt = now
                return session != nil
            }
            // Else a session taken over from another bot: this process starts on it without a READY of its own.
            if !resumed { await begin(ready, at: now) }
        case .disconnected:
            session.withLock { $0?.live = false }
        case .dispatch(let name, let data):
            session.withLock { $0?.lastEventAt = now }
            await dispatch(name, data, at: now)
        }
    }

    private func begin(_ ready: GatewayReady, at now: Date) async {
        session.withLock { $0 = Session(startedAt: now, live: true, lastEventAt: now) }
        botID.withLock { $0 = ready.botUserID }
        await reconciler.withLock { $0 }?.sessionStarted(guilds: ready.guildIDs)
    }

    private func dispatch(_ name: String, _ data: JSON, at now: Date) async {
        switch name {
        case "PRESENCE_UPDATE":
            BotMetrics.presenceEvent()
            if let record = PresenceMapping.record(data, guildID: nil, seenAt: now) { ingest.submit([record]) }
        case "GUILD_CREATE":
            guard let guildID = data["id"]?.string else { return }
            // During an outage the guild comes without members: nobody's presence is known, so nobody changes.
            guard data["unavailable"]?.bool != true else {
                await guildUnavailable(guildID)
                return
            }
            await reconciler.withLock { $0 }?.guildAvailable(guildID)
            let records = PresenceMapping.records(
                members: data["members"]?.array ?? [], presences: data["presences"]?.array ?? [], guildID: guildID, seenAt: now)
            ingest.submit(records)
            members.listed(data["members"]?.array ?? [], guildID: guildID)
            logger.info(
                "guild available", metadata: ["guild_id": "\(guildID)", "members": "\(data["member_count"]?.integer ?? records.count)"])
        case "GUILD_DELETE":
            guard let guildID = data["id"]?.string else { return }
            if data["unavailable"]?.bool == true {
                await guildUnavailable(guildID)
            } else {
                logger.warning("the bot was removed from the guild", metadata: ["guild_id": "\(guildID)"])
                await reconciler.withLock { $0 }?.guildLeft(guildID)
            }
        case "GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE":
            members.changed(data)
        case "GUILD_MEMBER_REMOVE":
            if let guildID = data["guild_id"]?.string, let userID = data["user"]?["id"]?.string {
                ingest.submit([.offline(guildID: guildID, discordID: userID, seenAt: now)])
            }
            members.removed(data)
        case "GUILD_MEMBERS_CHUNK":
            guard let guildID = data["guild_id"]?.string else { return }
            let listed = data["members"]?.array ?? []
            // Without `presences` in the chunk (not asked for), a member's absence says nothing.
            if let presences = data["presences"]?.array {
                ingest.submit(PresenceMapping.records(members: listed, presences: presences, guildID: guildID, seenAt: now))
            }
            members.listed(listed, guildID: guildID)
            await reconciler.withLock { $0 }?.chunk(
                nonce: data["nonce"]?.string, index: data["chunk_index"]?.integer ?? 0,
                count: data["chunk_count"]?.integer ?? 1, members: listed.count)
        case "MESSAGE_CREATE":
            if let botID = botID.withLock({ $0 }) { commands.message(data, botID: botID) }
        case "INTERACTION_CREATE":
            commands.interaction(data)
        case "RATE_LIMITED":
            guard data["opcode"]?.integer == 8 else { return }
            await reconciler.withLock { $0 }?.rateLimited(
                nonce: data["meta"]?["nonce"]?.string, retryAfter: data["retry_after"]?.number ?? 30)
        default:
            logger.trace("dispatch ignored", metadata: ["event": "\(name)"])
        }
    }

    private func guildUnavailable(_ guildID: String) async {
        logger.notice("guild unavailable (a Discord outage); its members keep their last presence", metadata: ["guild_id": "\(guildID)"])
        await reconciler.withLock { $0 }?.guildUnavailable(guildID)
    }
}
