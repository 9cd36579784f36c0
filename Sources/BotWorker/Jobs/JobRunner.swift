import DiscordGateway
import Foundation
import GuildGateCore
import JSONSupport
import Logging
import ProcessSupport
import Store
import Synchronization

/// What a job kind does with its payload; the JSON it returns is kept as the job's result. Blocking work
/// (REST calls over libcurl, database) runs on the runner's thread; async work (the gateway) on a task.
enum JobHandler: Sendable {
    case blocking(@Sendable (BackgroundJob) throws -> JSON)
    case async(@Sendable (BackgroundJob) async throws -> JSON)
}

/// The job queue's worker: fires due schedules, claims jobs with `FOR UPDATE SKIP LOCKED`, sleeps on
/// `LISTEN guildgate_jobs` until something is due, and records each outcome: succeeded with its result, or
/// failed and retried with backoff until no attempts are left. It runs on a task; its database calls and
/// blocking handlers run on a thread of its own (libpq and libcurl block). While PostgreSQL is away it
/// retries with backoff, one log line per attempt.
final class JobRunner: Sendable {
    /// The longest wait between two attempts to reach PostgreSQL.
    static let databaseRetryCap = Duration.seconds(15)

    private let databaseURL: String
    private let worker: String
    private let lane: JobLane
    private let lease: Duration
    private let handlers: [BackgroundJob.Kind: JobHandler]
    /// What the jobs of due schedules carry; nil for a runner that leaves schedules to the main one.
    private let schedulePayload: JSON?
    private let logger: Logger
    /// Opened by `requestStop`: nothing more is claimed, and a wait with no job in hand ends at once.
    private let stopping = Latch()
    /// Opened when `stop` gives up on the job in hand: whatever the thread waits for on PostgreSQL ends.
    private let abandoned = Latch()
    private let ended = Latch()
    /// The job in hand, from its claim to its recorded outcome.
    private let current = Mutex<Job?>(nil)

    /// - Parameters:
    ///   - worker: the name the runner's claims are locked under (unique per runner).
    ///   - lane: the kinds of job it claims.
    init(
        databaseURL: String, worker: String, lane: JobLane = .all, lease: Duration, handlers: [BackgroundJob.Kind: JobHandler],
        schedulePayload: JSON?, logger: Logger
    ) {
        self.databaseURL = databaseURL
        self.worker = worker
        self.lane = lane
        self.lease = lease
        self.handlers = handlers
        self.schedulePayload = schedulePayload
        var logger = logger
        logger[metadataKey: "worker"] = "\(worker)"
        self.logger = logger
    }

    func start() {
        Task { [self] in
            let database = WorkQueue(name: "job-runner") { [self] _ in
                PostgresConnection(url: databaseURL) { [self] in
                    abandoned.isOpen || (stopping.isOpen && current.withLock { $0 == nil })
                }
            }
            await loop(on: database)
            database.close()
            ended.open()
        }
    }

    /// Claims nothing more; the runner ends once the job in hand (if any) is done.
    func requestStop() {
        stopping.open()
    }

    /// Stops claiming jobs and lets the job in hand finish until `deadline`; past it, abandons the job (its
    /// lease expires and another worker runs it again) and returns.
    func stop(finishingBy deadline: ContinuousClock.Instant) async {
        stopping.open()
        guard !(await ended.wait(until: deadline)) else { return }
        abandoned.open()
        guard let job = current.withLock({ $0 }) else { return }
        logger.warning(
            "abandoning the job in hand: it runs again once its lease expires",
            metadata: [
                "job_id": "\(job.id)", "job_kind": "\(job.kind)", "lease_seconds": "\(lease.components.seconds)",
            ])
    }

    private func loop(on database: WorkQueue<PostgresConnection>) async {
        var backoff = ReconnectBackoff(cap: Self.databaseRetryCap)
        var generator = SystemRandomNumberGenerator()
        while !stopping.isOpen {
            do {
                let job = try await database.submit { [self] db in try claimNext(db) }.value
                if backoff.failures > 0 {
                    logger.notice("job queue: the database is back")
                    backoff.succeeded()
                }
                if let job {
                    await run(job, on: database)
                } else {
                    try await database.submit { db in try Self.waitForWork(db) }.value
                }
            } catch {
                guard !stopping.isOpen else { break }
                let delay = backoff.nextDelay(using: &generator)
                logger.warning(
                    "job queue: database call failed; next try \(delay.retryText)",
                    metadata: [
                        "error": "\(error)", "attempt": "\(backoff.failures)",
                    ])
                await stopping.wait(until: .now + delay)
            }
        }
    }

