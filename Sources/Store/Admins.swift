import Foundation

public struct Admin: Sendable, Equatable {
    public let id: Int
    public let username: String
    public let passwordHash: String
}

/// The `admins` table and the login attempts that throttle `/admin/login`.
public struct AdminStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// Creates the admin, or resets the password of an existing one. Returns true when created.
    @discardableResult
    public func upsert(username: String, passwordHash: String) throws(StoreError) -> Bool {
        let result = try db.query("""
            INSERT INTO admins (username, password_hash) VALUES ($1, $2)
            ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = now()
            RETURNING (xmax = 0) AS created
            """, [username, passwordHash])
        return result.first?.bool("created") ?? false
    }

    public func admin(username: String) throws(StoreError) -> Admin? {
        guard let row = try db.query(
            "SELECT id, username, password_hash FROM admins WHERE username = $1", [username]).first
        else { return nil }
        return Admin(id: try row.int("id"), username: try row.string("username"), passwordHash: try row.string("password_hash"))
    }

    public func admin(id: Int) throws(StoreError) -> Admin? {
        guard let row = try db.query("SELECT id, username, password_hash FROM admins WHERE id = $1", [id]).first
        else { return nil }
        return Admin(id: try row.int("id"), username: try row.string("username"), passwordHash: try row.string("password_hash"))
    }

    /// Failed attempts for this username or from this address since `since`.
    public func failedAttempts(username: String, remoteAddr: String, since: Date) throws(StoreError) -> Int {
        try db.query("""
            SELECT count(*) AS n FROM login_attempts
            WHERE attempted_at > $3 AND (username = $1 OR remote_addr = $2)
            """, [username, remoteAddr, since]).first?.int("n") ?? 0
    }

    /// Records a failure, and forgets failures older than a day (the throttle looks back minutes).
    public func recordFailedAttempt(username: String, remoteAddr: String) throws(StoreError) {
        try db.query("DELETE FROM login_attempts WHERE attempted_at < now() - interval '1 day'")
        try db.query("INSERT INTO login_attempts (username, remote_addr) VALUES ($1, $2)", [username, remoteAddr])
    }

    public func clearFailedAttempts(username: String) throws(StoreError) {
        try db.query("DELETE FROM login_attempts WHERE username = $1", [username])
    }
}
