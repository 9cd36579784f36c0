import Foundation
import JSONSupport
import Store

/// Why the admin panel refused a change to a user; nothing was changed.
public enum UserAdministrationError: Error, Equatable {
    case notFound(id: Int)
    /// Unlinking asks for a Discord account the user does not have (any more).
    case notLinked(id: Int)
}

/// The admin panel's operations on users: list and search them (onboarded, verified and linked, with their
/// groups), unlink a Discord account (`AccountUnlinking`, the rule `guildgate-web users unlink` follows) and
/// delete a user: their sessions end, and their files are marked for deletion and removed from Discord by a
/// `files.cleanup` job. Each change is audited in the transaction that makes it.
public struct UserAdministration {
    /// The most users one page lists.
    public static let maxPageSize = 200

    /// One page of users, newest first.
    public struct Page: Sendable, Equatable {
        public let users: [UserSummary]
        /// The `beforeID` of the next page; nil on the last one.
        public let nextBeforeID: Int?
    }

    /// What deleting a user did.
    public struct Deletion: Sendable, Equatable {
        public let user: UserSummary
        public let filesMarked: Int
        public let sessionsEnded: Int
        /// The job deleting their files' messages from Discord; nil when they had no files.
        public let cleanupJob: Job?
    }

    let db: PostgresConnection
    let actor: AuditActor

    public init(db: PostgresConnection, actor: AuditActor) {
        self.db = db
        self.actor = actor
    }

    /// Users newest first, `limit` (at most `maxPageSize`) at a time, older than `beforeID` when paging;
    /// `search` (trimmed; empty means everyone) matches part of a name, email, Discord username or display
    /// name, or a whole Discord id.
    public func list(search: String?, limit: Int, beforeID: Int? = nil) throws -> Page {
        let limit = min(max(limit, 1), Self.maxPageSize)
        let search = search?.trimmingCharacters(in: .whitespaces)
        // One more than asked for tells whether there is a next page.
        let users = try UserStore(db).directory(search: search?.isEmpty == false ? search : nil, limit: limit + 1, beforeID: beforeID)
        let page = Array(users.prefix(limit))
        return Page(users: page, nextBeforeID: users.count > limit ? page.last?.id : nil)
    }

    public func user(id: Int) throws -> UserSummary {
        guard let user = try UserStore(db).summary(id: id) else { throw UserAdministrationError.notFound(id: id) }
        return user
    }

    /// Unlinks the user's Discord account as `guildgate-web users unlink --discord-id` does: they are no
    /// longer verified and are signed out everywhere. Returns the user as they are now.
    public func unlinkDiscordAccount(userID: Int) throws -> UserSummary {
        let before = try user(id: userID)
        guard let discordID = before.discordID,
            try AccountUnlinking(db: db, actor: actor).unlinkDiscordAccount(discordID, ofUser: userID) != nil
        else { throw UserAdministrationError.notLinked(id: userID) }
        return try user(id: userID)
    }

    /// Deletes the user: their sessions end, their group memberships and pending verifications go, and
    /// their files are marked for deletion; a `files.cleanup` job removes those files' messages from
    /// Discord. All of it, with its audit record, in one transaction.
    public func delete(userID: Int) throws -> Deletion {
        try db.transaction { db in
            guard try UserStore(db).lock(id: userID), let user = try UserStore(db).summary(id: userID) else {
                throw UserAdministrationError.notFound(id: userID)
            }
            let files = try FileStore(db).markOwnedForDeletion(userID: userID)
            let sessions = try WebSessionStore(db).deleteAll(userID: userID)
            guard try UserStore(db).delete(id: userID) else { throw UserAdministrationError.notFound(id: userID) }
            let job = files > 0 ? try JobStore(db).enqueue(.filesCleanup(fileID: nil)) : nil
            try AuditLogStore(db).record(
                actor: actor, action: "user.delete", target: AuditTarget.user(userID),
                detail: [
                    "name": .string(user.name), "email": user.email.json, "discord_id": user.discordID.json,
                    "files_marked": .int(files), "sessions_ended": .int(sessions), "cleanup_job_id": job.map { .int($0.id) } ?? .null,
                ])
            return Deletion(user: user, filesMarked: files, sessionsEnded: sessions, cleanupJob: job)
        }
    }
}
