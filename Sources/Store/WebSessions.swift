import Foundation

/// A browser session; the cookie holds the id, the table only its hash.
public struct WebSession: Sendable, Equatable {
    public let idHash: [UInt8]
    public let csrfToken: String
    public let userID: Int?
    public let adminID: Int?
    public let expiresAt: Date
}

/// The `web_sessions` table.
public struct WebSessionStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func create(idHash: [UInt8], csrfToken: String, userID: Int?, adminID: Int?, expiresAt: Date) throws(StoreError) {
        try db.query(
            """
            INSERT INTO web_sessions (id_hash, csrf_token, user_id, admin_id, expires_at) VALUES ($1, $2, $3, $4, $5)
            """, [ByteA(idHash), csrfToken, userID, adminID, expiresAt])
    }

    public func session(idHash: [UInt8], now: Date) throws(StoreError) -> WebSession? {
        let result = try db.query(
            """
            SELECT csrf_token, user_id, admin_id, expires_at FROM web_sessions WHERE id_hash = $1 AND expires_at > $2
            """, [ByteA(idHash), now])
        guard let row = result.first else { return nil }
        return WebSession(
            idHash: idHash, csrfToken: try row.string("csrf_token"), userID: row.optionalInt("user_id"),
            adminID: row.optionalInt("admin_id"), expiresAt: row.date("expires_at") ?? now)
    }

    public func delete(idHash: [UInt8]) throws(StoreError) {
        try db.query("DELETE FROM web_sessions WHERE id_hash = $1", [ByteA(idHash)])
    }

    public func deleteExpired(now: Date) throws(StoreError) {
        try db.query("DELETE FROM web_sessions WHERE expires_at <= $1", [now])
    }
}

extension WebSessionStore {
    /// Ends every session of the user (they are signed out everywhere). Returns how many there were.
    @discardableResult
    public func deleteAll(userID: Int) throws(StoreError) -> Int {
        try db.query("DELETE FROM web_sessions WHERE user_id = $1", [userID]).affectedRows
    }
}
