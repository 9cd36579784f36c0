import Foundation
import JSONSupport

/// A user as the admin panel lists them: how far they got (onboarded, verified, linked), their groups and
/// how many files they store.
public struct UserSummary: Sendable, Equatable {
    public struct GroupRef: Sendable, Equatable {
        public let id: Int
        public let name: String
    }

    public let id: Int
    public let name: String
    public let email: String?
    public let verified: Bool
    public let discordID: String?
    public let discordUsername: String?
    public let discordGlobalName: String?
    public let createdAt: Date?
    public let groups: [GroupRef]
    /// Files stored or being stored (not those being deleted).
    public let files: Int

    static let query = """
        SELECT u.id, u.name, u.email, u.verified, u.discord_id, u.discord_username, u.discord_global_name, u.created_at,
            coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY lower(g.name), g.id)
                      FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = u.id), '[]')::text AS groups,
            (SELECT count(*) FROM files f WHERE f.owner_user_id = u.id AND f.state <> 'deleting') AS files
        FROM users u
        """

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        name = try row.string("name")
        email = row["email"]
        verified = row.bool("verified")
        discordID = row["discord_id"]
        discordUsername = row["discord_username"]
        discordGlobalName = row["discord_global_name"]
        createdAt = row.date("created_at")
        groups = (JSON.parse(Array(try row.string("groups").utf8))?.array ?? []).compactMap { group in
            guard let id = group["id"]?.wholeNumber, let name = group["name"]?.string else { return nil }
            return GroupRef(id: id, name: name)
        }
        files = try row.int("files")
    }
}

/// The admin panel's side of the `users` table: listing and searching, unlinking, deleting.
extension UserStore {
    /// Users newest first, older than `beforeID` when paging; `search` matches part of the name, email,
    /// Discord username or display name (case-insensitive), or the whole Discord id.
    public func directory(search: String?, limit: Int, beforeID: Int? = nil) throws(StoreError) -> [UserSummary] {
        let pattern = search.map { "%" + Self.escapeLike($0) + "%" }
        return try db.query(
            """
            \(UserSummary.query)
            WHERE ($1::text IS NULL OR u.name ILIKE $1 OR u.email ILIKE $1 OR u.discord_username ILIKE $1
                   OR u.discord_global_name ILIKE $1 OR u.discord_id = $2)
              AND ($3::bigint IS NULL OR u.id < $3)
            ORDER BY u.id DESC LIMIT $4
            """, [pattern, search, beforeID, limit]
        ).rows.map(UserSummary.init)
    }

    public func summary(id: Int) throws(StoreError) -> UserSummary? {
        try db.query("\(UserSummary.query) WHERE u.id = $1", [id]).first.map(UserSummary.init)
    }

    /// Clears the user's link to the Discord account `discordID` (and `verified`, which that link proved),
    /// only when `userID` holds it if given. Returns the user, now unlinked; nil when no user (or not
    /// that one) holds the account. Sessions are the caller's: see `WebSessionStore.deleteAll(userID:)`.
    public func clearDiscordLink(_ discordID: String, userID: Int? = nil) throws(StoreError) -> User? {
        try db.query(
            """
            UPDATE users SET discord_id = NULL, discord_username = NULL, verified = false, updated_at = now()
            WHERE discord_id = $1 AND ($2::bigint IS NULL OR id = $2) RETURNING \(Self.columns)
            """, [discordID, userID]
        ).first.map(User.init)
    }

    /// Locks the user's row until the transaction ends, as an upload starting for them does: what is done to
    /// the user meanwhile (deleting them) cannot miss a file being created. False when there is no such user.
    public func lock(id: Int) throws(StoreError) -> Bool {
        try db.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [id]).first != nil
    }

    /// Deletes the user row (their sessions, group memberships and pending verifications go with it; their
    /// files and staff entry lose their owner). False when there was no such user.
    public func delete(id: Int) throws(StoreError) -> Bool {
        try db.query("DELETE FROM users WHERE id = $1 RETURNING id", [id]).first != nil
    }

    /// `text` matched literally inside a LIKE pattern (whose escape character is `\`).
    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
