import JSONSupport
import Store

/// Why the admin panel refused to change a job; nothing was changed.
public enum JobAdministrationError: Error, Equatable {
    case notFound(id: Int)
    /// Only failed and cancelled jobs can be retried.
    case notRetryable(id: Int, state: Job.State)
    /// Only queued jobs can be cancelled: a running job is in a worker's hands.
    case notCancellable(id: Int, state: Job.State)
}

/// The admin panel's view of the job queue: jobs by state (queued, running, failed with their error…),
/// retrying a failed job (queued again, due now, its attempts reset) and cancelling a queued one. A running
/// job cannot be cancelled: the worker holding it finishes it (or fails it, and it can then be retried).
/// Each change is audited in the transaction that makes it.
public struct JobAdministration {
    /// The most jobs one page lists.
    public static let maxPageSize = 200

    let db: PostgresConnection
    let actor: AuditActor

    public init(db: PostgresConnection, actor: AuditActor) {
        self.db = db
        self.actor = actor
    }

    /// One page of jobs, newest first.
    public struct Page: Sendable, Equatable {
        public let jobs: [Job]
        /// The `beforeID` of the next page; nil on the last one.
        public let nextBeforeID: Int?
    }

    /// Jobs newest first, those in `state` (every state when nil), `limit` (at most `maxPageSize`) at a
    /// time, older than `beforeID` when paging.
    public func list(state: Job.State?, limit: Int, beforeID: Int? = nil) throws -> Page {
        let limit = min(max(limit, 1), Self.maxPageSize)
        // One more than asked for tells whether there is a next page.
        let jobs = try JobStore(db).list(state: state, limit: limit + 1, beforeID: beforeID)
        let page = Array(jobs.prefix(limit))
        return Page(jobs: page, nextBeforeID: jobs.count > limit ? page.last?.id : nil)
    }

    /// How many jobs are in each state (zero included).
    public func counts() throws -> [Job.State: Int] {
        let counts = try JobStore(db).countsByState()
        return Dictionary(uniqueKeysWithValues: Job.State.allCases.map { ($0, counts[$0] ?? 0) })
    }

    public func job(id: Int) throws -> Job {
        guard let job = try JobStore(db).job(id: id) else { throw JobAdministrationError.notFound(id: id) }
        return job
    }

    /// Queues a failed (or cancelled) job again, due now with its attempts reset; the workers are woken.
    public func retry(id: Int) throws -> Job {
        try db.transaction { db in
            guard let job = try JobStore(db).requeue(id: id) else { throw try refusal(id: id, db: db, JobAdministrationError.notRetryable) }
            try audit("job.retry", job, db: db)
            return job
        }
    }

    /// Cancels a job no worker has claimed yet; it stays listed as cancelled and can be retried.
    public func cancel(id: Int) throws -> Job {
        try db.transaction { db in
            guard let job = try JobStore(db).cancel(id: id, reason: "cancelled by \(actor)") else {
                throw try refusal(id: id, db: db, JobAdministrationError.notCancellable)
            }
            try audit("job.cancel", job, db: db)
            return job
        }
    }

    /// Why the job was left as it is: it does not exist, or its state does not allow the change.
    private func refusal(
        id: Int, db: PostgresConnection, _ wrongState: (Int, Job.State) -> JobAdministrationError
    ) throws(StoreError) -> JobAdministrationError {
        guard let job = try JobStore(db).job(id: id) else { return .notFound(id: id) }
        return wrongState(id, job.state)
    }

    private func audit(_ action: String, _ job: Job, db: PostgresConnection) throws(StoreError) {
        try AuditLogStore(db).record(actor: actor, action: action, target: AuditTarget.job(job.id), detail: ["kind": .string(job.kind)])
    }
}
