import Foundation
import Logging
import Store

/// Linking a Discord account to the user an onboarding request was for, by the request's verification
/// token: the same rules whether the token comes back through the OAuth callback or in `/login <code>`.
public enum AccountLinking {
    /// Links the Discord account and applies the details that waited, or says why it may not
    /// (`CallbackFailure.invalidToken` for an unknown, used or expired token, else a `VerificationRefusal`).
    public static func complete(
        tokenHash: [UInt8], discordID: String, discordUsername: String, db: PostgresConnection, now: Date, logger: Logger
    ) throws -> User {
        switch try PendingVerificationStore(db).complete(
            tokenHash: tokenHash, discordID: discordID, discordUsername: discordUsername, now: now)
        {
        case .linked(let user):
            logger.info("linked discord account", metadata: ["user_id": "\(user.id)"])
            return user
        case .tokenInvalid: throw CallbackFailure.invalidToken
        case .discordAccountTaken: throw VerificationRefusal.discordAccountLinked
        case .userLinkedElsewhere: throw VerificationRefusal.userLinked
        case .emailInUse: throw VerificationRefusal.emailInUse
        }
    }

    /// Withdraws a token that was shown where others could read it; false when it was not waiting.
    public static func withdraw(token: String, db: PostgresConnection) throws -> Bool {
        guard let hash = Onboarding.tokenHash(token) else { return false }
        return try PendingVerificationStore(db).withdraw(tokenHash: hash)
    }
}
