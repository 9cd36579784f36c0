import Foundation
import Logging
import Store

/// Writes what the gateway reports to PostgreSQL from one thread of its own, in batches: a burst of
/// thousands of presence updates a second becomes a few upserts (the latest record per member wins),
/// and the gateway's reader never waits for the database. The bot's heartbeat row goes the same way.
final class PresenceIngest: @unchecked Sendable {
    private struct MemberKey: Hashable {
        let guildID: String
        let discordID: String
    }

    /// Work that must run after the records submitted before it.
    private struct Command {
        let run: (PostgresConnection) throws -> Void
    }

    /// Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [MemberKey: PresenceRecord] = [:]
    private var commands: [Command] = []
    private var finishing = false
    private var finished = false

    private let db: PostgresConnection
    private let logger: Logger

    init(databaseURL: String, logger: Logger) {
        db = PostgresConnection(url: databaseURL)
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in writeLoop() }
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
            enqueue(Command { db in
                do {
                    continuation.resume(returning: try PresenceStore(db).markOffline(guildID: guildID, notSeenSince: date))
                } catch {
                    continuation.resume(throwing: error)
                }
            })
        }
    }

    func beat(_ heartbeat: BotHeartbeat) {
        enqueue(Command { db in try BotHealthStore(db).beat(heartbeat) })
    }

    /// Writes what is pending, then stops the thread.
    func finish() {
        condition.lock()
        finishing = true
        condition.signal()
        while !finished { condition.wait() }
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
        while true {
            condition.lock()
            while pending.isEmpty, commands.isEmpty, !finishing { condition.wait() }
            let batch = pending
            let work = commands
            let done = finishing
            pending.removeAll(keepingCapacity: true)
            commands.removeAll()
            condition.unlock()

            let written = write(batch, store: store)
            for command in work {
                do { try command.run(db) } catch { logger.error("database write failed", metadata: ["error": "\(error)"]) }
            }
            if done {
                condition.lock()
                let left = pending.count
                if left == 0 || !written {
                    if left > 0 { logger.error("stopping with presences unwritten: the database is unreachable", metadata: ["count": "\(left)"]) }
                    finished = true
                    condition.broadcast()
                }
                let stop = finished
                condition.unlock()
                if stop { return }
            }
        }
    }

    /// Upserts `batch`; when the database is away, puts the records back (unless newer ones arrived)
    /// and waits a moment, so nothing is lost while PostgreSQL restarts.
    private func write(_ batch: [MemberKey: PresenceRecord], store: PresenceStore) -> Bool {
        guard !batch.isEmpty else { return true }
        do {
            try store.upsert(Array(batch.values))
            logger.trace("presences written", metadata: ["count": "\(batch.count)"])
            return true
        } catch {
            logger.error("cannot write presences; retrying", metadata: ["count": "\(batch.count)", "error": "\(error)"])
            condition.lock()
            pending.merge(batch) { newer, _ in newer }
            condition.unlock()
            Thread.sleep(forTimeInterval: 1)
            return false
        }
    }
}
