import Foundation

/// Single-use OAuth `state` values, bound to the browser session that started the flow: "Log in with
/// Discord", and onboarding verifications opened through `/discord/verify`.
public struct OAuthStateStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// - Parameters:
    ///   - verificationTokenHash: set when the flow completes an onboarding verification.
    ///   - keyID: the id of the secret key the flow's PKCE verifier is derived with.
    public func create(
        stateHash: [UInt8], sessionIDHash: [UInt8], returnTo: String, verificationTokenHash: [UInt8]?, keyID: String, expiresAt: Date
    ) throws(StoreError) {
        try db.query(
            """
            INSERT INTO oauth_states (state_hash, session_id_hash, return_to, verification_token_hash, key_id, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            """, [ByteA(stateHash), ByteA(sessionIDHash), returnTo, verificationTokenHash.map(ByteA.init), keyID, expiresAt])
    }

    public enum Consumed: Sendable, Equatable {
        /// `keyID` is nil for a flow started before the key was recorded (migration 12).
        case valid(returnTo: String, verificationTokenHash: [UInt8]?, keyID: String?)
        case expired
        case otherBrowser
        case unknown
    }

    /// Deletes the state (whatever the outcome, so it can never be used twice) and says whether it was valid
    /// for the browser session presenting it.
    public func consume(stateHash: [UInt8], sessionIDHash: [UInt8]?, now: Date) throws(StoreError) -> Consumed {
        let result = try db.query(
            """
            DELETE FROM oauth_states WHERE state_hash = $1
            RETURNING session_id_hash, return_to, verification_token_hash, key_id, expires_at
            """, [ByteA(stateHash)])
        guard let row = result.first else { return .unknown }
        guard let expiry = row.date("expires_at"), expiry > now else { return .expired }
        guard let sessionIDHash, row["session_id_hash"] == ByteA(sessionIDHash).sqlText else { return .otherBrowser }
        return .valid(
            returnTo: try row.string("return_to"), verificationTokenHash: row.bytes("verification_token_hash"), keyID: row["key_id"])
    }

    public func deleteExpired(now: Date) throws(StoreError) {
        try db.query("DELETE FROM oauth_states WHERE expires_at <= $1", [now])
    }
}
