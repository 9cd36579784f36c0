import ChatModelKit
import CurlHTTP
import DiscordGateway
import GuildGateCore
import Foundation
import JSONSupport
import Logging
import ProcessSupport
import Store
import Synchronization

/// The bot's parts, wired: the gateway shards this process holds (see `ShardKeeper`; one unless Discord
/// asks for more), each a session whose events go to the presence ingest (its own thread) and the member
/// records; the job runners (tasks, their database calls on threads of their own) run whatever is queued.
/// Presence reconciles need the session that carries the guild, so its `ShardSession` runs them.
final class Bot: ShardHolder {
    private let setup: BotSetup
    private let ingest: PresenceIngest
    private let members: MemberEvents
    private let commands: BotCommands
    private let keeper: ShardKeeper
    /// The main runner (every kind but chat and reconciles), then the chat workers.
    private let jobs: [JobRunner]
    private let typing: TypingIndicator
    private let logger: Logger
    private let sessions = Mutex<[Int: ShardSession]>([:])
    /// Opened by `shutdown()`, or when Discord refuses the bot for good (then `fatal` says why).
    private let finished = Latch()
    private let fatal = Mutex<GatewayFatalError?>(nil)
    /// When `shutdown()` was called, which the grace periods count from.
    private let shutdownStarted = Mutex<ContinuousClock.Instant?>(nil)
    private let restarting = Mutex(false)

    init(setup: BotSetup, settings: LiveConfig, logger: Logger) {
        self.setup = setup
        self.logger = logger
        ingest = PresenceIngest(databaseURL: setup.config.databaseURL, logger: logger)
        members = MemberEvents(settings: settings, guildID: setup.guildID, logger: logger)
        commands = BotCommands(setup: setup, logger: logger)
        keeper = ShardKeeper(databaseURL: setup.config.databaseURL, plan: setup.plan, worker: setup.worker, logger: logger)
        let cleanup = FileCleanup(
            databaseURL: setup.config.databaseURL, storageChannels: setup.config.discordStorageChannelIDs,
            logger: logger, discord: { setup.discord(logger: logger) })
        let groups = GroupJobs(guildID: setup.guildID, settings: settings, logger: logger) { setup.discord(logger: logger) }
        let prune = PresenceHistoryPrune(
            databaseURL: setup.config.databaseURL, days: setup.config.presenceHistoryDays, logger: logger)
        let elsewhere = Set(BackgroundJob.Kind.chat.union([.presenceReconcile]).map(\.rawValue))
        let main = JobRunner(
            databaseURL: setup.config.databaseURL, worker: setup.worker, lane: .all(except: elsewhere),
            lease: .seconds(setup.config.jobLeaseSeconds),
            handlers: [
                .filesCleanup: .blocking { _ in try cleanup.run() },
                .groupsVerify: .blocking { job in
                    guard case .groupsVerify(let discordID, let requestedBy) = job else { throw JobFailure.unknownKind(job.kind.rawValue) }
                    return try groups.verify(discordID: discordID, requestedBy: requestedBy)
                },
                .groupsRemoteSync: .blocking { job in try groups.remoteSync(requestedBy: job.requestedBy ?? "unknown") },
                .nicknamesUpdate: .blocking { job in try groups.nicknames(requestedBy: job.requestedBy ?? "unknown") },
                .presenceHistoryPrune: .blocking { _ in try prune.run() },
            ],
            // Schedules carry the guild for the reconcile and who asked; the other kinds need nothing more.
            schedulePayload: BackgroundJob.presenceReconcile(guildID: setup.guildID, requestedBy: "schedule").payload,
            logger: logger)
        typing = TypingIndicator(discord: { setup.discord(logger: logger) }, logger: logger)
        jobs = [main] + Self.chatWorkers(setup: setup, typing: typing, logger: logger)
    }

    /// After SIGTERM, how long the job in hand may take to finish before it is abandoned to its lease.
    static let jobGrace = Duration.seconds(5)
    /// After SIGTERM, how long pending presence writes may take before they are given up.
    static let writeGrace = Duration.seconds(7)

