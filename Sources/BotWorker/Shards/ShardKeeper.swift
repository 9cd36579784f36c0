import DiscordGateway
import Foundation
import Logging
import ProcessSupport
import Store
import Synchronization

/// What the keeper tells the bot about the shards it holds.
protocol ShardHolder: Sendable {
    /// The shard's lock is this process's now: start its session (resuming the one saved, if any).
    func acquired(_ shard: GatewayShard) async
    /// The shard's lock is lost, or about to be given up: end its session and leave it resumable for the next holder.
    func released(_ shard: GatewayShard) async
}

/// Holds this process's gateway shards in PostgreSQL, on a connection of its own (see `GatewayShardStore`).
///
/// Every ``interval`` it registers the process as a running bot, confirms the shard locks it holds, takes
/// free shards up to its fair share (the shards split evenly among the bots running), and gives up those
/// beyond it, so a bot that starts later gets its share handed over. A standby bot (no shard) finds a free
/// shard within one interval of its holder's connection ending: at once when the process dies, within about
/// 16 s (the keepalives set in `register`) when its host vanishes.
///
/// Each call on the connection gives up after ``callTimeout``, so a half-open connection cannot stall the
/// check. While the locks cannot be confirmed, the sessions keep running for ``lockGrace`` (a PostgreSQL
/// restart is shorter), less than PostgreSQL takes to free the locks of a vanished peer; past it, they are
/// handed over. The same connection records each shard's session and claims identify slots, so a bot that
/// lost a shard cannot overwrite what the new holder records.
final class ShardKeeper: Sendable {
    static let interval = Duration.milliseconds(1500)
    /// The longest wait between two attempts to reach PostgreSQL: short, so that a bot whose database came
    /// back takes its locks again before a standby does (the standbys try every ``interval``).
    static let retryCap = Duration.seconds(1)
    static let callTimeout = Duration.seconds(3)
    static let lockGrace = Duration.seconds(10)

    private struct Change {
        var lost: [Int] = []
        var surplus: [Int] = []
        var acquired: [Int] = []
        var held: Set<Int> = []
    }

    let plan: GatewayPlan
    private let worker: String
    /// This process's registration lock key.
    private let key = Int.random(in: 1...Int(Int32.max))
    private let logger: Logger
    private let database: WorkQueue<PostgresConnection>
    /// When the call in progress on the connection gives up.
    private let deadline: CallDeadline
    private let stopping = Latch()
    private let ended = Latch()
    /// How many bots were running at the last check, this one included (0 before the first).
    private let liveBots = Atomic<Int>(0)

    init(databaseURL: String, plan: GatewayPlan, worker: String, logger: Logger) {
        self.plan = plan
        self.worker = worker
        self.logger = logger
        let deadline = CallDeadline()
        self.deadline = deadline
        database = WorkQueue(name: "gateway-shards") { _ in
            PostgresConnection(url: databaseURL) { deadline.hasPassed }
        }
    }

    /// Runs `body` on the keeper's connection, within ``callTimeout``.
    func call<Value: Sendable>(_ body: @escaping @Sendable (GatewayShardStore) throws -> Value) async throws -> Value {
        try await database.submit { [deadline] db in try Self.bounded(deadline, db, body) }.value
    }

    /// Queues `body` on the keeper's connection, after what was queued before, without waiting for it.
    func enqueue(_ body: @escaping @Sendable (GatewayShardStore) throws -> Void, failed: @escaping @Sendable (any Error) -> Void) {
        _ = database.submit { [deadline] db in
            do { try Self.bounded(deadline, db, body) } catch { failed(error) }
        }
    }

    private static func bounded<Value>(
        _ deadline: CallDeadline, _ db: PostgresConnection, _ body: (GatewayShardStore) throws -> Value
    ) throws -> Value {
        deadline.start(callTimeout)
        defer { deadline.clear() }
        return try body(GatewayShardStore(db))
    }

    func start(holder: some ShardHolder) {
        Task {
            await loop(holder)
            database.close()
            ended.open()
        }
    }

    /// Whether another bot was running at the last check, which can take over what this one leaves.
    var othersRunning: Bool { liveBots.load(ordering: .relaxed) > 1 }

