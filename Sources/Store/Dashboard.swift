/// What the admin dashboard counts.
public struct DashboardCounts: Sendable, Equatable {
    public let users: Int
    /// Users who linked a Discord account.
    public let linkedUsers: Int
    /// Active staff members.
    public let staff: Int
    /// Complete files stored on Discord, and their bytes.
    public let files: Int
    public let fileBytes: Int
    public let failedJobs: Int
    /// Jobs waiting or running.
    public let pendingJobs: Int
}

/// The dashboard's counts, in one round trip.
public struct DashboardStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func counts() throws(StoreError) -> DashboardCounts {
        guard
            let row = try db.query(
                """
                SELECT (SELECT count(*) FROM users) AS users,
                       (SELECT count(*) FROM users WHERE discord_id IS NOT NULL) AS linked_users,
                       (SELECT count(*) FROM staff WHERE active) AS staff,
                       (SELECT count(*) FROM files WHERE state = 'complete') AS files,
                       (SELECT coalesce(sum(size), 0) FROM files WHERE state = 'complete') AS file_bytes,
                       (SELECT count(*) FROM jobs WHERE state = 'failed') AS failed_jobs,
                       (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')) AS pending_jobs
                """
            ).first
        else { throw .unexpectedResult("the counts query returned no row") }
        return DashboardCounts(
            users: try row.int("users"), linkedUsers: try row.int("linked_users"), staff: try row.int("staff"),
            files: try row.int("files"), fileBytes: try row.int("file_bytes"), failedJobs: try row.int("failed_jobs"),
            pendingJobs: try row.int("pending_jobs"))
    }
}
