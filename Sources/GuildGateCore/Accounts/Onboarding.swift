import Foundation
import Logging
import Store

/// The first step of onboarding: the submitted details wait in a pending verification, behind a single-use
/// token, for the Discord account that approves it (`DiscordSignIn.completeVerification`).
public enum Onboarding {
    public static let tokenLifetime: TimeInterval = 30 * 60

    /// A verification waiting for Discord: the user it is meant for, and its token (only its hash is stored).
    public struct Pending {
        public let user: User
        public let token: String
    }

    /// Holds the details for the user they are meant for: the signed-in user who submitted them, else the
    /// user whose verified email it is, else a new user with nothing linked yet.
    public static func begin(
        _ details: OnboardingDetails, signedInUserID: Int?, db: PostgresConnection, now: Date, logger: Logger
    ) throws -> Pending {
        let users = UserStore(db)
        let pending = PendingVerificationStore(db)
        try pending.deleteExpired(now: now)
        try users.deleteAbandonedUnlinked(olderThan: now.addingTimeInterval(-tokenLifetime))
        let user =
            try signedInUserID.flatMap { id throws(StoreError) in try users.user(id: id) }
            ?? users.user(email: details.email)
            ?? users.createUnlinked(name: details.name, personality: details.personality, communicationChannel: details.channel)
        let token = Secrets.randomToken()
        try pending.create(
            tokenHash: Secrets.sha256(token), userID: user.id, name: details.name, email: details.email,
            personality: details.personality, communicationChannel: details.channel, expiresAt: now.addingTimeInterval(tokenLifetime))
        logger.info("onboarding verification pending", metadata: ["user_id": "\(user.id)"])
        return Pending(user: user, token: token)
    }

    /// The hash of `token` while its verification still waits; nil when it is unknown, used or expired.
    public static func waitingTokenHash(_ token: String, db: PostgresConnection, now: Date) throws -> [UInt8]? {
        guard let hash = tokenHash(token) else { return nil }
        return try PendingVerificationStore(db).pending(tokenHash: hash, now: now) == nil ? nil : hash
    }

    /// The hash a verification token is stored under; nil for text no token can be (empty, or too long to
    /// be worth hashing).
    public static func tokenHash(_ token: String) -> [UInt8]? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        return Secrets.sha256(token)
    }
}
