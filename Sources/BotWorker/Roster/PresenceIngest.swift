import DiscordGateway
import Foundation
import Logging
import ProcessSupport
import Store

/// Writes what the gateway reports to PostgreSQL from one thread of its own, in batches: a burst of
/// thousands of presence updates a second becomes a few upserts (the latest record per member wins),
/// and the gateway's reader never waits for the database. The bot's heartbeat row goes the same way.
/// While PostgreSQL is away, nothing is lost: the records wait and the writer retries with backoff,
/// one log line per attempt.
final class PresenceIngest: @unchecked Sendable {
    private struct MemberKey: Hashable {
        let guildID: String
        let discordID: String
    }

    /// Work that must run after the records submitted before it; it reports its own failure.
    private struct Command {
        let run: (PostgresConnection) -> Void
    }

    /// The longest wait between two attempts to reach PostgreSQL.
    static let databaseRetryCap = Duration.seconds(15)

    /// Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [MemberKey: PresenceRecord] = [:]
    private var commands: [Command] = []
    /// Only the newest heartbeat matters.
    private var heartbeat: BotHeartbeat?
    private var finishing = false
    /// While the database is away: when the next attempt is due.
    private var retryAt: Date?

    private let db: PostgresConnection
    /// Opened when `finish` gives up on the database: the write in progress is abandoned.
    private let abandoned: Latch
    private let ended = Latch()
    private let logger: Logger

    init(databaseURL: String, logger: Logger) {
        let abandoned = Latch()
        self.abandoned = abandoned
        db = PostgresConnection(url: databaseURL) { abandoned.isOpen }
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            writeLoop()
            ended.open()
        }
        thread.name = "presence-writer"
        thread.start()
    }

    func submit(_ records: [PresenceRecord]) {
        guard !records.isEmpty else { return }
        condition.lock()
        for record in records {
            pending[MemberKey(guildID: record.guildID, discordID: record.discordID)] = record
        }
        condition.signal()
        condition.unlock()
    }

    /// Sets offline the members of `guildID` not seen since `date`, after every record submitted so far.
    func markOffline(guildID: String, notSeenSince date: Date) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(
                Command { db in
                    do {
                        continuation.resume(returning: try PresenceStore(db).markOffline(guildID: guildID, notSeenSince: date))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                })
        }
    }

    func beat(_ heartbeat: BotHeartbeat) {
        condition.lock()
        self.heartbeat = heartbeat
        condition.signal()
        condition.unlock()
    }

    /// Writes what is pending, then stops the thread; past `deadline` (PostgreSQL away or too slow) the
    /// rest is given up, with one line saying how much.
    func finish(by deadline: ContinuousClock.Instant) async {
        startFinishing()
        guard !(await ended.wait(until: deadline)) else { return }
        abandoned.open()
        // The write in progress notices within 100 ms and reports what it leaves behind.
        await ended.wait(until: .now + .milliseconds(500))
    }

    private func startFinishing() {
        condition.lock()
        finishing = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ command: Command) {
        condition.lock()
        commands.append(command)
        condition.signal()
        condition.unlock()
    }

    private func writeLoop() {
        let store = PresenceStore(db)
        var backoff = ReconnectBackoff(cap: Self.databaseRetryCap)
        var generator = SystemRandomNumberGenerator()
        while true {
            condition.lock()
            while !finishing {
                if pending.isEmpty, commands.isEmpty, heartbeat == nil {
                    condition.wait()
                } else if let retryAt, retryAt > Date() {
                    _ = condition.wait(until: retryAt)
                } else {
                    break
                }
            }
            let batch = pending
            let work = commands
            let beat = heartbeat
            let done = finishing
            pending.removeAll(keepingCapacity: true)
            commands.removeAll()
            heartbeat = nil
            condition.unlock()

            let failure = write(batch, beat: beat, store: store)
            for command in work { command.run(db) }
            condition.lock()
            if let failure {
                // Put back what was not written, unless something newer arrived meanwhile.
                pending.merge(batch) { newer, _ in newer }
                if heartbeat == nil { heartbeat = beat }
                if done {
                    if !pending.isEmpty {
                        logger.error(
                            "stopping with presences unwritten: the database is unreachable",
                            metadata: [
                                "count": "\(pending.count)", "error": "\(failure)",
                            ])
                    }
                    condition.unlock()
                    return
                }
                let delay = backoff.nextDelay(using: &generator)
                retryAt = Date().addingTimeInterval(Double(delay.wholeMilliseconds) / 1000)
                logger.warning(
                    "presence writer: database write failed; next try \(delay.retryText)",
                    metadata: [
                        "error": "\(failure)", "pending": "\(pending.count)", "attempt": "\(backoff.failures)",
                    ])
            } else if backoff.failures > 0 {
                logger.notice("presence writer: the database is back")
                backoff.succeeded()
                retryAt = nil
            }
            let drained = pending.isEmpty && commands.isEmpty && heartbeat == nil
            condition.unlock()
            if done, failure == nil, drained { return }
        }
    }

    /// Upserts `batch` and writes `beat`; the error when either failed.
    private func write(_ batch: [MemberKey: PresenceRecord], beat: BotHeartbeat?, store: PresenceStore) -> StoreError? {
        do throws(StoreError) {
            if !batch.isEmpty {
                try store.upsert(Array(batch.values))
                logger.trace("presences written", metadata: ["count": "\(batch.count)"])
            }
            if let beat { try BotHealthStore(db).beat(beat) }
            return nil
        } catch {
            return error
        }
    }
}
