import Foundation

/// What an onboarding request asked for, waiting for a Discord account to approve it.
public struct PendingVerification: Sendable, Equatable {
    public let userID: Int
    public let name: String
    public let email: String
    public let personality: String
    public let communicationChannel: String
    public let expiresAt: Date

    init(_ row: Row) throws(StoreError) {
        userID = try row.int("user_id")
        name = try row.string("name")
        email = try row.string("email")
        personality = try row.string("personality")
        communicationChannel = try row.string("communication_channel")
        guard let expiry = row.date("expires_at") else { throw .unexpectedResult("pending verification without expiry") }
        expiresAt = expiry
    }
}

/// The `pending_verifications` table: onboarding details held until a verification completes, so that an
/// unauthenticated request never changes an existing user.
public struct PendingVerificationStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func create(
        tokenHash: [UInt8], userID: Int, name: String, email: String, personality: String, communicationChannel: String,
        expiresAt: Date
    ) throws(StoreError) {
        try db.query(
            """
            INSERT INTO pending_verifications (token_hash, user_id, name, email, personality, communication_channel, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [ByteA(tokenHash), userID, name, email, personality, communicationChannel, expiresAt])
    }

    /// The pending verification of a token (by hash) while it is valid.
    public func pending(tokenHash: [UInt8], now: Date) throws(StoreError) -> PendingVerification? {
        try db.query(
            """
            SELECT user_id, name, email, personality, communication_channel, expires_at
            FROM pending_verifications WHERE token_hash = $1 AND expires_at > $2
            """, [ByteA(tokenHash), now]
        ).first.map(PendingVerification.init)
    }

    /// Deletes a waiting verification; false when there was none.
    public func withdraw(tokenHash: [UInt8]) throws(StoreError) -> Bool {
        try db.query("DELETE FROM pending_verifications WHERE token_hash = $1 RETURNING user_id", [ByteA(tokenHash)]).first != nil
    }

    public func deleteExpired(now: Date) throws(StoreError) {
        try db.query("DELETE FROM pending_verifications WHERE expires_at <= $1", [now])
    }

    public enum Completion: Sendable, Equatable {
        case linked(User)
        /// The token is unknown, expired or was used meanwhile.
        case tokenInvalid
        /// That Discord account is linked to another user.
        case discordAccountTaken
        /// The user is linked to another Discord account.
        case userLinkedElsewhere
        /// Another user verified this email with their own Discord account.
        case emailInUse
    }

    /// Applies a pending verification to its user and links `discordID`, in one transaction. Any refusal
    /// changes nothing, not even the token, which stays usable by its rightful Discord account.
    public func complete(tokenHash: [UInt8], discordID: String, discordUsername: String, now: Date) throws -> Completion {
        try db.query("BEGIN")
        let outcome: Completion
        do {
            outcome = try Self.apply(tokenHash: tokenHash, discordID: discordID, discordUsername: discordUsername, now: now, db: db)
        } catch {
            _ = try? db.query("ROLLBACK")
            throw error
        }
        if case .linked = outcome {
            try db.query("COMMIT")
        } else {
            try db.query("ROLLBACK")
        }
        return outcome
    }

    private static func apply(
        tokenHash: [UInt8], discordID: String, discordUsername: String, now: Date, db: PostgresConnection
    ) throws(StoreError) -> Completion {
        let consumed = try db.query(
            """
            DELETE FROM pending_verifications WHERE token_hash = $1 AND expires_at > $2
            RETURNING user_id, name, email, personality, communication_channel, expires_at
            """, [ByteA(tokenHash), now])
        guard let row = consumed.first else { return .tokenInvalid }
        let pending = try PendingVerification(row)
        let targets = try db.query("SELECT \(UserStore.columns) FROM users WHERE id = $1 FOR UPDATE", [pending.userID])
        guard let targetRow = targets.first else { return .tokenInvalid }
        let target = try User(targetRow)
        if let linked = target.discordID, linked != discordID {
            return target.email?.lowercased() == pending.email.lowercased() ? .emailInUse : .userLinkedElsewhere
        }
        let owners = try db.query("SELECT id FROM users WHERE discord_id = $1 AND id <> $2", [discordID, target.id])
        guard owners.rows.isEmpty else { return .discordAccountTaken }
        let holders = try db.query("SELECT id FROM users WHERE lower(email) = lower($1) AND id <> $2", [pending.email, target.id])
        guard holders.rows.isEmpty else { return .emailInUse }
        let updated: QueryResult
        do {
            updated = try db.query(
                """
                UPDATE users SET name = $2, email = $3, personality = $4, communication_channel = $5,
                       discord_id = $6, discord_username = $7, verified = true, updated_at = now()
                WHERE id = $1 RETURNING \(UserStore.columns)
                """,
                [
                    target.id, pending.name, pending.email, pending.personality, pending.communicationChannel,
                    discordID, discordUsername,
                ])
        } catch {
            // A concurrent verification took the Discord account or the email first.
            guard error.isUniqueViolation else { throw error }
            return .discordAccountTaken
        }
        guard let linked = updated.first else { return .tokenInvalid }
        return .linked(try User(linked))
    }
}
