import Foundation

/// A person who went through onboarding and may have linked a Discord account.
public struct User: Sendable, Equatable {
    public let id: Int
    public var name: String
    public var email: String
    public var personality: String
    public var communicationChannel: String
    public var verified: Bool
    public var discordID: String?
    public var discordUsername: String?

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        name = try row.string("name")
        email = try row.string("email")
        personality = try row.string("personality")
        communicationChannel = try row.string("communication_channel")
        verified = row.bool("verified")
        discordID = row["discord_id"]
        discordUsername = row["discord_username"]
    }
}

/// The `users` table.
public struct UserStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    private static let columns = "id, name, email, personality, communication_channel, verified, discord_id, discord_username"

    /// Creates the user, or updates the one with the same email (case-insensitive), as unverified
    /// with a new verification token (hash) that expires at `tokenExpiresAt`.
    public func upsertOnboarding(
        name: String, email: String, personality: String, communicationChannel: String,
        verificationTokenHash: [UInt8], tokenExpiresAt: Date
    ) throws(StoreError) -> User {
        let result = try db.query("""
            INSERT INTO users (name, email, personality, communication_channel, verified,
                               verification_token_hash, verification_token_expires_at)
            VALUES ($1, $2, $3, $4, false, $5, $6)
            ON CONFLICT (lower(email)) DO UPDATE SET
                name = excluded.name, personality = excluded.personality,
                communication_channel = excluded.communication_channel, verified = false,
                verification_token_hash = excluded.verification_token_hash,
                verification_token_expires_at = excluded.verification_token_expires_at,
                updated_at = now()
            RETURNING \(Self.columns)
            """, [name, email, personality, communicationChannel, ByteA(verificationTokenHash), tokenExpiresAt])
        guard let row = result.first else { throw .unexpectedResult("upsert returned no row") }
        return try User(row)
    }

    public enum TokenLookup: Sendable, Equatable {
        case valid(User)
        case expired
        case unknown
    }

    /// Finds the user holding a verification token (by hash) and whether the token is still valid.
    public func user(verificationTokenHash hash: [UInt8], now: Date) throws(StoreError) -> TokenLookup {
        let result = try db.query("""
            SELECT \(Self.columns), verification_token_expires_at FROM users WHERE verification_token_hash = $1
            """, [ByteA(hash)])
        guard let row = result.first else { return .unknown }
        guard let expiry = row.date("verification_token_expires_at"), expiry > now else { return .expired }
        return .valid(try User(row))
    }

    public enum LinkOutcome: Sendable, Equatable {
        case linked(User)
        /// The token was used meanwhile (a concurrent callback with the same state).
        case tokenAlreadyUsed
        /// That Discord account belongs to another user.
        case discordAccountTaken
    }

    /// Links a Discord account and marks the user verified, consuming the verification token.
    public func completeVerification(
        userID: Int, tokenHash: [UInt8], discordID: String, discordUsername: String
    ) throws(StoreError) -> LinkOutcome {
        do {
            let result = try db.query("""
                UPDATE users SET discord_id = $3, discord_username = $4, verified = true,
                       verification_token_hash = NULL, verification_token_expires_at = NULL, updated_at = now()
                WHERE id = $1 AND verification_token_hash = $2
                RETURNING \(Self.columns)
                """, [userID, ByteA(tokenHash), discordID, discordUsername])
            guard let row = result.first else { return .tokenAlreadyUsed }
            return .linked(try User(row))
        } catch where error.isUniqueViolation {
            return .discordAccountTaken
        }
    }

    public func user(discordID: String) throws(StoreError) -> User? {
        try db.query("SELECT \(Self.columns) FROM users WHERE discord_id = $1", [discordID]).first.map(User.init)
    }

    /// Records the Discord identity of someone who logged in with Discord without onboarding first.
    public func upsertDiscordLogin(discordID: String, discordUsername: String, email: String?) throws(StoreError) -> User {
        if var existing = try user(discordID: discordID) {
            try db.query(
                "UPDATE users SET discord_username = $2, updated_at = now() WHERE id = $1",
                [existing.id, discordUsername])
            existing.discordUsername = discordUsername
            return existing
        }
        let result = try db.query("""
            INSERT INTO users (name, email, personality, communication_channel, verified, discord_id, discord_username)
            VALUES ($1, $2, 'friendly', 'discord', true, $3, $4)
            ON CONFLICT (lower(email)) DO UPDATE SET
                discord_id = coalesce(users.discord_id, excluded.discord_id),
                discord_username = excluded.discord_username, verified = true, updated_at = now()
            RETURNING \(Self.columns)
            """, [discordUsername, email ?? "\(discordID)@users.discord.invalid", discordID, discordUsername])
        guard let row = result.first else { throw .unexpectedResult("login upsert returned no row") }
        return try User(row)
    }
}
