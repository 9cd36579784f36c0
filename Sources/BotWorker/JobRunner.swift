import Dispatch
import Foundation
import JSONSupport
import Logging
import Store
import Synchronization

/// What a job kind does with its payload; the JSON it returns is kept as the job's result. Blocking work
/// (REST calls over libcurl, database) runs on the runner's thread; async work (the gateway) on a task.
enum JobHandler: Sendable {
    case blocking(@Sendable (JSON) throws -> JSON)
    case async(@Sendable (JSON) async throws -> JSON)
}

/// The job queue's worker, on a thread of its own (libpq blocks): fires due schedules, claims jobs with
/// `FOR UPDATE SKIP LOCKED`, sleeps on `LISTEN guildgate_jobs` until something is due, and records each
/// outcome: succeeded with its result, or failed and retried with backoff until no attempts are left.
final class JobRunner: Sendable {
    private let databaseURL: String
    private let worker: String
    private let lease: Duration
    private let handlers: [String: JobHandler]
    private let schedulePayload: JSON
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    /// Whether the thread has ended, and who waits for it to.
    private let exit = Mutex<(ended: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(databaseURL: String, worker: String, lease: Duration, handlers: [String: JobHandler], schedulePayload: JSON, logger: Logger) {
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
            let waiters = exit.withLock { exit in
                exit.ended = true
                return exit.waiters
            }
            waiters.forEach { $0.resume() }
        }
        thread.name = "job-runner"
        thread.start()
    }

    /// Lets the job in hand finish, then returns.
    func stop() async {
        stopping.store(true, ordering: .relaxed)
        await withCheckedContinuation { continuation in
            let ended = exit.withLock { exit in
                if !exit.ended { exit.waiters.append(continuation) }
                return exit.ended
            }
            if ended { continuation.resume() }
        }
    }

    private func loop() {
        let db = PostgresConnection(url: databaseURL)
        let jobs = JobStore(db)
        var databaseDown = false
        while !stopping.load(ordering: .relaxed) {
            do {
                try db.listen(JobStore.notificationChannel)
                for job in try jobs.fireDueSchedules(payloadJSON: schedulePayload.serialized) {
                    logger.debug("schedule fired", metadata: ["job_kind": "\(job.kind)", "job_id": "\(job.id)"])
                }
                if databaseDown {
                    logger.notice("job queue: the database is back")
                    databaseDown = false
                }
                if let job = try jobs.claim(worker: worker, lease: lease) {
                    run(job, jobs: jobs)
                    continue
                }
                let wait = (try jobs.nextWakeup()).map { $0.timeIntervalSinceNow } ?? 1
                _ = try db.waitForNotifications(timeout: .milliseconds(Int(min(max(wait, 0.01), 1) * 1000)))
            } catch {
                if !databaseDown { logger.error("job queue: database unreachable; retrying", metadata: ["error": "\(error)"]) }
                databaseDown = true
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    private func run(_ job: Job, jobs: JobStore) {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = "\(job.kind)"
        let outcome: Result<JSON, any Error>
        if job.isOutOfAttempts {
            outcome = .failure(JobFailure.lockExpired(attempts: job.maxAttempts))
        } else if let handler = handlers[job.kind] {
            let payload = JSON.parse(Array(job.payload.utf8)) ?? [:]
            switch handler {
            case .blocking(let body): outcome = Result { try body(payload) }
            case .async(let body): outcome = Self.wait { try await body(payload) }
            }
        } else {
            outcome = .failure(JobFailure.unknownKind(job.kind))
        }
        do {
            switch outcome {
            case .success(let result):
                try jobs.succeed(job, worker: worker, resultJSON: result.serialized)
                logger.info("job succeeded", metadata: ["attempt": "\(job.attempts)"])
            case .failure(let error):
                let state = try jobs.fail(job, worker: worker, error: "\(error)")
                logger.warning(state == .failed ? "job failed for good" : "job failed; will retry",
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
