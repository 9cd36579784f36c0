import Foundation

public struct Admin: Sendable, Equatable {
    public let id: Int
    public let username: String
    public let passwordHash: String

    public init(id: Int, username: String, passwordHash: String) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
    }
}

/// The `admins` table and the sign-in attempts that throttle `/admin/login`.
public struct AdminStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// Creates the admin, or resets the password of an existing one and ends all of its sessions (one
    /// statement, so no session survives a reset). Returns whether it was created and the sessions ended.
    @discardableResult
    public func upsert(username: String, passwordHash: String) throws(StoreError) -> (created: Bool, sessionsEnded: Int) {
        let row = try db.query(
            """
            WITH admin AS (
                INSERT INTO admins (username, password_hash) VALUES ($1, $2)
                ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = now()
                RETURNING id, (xmax = 0) AS created
            ), ended AS (
                DELETE FROM web_sessions WHERE admin_id = (SELECT id FROM admin) RETURNING 1
            )
            SELECT created, (SELECT count(*) FROM ended) AS ended FROM admin
            """, [username, passwordHash]
        ).first
        return (row?.bool("created") ?? false, try row?.int("ended") ?? 0)
    }

    public func admin(username: String) throws(StoreError) -> Admin? {
        guard
            let row = try db.query(
                "SELECT id, username, password_hash FROM admins WHERE username = $1", [username]
            ).first
        else { return nil }
        return Admin(id: try row.int("id"), username: try row.string("username"), passwordHash: try row.string("password_hash"))
    }

    public func admin(id: Int) throws(StoreError) -> Admin? {
        guard let row = try db.query("SELECT id, username, password_hash FROM admins WHERE id = $1", [id]).first
        else { return nil }
        return Admin(id: try row.int("id"), username: try row.string("username"), passwordHash: try row.string("password_hash"))
    }

    /// Records a sign-in attempt before it is judged (committed at once, so parallel attempts see it) and
    /// forgets attempts older than a day (the throttle looks back minutes). Returns the attempt's id.
    public func recordAttempt(username: String, remoteAddr: String) throws(StoreError) -> Int {
        try db.query("DELETE FROM login_attempts WHERE attempted_at < now() - interval '1 day'")
        guard
            let row = try db.query(
                "INSERT INTO login_attempts (username, remote_addr) VALUES ($1, $2) RETURNING id", [username, remoteAddr]
            ).first
        else { throw .unexpectedResult("INSERT INTO login_attempts returned no id") }
        return try row.int("id")
    }

    /// Committed attempts for this username or from this address since `since`, a caller's own included.
    public func attempts(username: String, remoteAddr: String, since: Date) throws(StoreError) -> Int {
        try db.query(
            """
            SELECT count(*) AS n FROM login_attempts
            WHERE attempted_at > $3 AND (username = $1 OR remote_addr = $2)
            """, [username, remoteAddr, since]
        ).first?.int("n") ?? 0
    }

    /// Forgets an attempt that was refused without being judged: only judged failures count.
    public func forgetAttempt(id: Int) throws(StoreError) {
        try db.query("DELETE FROM login_attempts WHERE id = $1", [id])
    }

    /// After a successful sign-in: the username's attempts, that one included, no longer count.
    public func clearAttempts(username: String) throws(StoreError) {
        try db.query("DELETE FROM login_attempts WHERE username = $1", [username])
    }
}
