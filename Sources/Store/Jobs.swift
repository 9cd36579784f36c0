import Foundation
import JSONSupport

/// A unit of background work in the `jobs` table (the queue that replaces Celery + Redis).
public struct Job: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Cancelled by an admin before any worker claimed it; no worker ever claims it.
        case queued, running, succeeded, failed, cancelled
    }

    public let id: Int
    public let kind: String
    public let payload: JSON
    public let state: State
    public let attempts: Int
    public let maxAttempts: Int
    public let runAt: Date?
    public let lastError: String?
    /// What the job reported when it succeeded.
    public let result: JSON?
    public let createdAt: Date?
    public let finishedAt: Date?

    static let columns = """
        id, kind, payload::text AS payload, state, attempts, max_attempts, run_at, last_error, result::text AS result,
        created_at, finished_at
        """

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        kind = try row.string("kind")
        payload = JSON.parse(Array(try row.string("payload").utf8)) ?? [:]
        guard let state = State(rawValue: try row.string("state")) else { throw .unexpectedResult("unknown job state") }
        self.state = state
        attempts = try row.int("attempts")
        maxAttempts = try row.int("max_attempts")
        runAt = row.date("run_at")
        lastError = row["last_error"]
        result = row["result"].flatMap { JSON.parse(Array($0.utf8)) }
        createdAt = row.date("created_at")
        finishedAt = row.date("finished_at")
    }

    /// True when a worker claimed it again after an earlier worker's lock expired with no attempts left.
    public var isOutOfAttempts: Bool { attempts > maxAttempts }
}

/// The queued jobs of one kind (`JobStore.queueDepths`).
public struct JobQueueDepth: Sendable, Equatable {
    public let kind: String
    public let queued: Int
    public let oldestDueSeconds: Double
}

/// Which kinds of job a worker claims: its own lane, so slow kinds never hold up the others.
public struct JobLane: Sendable, Equatable {
    /// Only these kinds; nil for any kind not excluded.
    public let kinds: Set<String>?
    public let excluded: Set<String>

    public static let all = JobLane(kinds: nil, excluded: [])

    public static func only(_ kinds: Set<String>) -> JobLane { JobLane(kinds: kinds, excluded: []) }

    public static func all(except excluded: Set<String>) -> JobLane { JobLane(kinds: nil, excluded: excluded) }
}

