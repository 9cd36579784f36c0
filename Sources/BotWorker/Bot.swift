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
    private let jobs: JobRunner
    private let logger: Logger
    /// When `shutdown()` was called, which the grace periods count from.
    private let shutdownStarted = Mutex<ContinuousClock.Instant?>(nil)

    init(setup: BotSetup, logger: Logger) {
        self.setup = setup
        self.logger = logger
        let ingest = PresenceIngest(databaseURL: setup.config.databaseURL, logger: logger)
        let events = BotEvents(ingest: ingest, commands: BotCommands(setup: setup, logger: logger), logger: logger)
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
        jobs = JobRunner(
            databaseURL: setup.config.databaseURL, worker: setup.worker, lease: .seconds(setup.config.jobLeaseSeconds),
            handlers: [
                .presenceReconcile: .async { job in
                    guard case .presenceReconcile(let guildID, _) = job else { throw JobFailure.unknownKind(job.kind.rawValue) }
                    return try await reconciler.reconcile(guildID: guildID ?? defaultGuild).json
                },
                .filesCleanup: .blocking { _ in try cleanup.run() },
            ],
            // Schedules carry the guild for the reconcile; the cleanup needs nothing.
            schedulePayload: BackgroundJob.presenceReconcile(guildID: setup.guildID, requestedBy: "schedule").payload,
            logger: logger)
        self.ingest = ingest
        self.gateway = gateway
        self.events = events
        self.reconciler = reconciler
    }

    /// After SIGTERM, how long the job in hand may take to finish before it is abandoned to its lease.
    static let jobGrace = Duration.seconds(5)
    /// After SIGTERM, how long pending presence writes may take before they are given up.
    static let writeGrace = Duration.seconds(7)

    /// Runs until `shutdown()`; throws when Discord refuses the bot for good.
    func run() async throws {
        jobs.start()
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
        jobs.requestStop()
        await reconciler.abandon()
        await gateway.stop()
    }

    /// Writes the heartbeat row while the session is live, which is what `/api/staff/discord/status/` reads.
    private func beat(every interval: Duration) async {
        while !Task.isCancelled {
            if let heartbeat = events.heartbeat(guildID: setup.guildID, latency: gateway.latency) { ingest.beat(heartbeat) }
            try? await Task.sleep(for: interval)
        }
    }

    private func stopWorkers(since start: ContinuousClock.Instant) async {
        jobs.requestStop()
        await reconciler.abandon()
        await jobs.stop(finishingBy: start + Self.jobGrace)
        await ingest.finish(by: start + Self.writeGrace)
    }
}
