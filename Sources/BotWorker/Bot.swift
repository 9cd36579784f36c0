import DiscordGateway
import Foundation
import JSONSupport
import Logging
import Store

/// The bot's parts, wired: gateway session → events → presence ingest (its own thread) and member
/// reconciler; the job runner (its own thread) runs reconciles and whatever else is queued.
final class Bot: Sendable {
    private let setup: BotSetup
    private let ingest: PresenceIngest
    private let gateway: GatewayClient
    private let events: BotEvents
    private let reconciler: MemberReconciler
    private let jobs: JobRunner
    private let logger: Logger

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
                "presence.reconcile": .async { payload in
                    try await reconciler.reconcile(guildID: payload["guild_id"]?.string ?? defaultGuild).json
                },
                "files.cleanup": .blocking { payload in try cleanup.run(payload) },
            ],
            schedulePayload: ["guild_id": .string(setup.guildID), "requested_by": "schedule"],
            logger: logger)
        self.ingest = ingest
        self.gateway = gateway
        self.events = events
        self.reconciler = reconciler
    }

    /// Runs until `shutdown()`; throws when Discord refuses the bot for good.
    func run() async throws {
        ingest.start()
        jobs.start()
        logger.info("guildgate-bot started", metadata: ["guild_id": "\(setup.guildID)", "intents": "\(setup.intents)", "worker": "\(setup.worker)"])
        let heartbeat = Task { await beat(every: .seconds(5)) }
        defer { heartbeat.cancel() }
        try await gateway.run()
        await stopWorkers()
        logger.info("guildgate-bot stopped")
    }

    /// Finishes the job in hand, then closes the gateway session; `run()` then returns.
    func shutdown() async {
        logger.info("shutting down")
        await jobs.stop()
        await gateway.stop()
    }

    /// Writes the heartbeat row while the session is live, which is what `/api/staff/discord/status/` reads.
    private func beat(every interval: Duration) async {
        while !Task.isCancelled {
            if let heartbeat = events.heartbeat(guildID: setup.guildID, latency: gateway.latency) { ingest.beat(heartbeat) }
            try? await Task.sleep(for: interval)
        }
    }

    func stopWorkers() async {
        await reconciler.abandon()
        await jobs.stop()
        ingest.finish()
    }
}
