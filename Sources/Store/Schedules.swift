import Foundation

/// A periodic job: its kind's name, how often it fires, and how its latest job went.
public struct Schedule: Sendable, Equatable {
    /// The newest job of the schedule's kind, fired by the schedule or run by hand.
    public struct LatestJob: Sendable, Equatable {
        public let id: Int
        public let state: Job.State
        public let lastError: String?
        public let finishedAt: Date?
    }

    /// The job kind it enqueues (`groups.verify`).
    public let name: String
    public let intervalSeconds: Int
    public let enabled: Bool
    public let nextRunAt: Date?
    public let lastRunAt: Date?
    /// What the worker recorded for its last run, when it records one.
    public let lastResult: String?
    public let latestJob: LatestJob?

    static let query = """
        SELECT s.name, s.interval_seconds, s.enabled, s.next_run_at, s.last_run_at, s.last_result,
               j.id AS job_id, j.state AS job_state, j.last_error AS job_error, j.finished_at AS job_finished_at
        FROM schedules s
        LEFT JOIN LATERAL (SELECT id, state, last_error, finished_at FROM jobs WHERE kind = s.name ORDER BY id DESC LIMIT 1) j ON true
        """

    init(_ row: Row) throws(StoreError) {
        name = try row.string("name")
        intervalSeconds = try row.int("interval_seconds")
        enabled = row.bool("enabled")
        nextRunAt = row.date("next_run_at")
        lastRunAt = row.date("last_run_at")
        lastResult = row["last_result"]
        if let id = row.optionalInt("job_id"), let state = row["job_state"].flatMap(Job.State.init(rawValue:)) {
            latestJob = LatestJob(id: id, state: state, lastError: row["job_error"], finishedAt: row.date("job_finished_at"))
        } else {
            latestJob = nil
        }
    }
}

/// The `schedules` table as the admin panel sees it (the worker fires them: `JobStore.fireDueSchedules`).
public struct ScheduleStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func all() throws(StoreError) -> [Schedule] {
        try db.query("\(Schedule.query) ORDER BY s.name").rows.map(Schedule.init)
    }

    public func schedule(name: String) throws(StoreError) -> Schedule? {
        try db.query("\(Schedule.query) WHERE s.name = $1", [name]).first.map(Schedule.init)
    }

    /// Switches the schedule on or off and changes its interval (nil: unchanged). A new interval counts
    /// from the last run, so a shorter one can make the schedule due at once. Nil when there is no such
    /// schedule.
    public func update(name: String, enabled: Bool?, intervalSeconds: Int?) throws(StoreError) -> Schedule? {
        guard
            try db.query(
                """
                UPDATE schedules SET enabled = coalesce($2, enabled), interval_seconds = coalesce($3, interval_seconds),
                    next_run_at = CASE WHEN $3::integer IS NULL THEN next_run_at
                        ELSE coalesce(last_run_at, now()) + make_interval(secs => $3) END
                WHERE name = $1
                RETURNING name
                """, [name, enabled, intervalSeconds]
            ).first != nil
        else { return nil }
        return try schedule(name: name)
    }
}
