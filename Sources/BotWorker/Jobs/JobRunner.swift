import DiscordGateway
import Dispatch
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

/// The job queue's worker, on a thread of its own (libpq blocks): fires due schedules, claims jobs with
/// `FOR UPDATE SKIP LOCKED`, sleeps on `LISTEN guildgate_jobs` until something is due, and records each
/// outcome: succeeded with its result, or failed and retried with backoff until no attempts are left.
/// While PostgreSQL is away it retries with backoff, one log line per attempt.
final class JobRunner: Sendable {
    /// The longest wait between two attempts to reach PostgreSQL.
    static let databaseRetryCap = Duration.seconds(15)

    private let databaseURL: String
    private let worker: String
    private let lease: Duration
    private let handlers: [BackgroundJob.Kind: JobHandler]
    private let schedulePayload: JSON
    private let logger: Logger
    /// Opened by `requestStop`: nothing more is claimed, and a wait with no job in hand ends at once.
    private let stopping = Latch()
    /// Opened when `stop` gives up on the job in hand: whatever the thread waits for on PostgreSQL ends.
    private let abandoned = Latch()
    private let ended = Latch()
    /// The job in hand, from its claim to its recorded outcome.
    private let current = Mutex<Job?>(nil)

    init(
        databaseURL: String, worker: String, lease: Duration, handlers: [BackgroundJob.Kind: JobHandler], schedulePayload: JSON,
        logger: Logger
    ) {
        self.databaseURL = databaseURL
        self.worker = worker
        self.lease = lease
        self.handlers = handlers
        self.schedulePayload = schedulePayload
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            ended.open()
        }
        thread.name = "job-runner"
        thread.start()
    }

    /// Claims nothing more; the runner's thread ends once the job in hand (if any) is done.
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

    private func loop() {
        let db = PostgresConnection(url: databaseURL) { [self] in
            abandoned.isOpen || (stopping.isOpen && current.withLock { $0 == nil })
        }
        let jobs = JobStore(db)
        var backoff = ReconnectBackoff(cap: Self.databaseRetryCap)
        var generator = SystemRandomNumberGenerator()
        while !stopping.isOpen {
            do {
                try db.listen(JobStore.notificationChannel)
                for job in try jobs.fireDueSchedules(payload: schedulePayload) {
                    logger.debug("schedule fired", metadata: ["job_kind": "\(job.kind)", "job_id": "\(job.id)"])
                }
                if backoff.failures > 0 {
                    logger.notice("job queue: the database is back")
                    backoff.succeeded()
                }
                if let job = try claim(jobs) {
                    run(job, jobs: jobs)
                    continue
                }
                let wait = (try jobs.nextWakeup()).map { $0.timeIntervalSinceNow } ?? 1
                _ = try db.waitForNotifications(timeout: .milliseconds(Int(min(max(wait, 0.01), 1) * 1000)))
            } catch {
                guard !stopping.isOpen else { break }
                let delay = backoff.nextDelay(using: &generator)
                logger.warning(
                    "job queue: database call failed; next try \(delay.retryText)",
                    metadata: [
                        "error": "\(error)", "attempt": "\(backoff.failures)",
                    ])
                stopping.block(timeout: delay)
            }
        }
    }

    /// Claims the next due job, which becomes the job in hand.
    private func claim(_ jobs: JobStore) throws(StoreError) -> Job? {
        let job = try jobs.claim(worker: worker, lease: lease)
        current.withLock { $0 = job }
        return job
    }

    private func run(_ job: Job, jobs: JobStore) {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = "\(job.kind)"
        let outcome: Result<JSON, any Error>
        if job.isOutOfAttempts {
            outcome = .failure(JobFailure.lockExpired(attempts: job.maxAttempts))
        } else if let background = BackgroundJob(kind: job.kind, payload: job.payload), let handler = handlers[background.kind] {
            switch handler {
            case .blocking(let body): outcome = Result { try body(background) }
            case .async(let body): outcome = Self.wait { try await body(background) }
            }
        } else {
            outcome = .failure(JobFailure.unknownKind(job.kind))
        }
        defer { current.withLock { $0 = nil } }
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

    /// Runs an async handler to completion from this (non-cooperative) thread.
    private static func wait(_ body: @escaping @Sendable () async throws -> JSON) -> Result<JSON, any Error> {
        /// Written by the task before it signals, read after the wait: the semaphore orders the two.
        final class Outcome: @unchecked Sendable { var result: Result<JSON, any Error> = .success(.null) }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                outcome.result = .success(try await body())
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return outcome.result
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
