import JSONSupport
import Store

/// What only an admin may do to a user's identity, from the panel or the command line: free a verified
/// email someone else holds, or unlink a Discord account (the fix for an email or account claimed by the
/// wrong person). Each change is audited in the transaction that makes it.
public struct AccountUnlinking {
    let db: PostgresConnection
    let actor: AuditActor

    public init(db: PostgresConnection, actor: AuditActor) {
        self.db = db
        self.actor = actor
    }

    /// Unlinks the Discord account from its user (only from `userID`, when given), who is no longer verified
    /// and is signed out everywhere. Returns that user, now unlinked; nil (nothing changed) when no
    /// user (or not that one) holds the account.
    public func unlinkDiscordAccount(_ discordID: String, ofUser userID: Int? = nil) throws -> User? {
        try db.transaction { db in
            guard let user = try UserStore(db).clearDiscordLink(discordID, userID: userID) else { return nil }
            let sessions = try WebSessionStore(db).deleteAll(userID: user.id)
            try AuditLogStore(db).record(
                actor: actor, action: "user.unlink_discord", target: AuditTarget.user(user.id),
                detail: ["discord_id": .string(discordID), "sessions_ended": .int(sessions)])
            return user
        }
    }

    /// Removes a verified email from the user holding it, so that another user can verify it. Returns that
    /// user; nil (nothing changed) when nobody held it.
    public func releaseEmail(_ email: String) throws -> User? {
        try db.transaction { db in
            guard let user = try UserStore(db).releaseEmail(email) else { return nil }
            try AuditLogStore(db).record(
                actor: actor, action: "user.release_email", target: AuditTarget.user(user.id), detail: ["email": .string(email)])
            return user
        }
    }
}
