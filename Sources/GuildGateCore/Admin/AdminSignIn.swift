import Foundation
import Logging
import Store

/// Admin sign-in with a password, throttled per username and address. Accounts come from
/// `guildgate-web create-admin`.
public struct AdminSignIn {
    public static let maxFailures = 5
    public static let failureWindow: TimeInterval = 15 * 60

    public enum Outcome {
        case signedIn(Admin)
        case wrongCredentials
        /// Too many recent attempts: try again after `failureWindow`.
        case throttled
    }

    let db: PostgresConnection
    let logger: Logger

    public init(db: PostgresConnection, logger: Logger) {
        self.db = db
        self.logger = logger
    }

    /// The throttle is atomic: an attempt is recorded (and committed) before it is judged, then the committed
    /// attempts are counted, its own included. Of attempts sent in parallel, the k-th to commit counts at
    /// least k, so no more than `maxFailures` reach scrypt however many arrive at once.
    public func attempt(username: String, password: String, remoteAddress: String, now: Date) throws -> Outcome {
        let admins = AdminStore(db)
        let attempt = try admins.recordAttempt(username: username, remoteAddr: remoteAddress)
        let recent = try admins.attempts(username: username, remoteAddr: remoteAddress, since: now.addingTimeInterval(-Self.failureWindow))
        guard recent <= Self.maxFailures else {
            try admins.forgetAttempt(id: attempt)
            logger.warning("admin login throttled", metadata: ["username": "\(LogText.quoted(username))"])
            return .throttled
        }
        let admin = try admins.admin(username: username)
        guard PasswordHasher.verify(password, against: Self.hashToCheck(for: admin)), let admin else {
            logger.notice("admin login failed", metadata: ["username": "\(LogText.quoted(username))"])
            return .wrongCredentials
        }
        try admins.clearAttempts(username: username)
        logger.info("admin signed in", metadata: ["admin_id": "\(admin.id)"])
        return .signedIn(admin)
    }

    /// The hash a password is checked against: the admin's, or for an unknown username one with the current
    /// parameters, so both cost the same scrypt work and the time taken does not tell which usernames exist.
    static func hashToCheck(for admin: Admin?) -> String {
        admin?.passwordHash ?? PasswordHasher.unknownUserHash
    }
}