    /// Stops checking and closes the connection once what is queued on it is done (the sessions' last
    /// records), which frees the locks; the sessions must be ended first.
    func stop() async {
        stopping.open()
        _ = await ended.wait(until: .now + Self.callTimeout + .seconds(1))
    }

    private func loop(_ holder: some ShardHolder) async {
        var held: Set<Int> = []
        var standingBy = false
        var failingSince: ContinuousClock.Instant?
        var backoff = ReconnectBackoff(cap: Self.retryCap)
        var generator = SystemRandomNumberGenerator()
        logger.info(
            "taking gateway shards",
            metadata: ["shards": "\(plan.shards)", "max_concurrency": "\(plan.maxConcurrency)", "worker": "\(worker)"])
        while !stopping.isOpen {
            do {
                let change = try await call { [self, held] store in try check(store, held: held) }
                if failingSince != nil {
                    logger.notice("gateway shards: the database is back", metadata: ["held": "\(change.held.sorted())"])
                }
                failingSince = nil
                for shard in change.lost {
                    logger.warning("lost the lock of gateway shard \(shard) (the database connection was reset); handing it over")
                    await holder.released(gatewayShard(shard))
                }
                for shard in change.surplus {
                    logger.notice("handing gateway shard \(shard) over: another bot is running and the shards are split evenly")
                    await holder.released(gatewayShard(shard))
                    _ = try? await call { store in try store.release(shard: shard) }
                }
                for shard in change.acquired {
                    logger.notice("holding gateway shard \(shard)", metadata: ["worker": "\(worker)"])
                    await holder.acquired(gatewayShard(shard))
                }
                if change.held.isEmpty, !standingBy {
                    logger.notice("standing by: other bots hold the gateway shards", metadata: ["worker": "\(worker)"])
                }
                standingBy = change.held.isEmpty
                held = change.held
            } catch {
                guard !stopping.isOpen else { break }
                let since = failingSince ?? .now
                failingSince = since
                if !held.isEmpty, ContinuousClock.now - since >= Self.lockGrace {
                    logger.error(
                        "cannot confirm the gateway shard locks for \(Self.lockGrace.components.seconds) s; handing the shards over",
                        metadata: ["error": "\(error)", "shards": "\(held.sorted())"])
                    for shard in held.sorted() { await holder.released(gatewayShard(shard)) }
                    held = []
                }
                let delay = backoff.nextDelay(using: &generator)
                logger.warning(
                    "gateway shards: database call failed; next try \(delay.retryText)",
                    metadata: ["error": "\(error)", "attempt": "\(backoff.failures)"])
                await stopping.wait(until: .now + delay)
                continue
            }
            backoff.succeeded()
            await stopping.wait(until: .now + Self.interval)
        }
    }

    private func gatewayShard(_ id: Int) -> GatewayShard { GatewayShard(id: id, count: plan.shards) }

    /// One round on the connection: registration, the locks held, the fair share.
    private func check(_ store: GatewayShardStore, held: Set<Int>) throws -> Change {
        let own = try store.ownLocks()
        if !own.registered { try store.register(key: key) }
        let bots = try store.liveBots()
        if liveBots.exchange(bots, ordering: .relaxed) != bots {
            logger.info("guildgate-bot processes running: \(bots)", metadata: ["worker": "\(worker)"])
        }
        let share = plan.fairShare(liveBots: bots)
        var change = Change(held: own.shards)
        if change.held.count > share {
            change.surplus = Array(change.held.sorted().suffix(change.held.count - share))
            change.held.subtract(change.surplus)
        } else {
            for shard in 0..<plan.shards where change.held.count < share && !change.held.contains(shard) {
                if try store.tryHold(shard: shard) { change.held.insert(shard) }
            }
        }
        // A lock lost with the connection and taken again at once is kept: its session need not move.
        change.lost = held.subtracting(change.held).sorted()
        change.acquired = change.held.subtracting(held).sorted()
        return change
    }
}

/// When the call in progress on the keeper's connection gives up, which its interrupt asks.
private final class CallDeadline: Sendable {
    private let instant = Mutex<ContinuousClock.Instant?>(nil)

    func start(_ timeout: Duration) { instant.withLock { $0 = .now + timeout } }

    func clear() { instant.withLock { $0 = nil } }

    var hasPassed: Bool { instant.withLock { $0.map { ContinuousClock.now > $0 } ?? false } }
}
