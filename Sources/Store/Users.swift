import Foundation

/// A person, identified by their Discord account once it is linked. The email is a contact detail, set
/// only when a verification completes, and absent for people who only log in with Discord.
public struct User: Sendable, Equatable {
    public let id: Int
    public var name: String
    public var email: String?
    public var personality: String
    public var communicationChannel: String
    public var verified: Bool
    public var discordID: String?
    public var discordUsername: String?

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        name = try row.string("name")
        email = row["email"]
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

    static let columns = "id, name, email, personality, communication_channel, verified, discord_id, discord_username"

    public func user(id: Int) throws(StoreError) -> User? {
        try db.query("SELECT \(Self.columns) FROM users WHERE id = $1", [id]).first.map(User.init)
    }

    public func user(discordID: String) throws(StoreError) -> User? {
        try db.query("SELECT \(Self.columns) FROM users WHERE discord_id = $1", [discordID]).first.map(User.init)
    }

    /// The user whose verified email this is (case-insensitive).
    public func user(email: String) throws(StoreError) -> User? {
        try db.query("SELECT \(Self.columns) FROM users WHERE lower(email) = lower($1)", [email]).first.map(User.init)
    }

    /// A new user with no Discord account and no email yet: what an onboarding request for an unknown
    /// email creates, to be linked when its verification completes.
    public func createUnlinked(name: String, personality: String, communicationChannel: String) throws(StoreError) -> User {
        let result = try db.query(
            """
            INSERT INTO users (name, personality, communication_channel, verified) VALUES ($1, $2, $3, false)
            RETURNING \(Self.columns)
            """, [name, personality, communicationChannel])
        guard let row = result.first else { throw .unexpectedResult("insert returned no row") }
        return try User(row)
    }

    /// The user of a Discord account that logs in: found by its Discord id alone (never by email), or
    /// created with no email. Keeps the username current.
    public func upsertDiscordLogin(discordID: String, discordUsername: String) throws(StoreError) -> User {
        let result = try db.query(
            """
            INSERT INTO users (name, personality, communication_channel, verified, discord_id, discord_username)
            VALUES ($2, 'friendly', 'discord', true, $1, $2)
            ON CONFLICT (discord_id) DO UPDATE SET discord_username = excluded.discord_username, updated_at = now()
            RETURNING \(Self.columns)
            """, [discordID, discordUsername])
        guard let row = result.first else { throw .unexpectedResult("login upsert returned no row") }
        return try User(row)
    }

    /// Removes a verified email from the user holding it (an admin's decision), so that another user can
    /// verify it. Returns that user, nil when nobody held it.
    public func releaseEmail(_ email: String) throws(StoreError) -> User? {
        try db.query(
            """
            UPDATE users SET email = NULL, updated_at = now() WHERE lower(email) = lower($1) RETURNING \(Self.columns)
            """, [email]
        ).first.map(User.init)
    }

    /// Deletes users an onboarding request created that never got anything: no Discord account, no email,
    /// no files, and no verification pending any more.
    public func deleteAbandonedUnlinked(olderThan cutoff: Date) throws(StoreError) {
        try db.query(
            """
            DELETE FROM users u WHERE u.discord_id IS NULL AND u.email IS NULL AND u.created_at < $1
              AND NOT EXISTS (SELECT 1 FROM pending_verifications p WHERE p.user_id = u.id)
              AND NOT EXISTS (SELECT 1 FROM files f WHERE f.owner_user_id = u.id)
            """, [cutoff])
    }
}
