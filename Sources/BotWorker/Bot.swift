import ChatModelKit
import CurlHTTP
import DiscordGateway
import GuildGateCore
import Foundation
import JSONSupport
import Logging
import Store
import Synchronization

/// The bot's parts, wired: gateway session → events → presence ingest (its own thread) and member
/// reconciler; the job runner (a task, its database calls on a thread of its own) runs reconciles and
/// whatever else is queued.
final class Bot: Sendable {
    private let setup: BotSetup
    private let ingest: PresenceIngest
    private let gateway: GatewayClient
    private let events: BotEvents
    private let reconciler: MemberReconciler
    /// The main runner (every kind but chat), then the chat workers.
    private let jobs: [JobRunner]
    private let typing: TypingIndicator
    private let members: MemberEvents
    private let logger: Logger
    /// When `shutdown()` was called, which the grace periods count from.
    private let shutdownStarted = Mutex<ContinuousClock.Instant?>(nil)
    private let restarting = Mutex(false)

    init(setup: BotSetup, settings: LiveConfig, logger: Logger) {
        self.setup = setup
        self.logger = logger
        let ingest = PresenceIngest(databaseURL: setup.config.databaseURL, logger: logger)
        let members = MemberEvents(settings: settings, guildID: setup.guildID, logger: logger)
        let events = BotEvents(ingest: ingest, members: members, commands: BotCommands(setup: setup, logger: logger), logger: logger)
        let gateway = GatewayClient(
            configuration: GatewayConfiguration(url: setup.gatewayURL, token: setup.token, intents: setup.intents),
            handler: events, logger: logger)
        let reconciler = MemberReconciler(
            gateway: gateway, ingest: ingest, minimumInterval: .seconds(setup.config.memberRequestInterval), logger: logger)
        events.attach(reconciler)
        let defaultGuild = setup.guildID
        let cleanup = FileCleanup(
            databaseURL: setup.config.databaseURL, storageChannels: setup.config.discordStorageChannelIDs,
            logger: logger, discord: { setup.discord(logger: logger) })
        let groups = GroupJobs(guildID: setup.guildID, settings: settings, logger: logger) { setup.discord(logger: logger) }
        let prune = PresenceHistoryPrune(
            databaseURL: setup.config.databaseURL, days: setup.config.presenceHistoryDays, logger: logger)
        let main = JobRunner(
            databaseURL: setup.config.databaseURL, worker: setup.worker, lane: .all(except: Set(BackgroundJob.Kind.chat.map(\.rawValue))),
            lease: .seconds(setup.config.jobLeaseSeconds),
            handlers: [
                .presenceReconcile: .async { job in
                    guard case .presenceReconcile(let guildID, _) = job else { throw JobFailure.unknownKind(job.kind.rawValue) }
                    return try await reconciler.reconcile(guildID: guildID ?? defaultGuild).json
                },
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
        self.ingest = ingest
        self.members = members
        self.gateway = gateway
        self.events = events
        self.reconciler = reconciler
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
        let heartbeat = Task { await beat(every: .seconds(5)) }
        defer { heartbeat.cancel() }
        do {
            try await gateway.run()
        } catch {
            await stopWorkers(since: .now)
            throw error
        }
        await stopWorkers(since: shutdownStarted.withLock { $0 } ?? .now)
        logger.info("guildgate-bot stopped")
    }

    /// Stops claiming jobs, ends reconciles waiting for the gateway (their jobs go back to the queue) and
    /// closes the gateway session, whatever it is doing; `run()` then lets the job in hand finish within
    /// ``jobGrace`` and writes what is pending within ``writeGrace``, both counted from now.
    func shutdown() async {
        shutdownStarted.withLock { $0 = .now }
        logger.info(
            "shutting down",
            metadata: [
                "job_grace_s": "\(Self.jobGrace.components.seconds)", "write_grace_s": "\(Self.writeGrace.components.seconds)",
            ])
        for runner in jobs { runner.requestStop() }
        await reconciler.abandon()
        await gateway.stop()
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

    /// Writes the heartbeat row while the session is live, which is what `/api/staff/discord/status/` reads.
    private func beat(every interval: Duration) async {
        while !Task.isCancelled {
            if let heartbeat = events.heartbeat(guildID: setup.guildID, latency: gateway.latency) { ingest.beat(heartbeat) }
            try? await Task.sleep(for: interval)
        }
    }

    private func stopWorkers(since start: ContinuousClock.Instant) async {
        for runner in jobs { runner.requestStop() }
        await reconciler.abandon()
        members.finish()
        await withTaskGroup(of: Void.self) { group in
            for runner in jobs { group.addTask { await runner.stop(finishingBy: start + Self.jobGrace) } }
        }
        typing.stop()
        await ingest.finish(by: start + Self.writeGrace)
    }
}
