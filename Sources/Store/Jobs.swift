import Foundation

/// A unit of background work in the `jobs` table (the queue that replaces Celery + Redis).
public struct Job: Sendable, Equatable {
    public enum State: String, Sendable {
        case queued, running, succeeded, failed
    }

    public let id: Int
    public let kind: String
    /// The JSON payload, as text.
    public let payload: String
    public let state: State
    public let attempts: Int
    public let maxAttempts: Int
    public let runAt: Date?
    public let lastError: String?
    public let createdAt: Date?
    public let finishedAt: Date?

    static let columns = "id, kind, payload::text AS payload, state, attempts, max_attempts, run_at, last_error, created_at, finished_at"

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        kind = try row.string("kind")
        payload = try row.string("payload")
        guard let state = State(rawValue: try row.string("state")) else { throw .unexpectedResult("unknown job state") }
        self.state = state
        attempts = try row.int("attempts")
        maxAttempts = try row.int("max_attempts")
        runAt = row.date("run_at")
        lastError = row["last_error"]
        createdAt = row.date("created_at")
        finishedAt = row.date("finished_at")
    }
}

/// The `jobs` table: enqueueing and looking up. Workers claim jobs with `FOR UPDATE SKIP LOCKED`.
public struct JobStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// Adds a job (the insert trigger NOTIFYs `guildgate_jobs`, waking the bot).
    public func enqueue(kind: String, payloadJSON: String = "{}", runAt: Date? = nil, maxAttempts: Int = 5) throws(StoreError) -> Job {
        let result = try db.query("""
            INSERT INTO jobs (kind, payload, run_at, max_attempts) VALUES ($1, $2::jsonb, coalesce($3::timestamptz, now()), $4)
            RETURNING \(Job.columns)
            """, [kind, payloadJSON, runAt, maxAttempts])
        guard let row = result.first else { throw .unexpectedResult("enqueue returned no row") }
        return try Job(row)
    }

    public func job(id: Int) throws(StoreError) -> Job? {
        try db.query("SELECT \(Job.columns) FROM jobs WHERE id = $1", [id]).first.map(Job.init)
    }
}
