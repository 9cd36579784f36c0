import DiscordGateway
import GuildGateCore
import Logging
import ProcessSupport
import Store
import Synchronization

/// A gateway shard this process holds: its session, and on the shard that carries the guild what hangs
/// on that session: the member reconciler, the runner of presence reconciles (they ask the session for the
/// member list, so only the guild shard's holder claims them) and the heartbeat row the web app reports.
final class ShardSession: Sendable {
    let shard: GatewayShard
    private let gateway: GatewayClient
    private let coordinator: ShardCoordinator
    private let events: BotEvents
    private let reconciler: MemberReconciler?
    private let reconciles: JobRunner?
    private let ingest: PresenceIngest
    private let guildID: String
    private let logger: Logger
    private let ended = Latch()
    private let heartbeat = Mutex<Task<Void, Never>?>(nil)

    init(
        shard: GatewayShard, resumeFrom: GatewayResumePoint?, coordinator: ShardCoordinator, setup: BotSetup, ingest: PresenceIngest,
        members: MemberEvents, commands: BotCommands, logger: Logger
    ) {
        var logger = logger
        logger[metadataKey: "shard"] = "\(shard)"
        self.shard = shard
        self.coordinator = coordinator
        self.ingest = ingest
        self.logger = logger
        guildID = setup.guildID
        let events = BotEvents(
            ingest: ingest, members: members, commands: commands, registersCommands: shard.id == 0, logger: logger)
        gateway = GatewayClient(
            configuration: GatewayConfiguration(
                url: setup.plan.url, token: setup.token, intents: setup.intents, shard: setup.plan.shards > 1 ? shard : nil,
                resumeFrom: resumeFrom, coordinator: coordinator),
            handler: events, logger: logger)
        self.events = events
        guard shard.holds(guildID: setup.guildID) else {
            reconciler = nil
            reconciles = nil
            return
        }
        let reconciler = MemberReconciler(
            gateway: gateway, ingest: ingest, minimumInterval: .seconds(setup.config.memberRequestInterval), logger: logger)
        events.attach(reconciler)
        let defaultGuild = setup.guildID
        self.reconciler = reconciler
        reconciles = JobRunner(
            databaseURL: setup.config.databaseURL, worker: "\(setup.worker)/shard-\(shard.id)",
            lane: .only([BackgroundJob.Kind.presenceReconcile.rawValue]), lease: .seconds(setup.config.jobLeaseSeconds),
            handlers: [
                .presenceReconcile: .async { job in
                    guard case .presenceReconcile(let guildID, _) = job else { throw JobFailure.unknownKind(job.kind.rawValue) }
                    return try await reconciler.reconcile(guildID: guildID ?? defaultGuild).json
                }
            ], schedulePayload: nil, logger: logger)
    }

    /// Runs the session; `fatal` gets the error when Discord refuses the bot for good.
    func start(fatal: @escaping @Sendable (GatewayFatalError) -> Void) {
        reconciles?.start()
        if reconciler != nil { heartbeat.withLock { $0 = Task { await beat(every: .seconds(5)) } } }
        Task {
            do throws(GatewayFatalError) {
                try await gateway.run()
            } catch {
                fatal(error)
            }
            ended.open()
        }
    }

    /// Ends the session: handing over, with a close that leaves it resumable and its resume point saved for
    /// the next holder; else with 1000, which ends it on Discord's side too. The reconcile in hand may finish
    /// until `deadline`.
    func stop(handingOver: Bool, finishingBy deadline: ContinuousClock.Instant) async {
        reconciles?.requestStop()
        await reconciler?.abandon()
        await gateway.stop(handingOver: handingOver)
        _ = await ended.wait()
        await reconciles?.stop(finishingBy: deadline)
        heartbeat.withLock { $0 }?.cancel()
        if !handingOver { coordinator.sessionChanged(nil) }
        logger.info(handingOver ? "gateway shard handed over" : "gateway shard closed")
    }

    /// Writes the heartbeat row while the session is live, which is what `/api/staff/discord/status/` reads.
    private func beat(every interval: Duration) async {
        while !Task.isCancelled {
            if let heartbeat = events.heartbeat(guildID: guildID, latency: gateway.latency) { ingest.beat(heartbeat) }
            try? await Task.sleep(for: interval)
        }
    }
}