    /// Fires due schedules and claims the next due job, which becomes the job in hand.
    private func claimNext(_ db: PostgresConnection) throws(StoreError) -> Job? {
        try db.listen(JobStore.notificationChannel)
        let jobs = JobStore(db)
        if let schedulePayload {
            for job in try jobs.fireDueSchedules(payload: schedulePayload) {
                logger.debug("schedule fired", metadata: ["job_kind": "\(job.kind)", "job_id": "\(job.id)"])
            }
        }
        let job = try jobs.claim(worker: worker, lease: lease, lane: lane)
        current.withLock { $0 = job }
        return job
    }

    /// Sleeps on `LISTEN` until the next job or schedule is due, a second at most.
    private static func waitForWork(_ db: PostgresConnection) throws(StoreError) {
        let wait = (try JobStore(db).nextWakeup()).map { $0.timeIntervalSinceNow } ?? 1
        _ = try db.waitForNotifications(timeout: .milliseconds(Int(min(max(wait, 0.01), 1) * 1000)))
    }

    private func run(_ job: Job, on database: WorkQueue<PostgresConnection>) async {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = "\(job.kind)"
        let outcome: Result<JSON, any Error>
        do {
            outcome = .success(try await result(of: job, on: database))
        } catch {
            outcome = .failure(error)
        }
        let recorded = database.submit { [self, logger] db in record(outcome, of: job, jobs: JobStore(db), logger: logger) }
        _ = try? await recorded.value
        current.withLock { $0 = nil }
    }

    private func result(of job: Job, on database: WorkQueue<PostgresConnection>) async throws -> JSON {
        guard !job.isOutOfAttempts else { throw JobFailure.lockExpired(attempts: job.maxAttempts) }
        guard let background = BackgroundJob(kind: job.kind, payload: job.payload), let handler = handlers[background.kind] else {
            throw JobFailure.unknownKind(job.kind)
        }
        switch handler {
        case .blocking(let body): return try await database.submit { _ in try body(background) }.value
        case .async(let body): return try await body(background)
        }
    }

    private func record(_ outcome: Result<JSON, any Error>, of job: Job, jobs: JobStore, logger: Logger) {
        do {
            switch outcome {
            case .success(let result):
                try jobs.succeed(job, worker: worker, result: result)
                logger.info("job succeeded", metadata: ["attempt": "\(job.attempts)"])
            case .failure(let error as JobInterrupted):
                try jobs.release(job, worker: worker, reason: "\(error)")
                logger.notice("job interrupted; back in the queue", metadata: ["attempt": "\(job.attempts)", "error": "\(error)"])
            case .failure(let error):
                let state = try jobs.fail(job, worker: worker, error: "\(error)")
                logger.warning(
                    state == .failed ? "job failed for good" : "job failed; will retry",
                    metadata: ["attempt": "\(job.attempts)", "error": "\(error)"])
            }
        } catch {
            logger.error("cannot record the job's outcome; it runs again when its lock expires", metadata: ["error": "\(error)"])
        }
    }
}

/// Thrown by a job handler that stopped because the bot is stopping: the job goes back to the queue
/// with its attempt not counted, for the next worker to run.
struct JobInterrupted: Error, CustomStringConvertible {
    let reason: String

    var description: String { "interrupted: \(reason); the job runs again on the next worker" }
}

enum JobFailure: Error, CustomStringConvertible {
    case unknownKind(String)
    case lockExpired(attempts: Int)

    var description: String {
        switch self {
        case .unknownKind(let kind):
            return "this guildgate-bot has no handler for jobs of kind \(kind)"
        case .lockExpired(let attempts):
            return "a worker stopped during attempt \(attempts) of \(attempts) (its lock expired); no attempts are left"
        }
    }
}