    /// The runners of `chat.reply` and `chat.image`, beside the main one so a slow model never holds up the
    /// bot's other work; none when no chat backend is configured.
    private static func chatWorkers(setup: BotSetup, typing: TypingIndicator, logger: Logger) -> [JobRunner] {
        let chat = setup.config.chat
        guard let apiBase = chat.apiBase else { return [] }
        let configuration = ChatModelConfiguration(
            apiBase: apiBase, apiKey: chat.apiKey, model: chat.model, voiceModel: chat.voiceModel, voiceName: chat.voiceName,
            imageModel: chat.imageModel, timeout: .seconds(chat.timeoutSeconds))
        let jobs = ChatJobs(
            config: chat, databaseURL: setup.config.databaseURL, typing: typing, logger: logger,
            discord: { setup.discord(logger: logger) },
            model: { OpenAICompatibleClient(configuration: configuration, transport: HTTPClient()) })
        return (1...chat.workers).map { index in
            JobRunner(
                databaseURL: setup.config.databaseURL, worker: "\(setup.worker)/chat-\(index)",
                lane: .only(Set(BackgroundJob.Kind.chat.map(\.rawValue))), lease: .seconds(setup.config.jobLeaseSeconds),
                handlers: [
                    .chatReply: .blocking { job in
                        guard case .chatReply(let request) = job else { throw JobFailure.unknownKind(job.kind.rawValue) }
                        return try jobs.reply(request)
                    },
                    .chatImage: .blocking { job in
                        guard case .chatImage(let request) = job else { throw JobFailure.unknownKind(job.kind.rawValue) }
                        return try jobs.image(request)
                    },
                ], schedulePayload: nil, logger: logger)
        }
    }

    /// Runs until `shutdown()`; throws when Discord refuses the bot for good.
    func run() async throws {
        typing.start()
        for runner in jobs { runner.start() }
        logger.info(
            "guildgate-bot started", metadata: ["guild_id": "\(setup.guildID)", "intents": "\(setup.intents)", "worker": "\(setup.worker)"])
        keeper.start(holder: self)
        await finished.wait()
        if let error = fatal.withLock({ $0 }) {
            await stopAll(since: .now)
            throw error
        }
        await stopAll(since: shutdownStarted.withLock { $0 } ?? .now)
        logger.info("guildgate-bot stopped")
    }

    /// Stops claiming jobs and ends the shards' sessions, whatever they are doing; `run()` then lets the
    /// job in hand finish within ``jobGrace`` and writes what is pending within ``writeGrace``, both
    /// counted from now.
    func shutdown() async {
        shutdownStarted.withLock { $0 = .now }
        logger.info(
            "shutting down",
            metadata: [
                "job_grace_s": "\(Self.jobGrace.components.seconds)", "write_grace_s": "\(Self.writeGrace.components.seconds)",
            ])
        for runner in jobs { runner.requestStop() }
        finished.open()
    }

    func acquired(_ shard: GatewayShard) async {
        let coordinator = ShardCoordinator(shard: shard, keeper: keeper, worker: setup.worker, logger: logger)
        let resumeFrom = await coordinator.savedSession()
        let session = ShardSession(
            shard: shard, resumeFrom: resumeFrom, coordinator: coordinator, setup: setup, ingest: ingest, members: members,
            commands: commands, logger: logger)
        // A shard taken while the bot stops is left to the keeper's closing connection.
        let added = sessions.withLock { sessions in
            guard !finished.isOpen else { return false }
            sessions[shard.id] = session
            return true
        }
        guard added else { return }
        session.start { [self] error in
            fatal.withLock { $0 = $0 ?? error }
            finished.open()
        }
    }

    func released(_ shard: GatewayShard) async {
        await sessions.withLock { $0.removeValue(forKey: shard.id) }?.stop(handingOver: true, finishingBy: .now + Self.jobGrace)
    }

    /// Whether the settings the session runs on are no longer those in effect (a new bot token or guild
    /// saved in the admin panel).
    func isOutdated(by config: AppConfig) -> Bool {
        config.discordBotToken != setup.token || config.discordGuildID != setup.guildID
    }

    /// Ends the session as `shutdown()` does, to start again on new settings.
    func restart() async {
        restarting.withLock { $0 = true }
        logger.notice("the bot token or guild changed in the admin panel; reconnecting")
        await shutdown()
    }

    /// Whether `run()` ended for `restart()`.
    var wasRestarted: Bool { restarting.withLock { $0 } }

    /// Ends the sessions, then frees the shards and stops the workers. Stopped (SIGTERM) while another bot runs,
    /// it hands the sessions over for that one to resume (a rolling restart loses no event); else each session
    /// ends on Discord's side too, so the bot shows offline.
    private func stopAll(since start: ContinuousClock.Instant) async {
        for runner in jobs { runner.requestStop() }
        let ending = sessions.withLock { sessions in
            defer { sessions = [:] }
            return Array(sessions.values)
        }
        let handingOver = !wasRestarted && fatal.withLock { $0 == nil } && keeper.othersRunning
        if handingOver, !ending.isEmpty { logger.notice("another bot is running: handing the gateway sessions over to it") }
        await withTaskGroup(of: Void.self) { group in
            for session in ending {
                group.addTask { await session.stop(handingOver: handingOver, finishingBy: start + Self.jobGrace) }
            }
        }
        await keeper.stop()
        members.finish()
        await withTaskGroup(of: Void.self) { group in
            for runner in jobs { group.addTask { await runner.stop(finishingBy: start + Self.jobGrace) } }
        }
        typing.stop()
        await ingest.finish(by: start + Self.writeGrace)
    }
}