/// The `jobs` and `schedules` tables: enqueueing, looking up, and the worker's side (claim with
/// `FOR UPDATE SKIP LOCKED`, finish, retry with exponential backoff, fire due schedules).
public struct JobStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// The channel the insert trigger NOTIFYs with the job's kind.
    public static let notificationChannel = "guildgate_jobs"

    /// Adds a job (the insert trigger NOTIFYs `guildgate_jobs`, waking the bot). Jobs with the same
    /// `orderingKey` run one at a time, in the order they were queued.
    public func enqueue(
        kind: String, payload: JSON = [:], runAt: Date? = nil, maxAttempts: Int = 5, backoffSeconds: Int = 10,
        orderingKey: String? = nil
    ) throws(StoreError) -> Job {
        let result = try db.query(
            """
            INSERT INTO jobs (kind, payload, run_at, max_attempts, backoff_seconds, ordering_key)
            VALUES ($1, $2::jsonb, coalesce($3::timestamptz, now()), $4, $5, $6)
            RETURNING \(Job.columns)
            """, [kind, payload.serialized, runAt, maxAttempts, backoffSeconds, orderingKey])
        guard let row = result.first else { throw .unexpectedResult("enqueue returned no row") }
        return try Job(row)
    }

    public func job(id: Int) throws(StoreError) -> Job? {
        try db.query("SELECT \(Job.columns) FROM jobs WHERE id = $1", [id]).first.map(Job.init)
    }

    /// Claims the oldest due job of `lane`, or one whose worker's lock expired (the worker died mid-job),
    /// and locks it for `lease`. Concurrent workers never claim the same job, and never a job while an
    /// older one with its ordering key is queued or running: should two workers look at once, the older
    /// job is still queued for the one that did not lock it.
    public func claim(worker: String, lease: Duration, lane: JobLane = .all) throws(StoreError) -> Job? {
        try db.query(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1,
                locked_until = now() + make_interval(secs => $2)
            WHERE id = (
                SELECT j.id FROM jobs j
                WHERE ((j.state = 'queued' AND j.run_at <= now()) OR (j.state = 'running' AND j.locked_until < now()))
                    AND ($3::text IS NULL OR j.kind = ANY(string_to_array($3, ',')))
                    AND NOT (j.kind = ANY(string_to_array($4, ',')))
                    AND (j.ordering_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM jobs o
                        WHERE o.ordering_key = j.ordering_key AND o.id < j.id AND o.state IN ('queued', 'running')))
                ORDER BY j.run_at, j.id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING \(Job.columns)
            """,
            [
                worker, Int(lease.components.seconds), lane.kinds.map { $0.sorted().joined(separator: ",") },
                lane.excluded.sorted().joined(separator: ","),
            ]
        ).first.map(Job.init)
    }

    /// Marks a claimed job succeeded with what it reports.
    public func succeed(_ job: Job, worker: String, result: JSON) throws(StoreError) {
        try db.query(
            """
            UPDATE jobs SET state = 'succeeded', result = $3::jsonb, last_error = NULL, finished_at = now(),
                locked_by = NULL, locked_until = NULL
            WHERE id = $1 AND locked_by = $2
            """, [job.id, worker, result.serialized])
    }

    /// Records a failed attempt: queued again after `backoff_seconds × 2^(attempts−1)`, or failed for
    /// good, with its error kept, once no attempts are left. Returns the job's new state.
    @discardableResult
    public func fail(_ job: Job, worker: String, error: String) throws(StoreError) -> Job.State {
        let row = try db.query(
            """
            UPDATE jobs SET
                state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                run_at = CASE WHEN attempts >= max_attempts THEN run_at
                    ELSE now() + make_interval(secs => backoff_seconds * power(2, least(attempts - 1, 16))) END,
                finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
                last_error = $3, locked_by = NULL, locked_until = NULL
            WHERE id = $1 AND locked_by = $2
            RETURNING state
            """, [job.id, worker, error]
        ).first
        return try row.flatMap { row throws(StoreError) in Job.State(rawValue: try row.string("state")) } ?? .failed
    }

    /// Puts a claimed job back in the queue, due now and its attempt not counted: the worker stopped before
    /// the job could finish (`reason` is kept as its last error). Another worker takes it at once.
    public func release(_ job: Job, worker: String, reason: String) throws(StoreError) {
        try db.query(
            """
            UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), run_at = now(), last_error = $3,
                locked_by = NULL, locked_until = NULL
            WHERE id = $1 AND locked_by = $2
            """, [job.id, worker, reason])
    }

    // MARK: - The admin panel's side

    /// Jobs newest first: those in `state` (all when nil), older than `beforeID` when paging.
    public func list(state: Job.State?, limit: Int, beforeID: Int? = nil) throws(StoreError) -> [Job] {
        try db.query(
            """
            SELECT \(Job.columns) FROM jobs
            WHERE ($1::text IS NULL OR state = $1) AND ($2::bigint IS NULL OR id < $2)
            ORDER BY id DESC LIMIT $3
            """, [state?.rawValue, beforeID, limit]
        ).rows.map(Job.init)
    }

    /// How many jobs are in each state (states without jobs are left out).
    public func countsByState() throws(StoreError) -> [Job.State: Int] {
        var counts: [Job.State: Int] = [:]
        for row in try db.query("SELECT state, count(*) AS n FROM jobs GROUP BY state").rows {
            if let state = Job.State(rawValue: try row.string("state")) { counts[state] = try row.int("n") }
        }
        return counts
    }

    /// The queued jobs of each kind that has any: how many, and how long the one due the longest has waited
    /// since it fell due (0 when none is due yet). Reads only queued rows, through the `jobs_due` index.
    public func queueDepths() throws(StoreError) -> [JobQueueDepth] {
        try db.query(
            """
            SELECT kind, count(*) AS queued,
                coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE run_at <= now())), 0)::float8 AS oldest_due
            FROM jobs WHERE state = 'queued' GROUP BY kind
            """
        ).rows.map { row throws(StoreError) in
            guard let oldest = Double(try row.string("oldest_due")) else { throw .unexpectedResult("oldest_due is not a number") }
            return JobQueueDepth(kind: try row.string("kind"), queued: try row.int("queued"), oldestDueSeconds: oldest)
        }
    }

    /// Queues a failed or cancelled job again, due now with its attempts reset (its last error is kept until
    /// it runs), and wakes the workers. Nil when the job is in another state (or does not exist).
    public func requeue(id: Int) throws(StoreError) -> Job? {
        try db.query(
            """
            WITH requeued AS (
                UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(), finished_at = NULL,
                    locked_by = NULL, locked_until = NULL
                WHERE id = $1 AND state IN ('failed', 'cancelled')
                RETURNING \(Job.columns))
            SELECT requeued.*, pg_notify('\(Self.notificationChannel)', requeued.kind) IS NULL AS notified FROM requeued
            """, [id]
        ).first.map(Job.init)
    }

    /// Cancels a job no worker has claimed yet, keeping `reason` as its last error. Nil when it is in another
    /// state: a worker claiming it at the same moment wins, and the job is then running.
    public func cancel(id: Int, reason: String) throws(StoreError) -> Job? {
        try db.query(
            """
            UPDATE jobs SET state = 'cancelled', finished_at = now(), last_error = $2
            WHERE id = $1 AND state = 'queued'
            RETURNING \(Job.columns)
            """, [id, reason]
        ).first.map(Job.init)
    }

    /// Enqueues one job for each enabled schedule that is due and moves it to its next run. Several
    /// workers may call this at once: each due schedule fires once.
    public func fireDueSchedules(payload: JSON) throws(StoreError) -> [Job] {
        try db.query(
            """
            WITH due AS (
                SELECT name, interval_seconds FROM schedules
                WHERE enabled AND next_run_at <= now() FOR UPDATE SKIP LOCKED),
            moved AS (
                UPDATE schedules s SET last_run_at = now(),
                    next_run_at = now() + make_interval(secs => due.interval_seconds)
                FROM due WHERE s.name = due.name RETURNING s.name)
            INSERT INTO jobs (kind, payload) SELECT name, $1::jsonb FROM moved
            RETURNING \(Job.columns)
            """, [payload.serialized]
        ).rows.map(Job.init)
    }

    /// When something next becomes due: a queued job, an expiring lock or a schedule (nil: nothing).
    public func nextWakeup() throws(StoreError) -> Date? {
        try db.query(
            """
            SELECT least(
                (SELECT min(run_at) FROM jobs WHERE state = 'queued'),
                (SELECT min(locked_until) FROM jobs WHERE state = 'running'),
                (SELECT min(next_run_at) FROM schedules WHERE enabled)) AS at
            """
        ).first?.date("at")
    }
}
