import Foundation

/// Single-use OAuth `state` values of "Log in with Discord", bound to the browser session that asked.
public struct OAuthStateStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func create(stateHash: [UInt8], sessionIDHash: [UInt8], returnTo: String, expiresAt: Date) throws(StoreError) {
        try db.query("""
            INSERT INTO oauth_states (state_hash, session_id_hash, return_to, expires_at) VALUES ($1, $2, $3, $4)
            """, [ByteA(stateHash), ByteA(sessionIDHash), returnTo, expiresAt])
    }

    public enum Consumed: Sendable, Equatable {
        case valid(returnTo: String)
        case expired
        case otherBrowser
        case unknown
    }

    /// Deletes the state (whatever the outcome, so it can never be used twice) and says whether it was valid.
    public func consume(stateHash: [UInt8], sessionIDHash: [UInt8]?, now: Date) throws(StoreError) -> Consumed {
        let result = try db.query("""
            DELETE FROM oauth_states WHERE state_hash = $1 RETURNING session_id_hash, return_to, expires_at
            """, [ByteA(stateHash)])
        guard let row = result.first else { return .unknown }
        guard let expiry = row.date("expires_at"), expiry > now else { return .expired }
        guard let sessionIDHash, row["session_id_hash"] == ByteA(sessionIDHash).sqlText else { return .otherBrowser }
        return .valid(returnTo: try row.string("return_to"))
    }

    /// Whether a state hash belongs to this table (a login) rather than to a verification token.
    public func exists(stateHash: [UInt8]) throws(StoreError) -> Bool {
        try !db.query("SELECT 1 FROM oauth_states WHERE state_hash = $1", [ByteA(stateHash)]).rows.isEmpty
    }

    public func deleteExpired(now: Date) throws(StoreError) {
        try db.query("DELETE FROM oauth_states WHERE expires_at <= $1", [now])
    }
}
