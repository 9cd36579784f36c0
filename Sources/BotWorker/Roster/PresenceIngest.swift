import DiscordGateway
import Foundation
import Logging
import ProcessSupport
import Store
import Synchronization

/// Writes what the gateway reports to PostgreSQL from one thread of its own, in batches: a burst of
/// thousands of presence updates a second becomes a few upserts (the latest record per member wins),
/// and the gateway's reader never waits for the database. The bot's heartbeat row goes the same way.
/// While PostgreSQL is away, nothing is lost: the records wait and the writer retries with backoff,
/// one log line per attempt.
final class PresenceIngest: Sendable {
    private struct MemberKey: Hashable {
        let guildID: String
        let discordID: String
    }

    /// What the writer has yet to take.
    private struct Pending {
        var records: [MemberKey: PresenceRecord] = [:]
        /// Only the newest heartbeat matters.
        var heartbeat: BotHeartbeat?
        /// A write is queued on the writer's thread; it takes whatever is pending when it runs.
        var writeQueued = false
        /// Why the last write failed; nil once one succeeds.
        var failure: StoreError?

        mutating func take() -> (records: [MemberKey: PresenceRecord], heartbeat: BotHeartbeat?) {
            defer {
                records.removeAll(keepingCapacity: true)
                heartbeat = nil
                writeQueued = false
            }
            return (records, heartbeat)
        }

        /// What a failed write took, back where nothing newer arrived meanwhile.
        mutating func putBack(_ batch: [MemberKey: PresenceRecord], heartbeat beat: BotHeartbeat?, failure: StoreError) {
            records.merge(batch) { newer, _ in newer }
            if heartbeat == nil { heartbeat = beat }
            self.failure = failure
        }
    }

    /// The writer's thread's own.
    private struct Writer {
        let db: PostgresConnection
        var backoff = ReconnectBackoff(cap: PresenceIngest.databaseRetryCap)
        var generator = SystemRandomNumberGenerator()
        /// While the database is away: when the next attempt is due.
        var retryAt: ContinuousClock.Instant?
    }

    /// The longest wait between two attempts to reach PostgreSQL.
    static let databaseRetryCap = Duration.seconds(15)

    private let pending = Mutex(Pending())
    private let writer: WorkQueue<Writer>
    /// Opened by `finish`: a write waiting to retry goes at once, and a failed one is not retried.
    private let finishing = Latch()
    /// Opened when `finish` gives up on the database: the write in progress is abandoned.
    private let abandoned: Latch
    private let logger: Logger

    init(databaseURL: String, logger: Logger) {
        let abandoned = Latch()
        self.abandoned = abandoned
        writer = WorkQueue(name: "presence-writer") { _ in
            Writer(db: PostgresConnection(url: databaseURL) { abandoned.isOpen })
        }
        self.logger = logger
    }

    func submit(_ records: [PresenceRecord]) {
        guard !records.isEmpty else { return }
        pending.withLock { pending in
            for record in records {
                pending.records[MemberKey(guildID: record.guildID, discordID: record.discordID)] = record
            }
            queueWrite(&pending)
        }
    }

    func beat(_ heartbeat: BotHeartbeat) {
        pending.withLock { pending in
            pending.heartbeat = heartbeat
            queueWrite(&pending)
        }
    }

    /// Sets offline the members of `guildID` not seen since `date`, after an attempt at writing every
    /// record submitted so far (the writer's queue keeps the order in which both came).
    func markOffline(guildID: String, notSeenSince date: Date) async throws -> Int {
        let marked = pending.withLock { _ in
            writer.submit { writer in try PresenceStore(writer.db).markOffline(guildID: guildID, notSeenSince: date) }
        }
        return try await marked.value
    }

    /// Writes what is pending, then stops the thread; past `deadline` (PostgreSQL away or too slow), or
    /// once a write fails, the rest is given up, with one line saying how much.
    func finish(by deadline: ContinuousClock.Instant) async {
        finishing.open()
        writer.close()
        if !(await writer.join(until: deadline)) {
            abandoned.open()
            // The write in progress notices within 100 ms and puts back what it took.
            _ = await writer.join(until: .now + .milliseconds(500))
        }
        let (unwritten, failure) = pending.withLock { ($0.records.count, $0.failure) }
        guard unwritten > 0 else { return }
        logger.error(
            "stopping with presences unwritten: the database is unreachable",
            metadata: ["count": "\(unwritten)", "error": "\(failure.map { "\($0)" } ?? "none")"])
    }

    /// Queues a write unless one is queued already; under `pending`'s lock, so that the writer's queue
    /// follows the order in which records and `markOffline` came.
    private func queueWrite(_ pending: inout Pending) {
        guard !pending.writeQueued else { return }
        pending.writeQueued = true
        writer.submit { [self] writer in write(&writer) }
    }

    /// On the writer's thread: takes what is pending and writes it. When that fails, puts it back and,
    /// unless finishing, queues the next attempt, due after a backoff.
    private func write(_ writer: inout Writer) {
        if let retryAt = writer.retryAt { finishing.block(timeout: retryAt - .now) }
        let (batch, beat) = pending.withLock { $0.take() }
        guard let failure = write(batch, beat: beat, db: writer.db) else {
            pending.withLock { $0.failure = nil }
            if writer.backoff.failures > 0 {
                logger.notice("presence writer: the database is back")
                writer.backoff.succeeded()
                writer.retryAt = nil
            }
            return
        }
        let retry = !finishing.isOpen
        let unwritten = pending.withLock { pending in
            pending.putBack(batch, heartbeat: beat, failure: failure)
            if retry { queueWrite(&pending) }
            return pending.records.count
        }
        guard retry else { return }
        let delay = writer.backoff.nextDelay(using: &writer.generator)
        writer.retryAt = .now + delay
        logger.warning(
            "presence writer: database write failed; next try \(delay.retryText)",
            metadata: [
                "error": "\(failure)", "pending": "\(unwritten)", "attempt": "\(writer.backoff.failures)",
            ])
    }

    /// Upserts `batch` and writes `beat`; the error when either failed.
    private func write(_ batch: [MemberKey: PresenceRecord], beat: BotHeartbeat?, db: PostgresConnection) -> StoreError? {
        do throws(StoreError) {
            if !batch.isEmpty {
                try PresenceStore(db).upsert(Array(batch.values))
                logger.trace("presences written", metadata: ["count": "\(batch.count)"])
            }
            if let beat { try BotHealthStore(db).beat(beat) }
            return nil
        } catch {
            return error
        }
    }
}
