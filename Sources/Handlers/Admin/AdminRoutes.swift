import Foundation
import Store

/// Admin sign-in. Accounts come from `guildgate-web create-admin`; the panel itself grows in later issues.
enum AdminRoutes {
    static let maxFailures = 5
    static let failureWindow: TimeInterval = 15 * 60

    static func register(on router: inout Router) {
        router.get("/admin/login", .anyone) { _, context in
            _ = try context.ensureSession()
            return try context.render("admin-login", [:])
        }
        router.post("/admin/login", .anyone, csrf: .formField, signIn)
        router.get("/admin", .admin) { _, context in
            guard let adminID = try context.session()?.adminID, let admin = try AdminStore(context.db).admin(id: adminID)
            else { return .redirect(to: "/admin/login", status: .seeOther) }
            return try context.render("admin", ["username": admin.username])
        }
    }

    /// The throttle is atomic: an attempt is recorded (and committed) before it is judged, then the committed
    /// attempts are counted, its own included. Of attempts sent in parallel, the k-th to commit counts at
    /// least k, so no more than `maxFailures` reach scrypt however many arrive at once.
    private static func signIn(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.verifyCSRF(fields["csrf_token"])
        let username = fields["username"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let admins = AdminStore(context.db)
        let attempt = try admins.recordAttempt(username: username, remoteAddr: request.remoteAddress)
        let recent = try admins.attempts(
            username: username, remoteAddr: request.remoteAddress, since: context.now.addingTimeInterval(-failureWindow))
        guard recent <= maxFailures else {
            try admins.forgetAttempt(id: attempt)
            context.logger.warning("admin login throttled", metadata: ["username": "\(LogText.quoted(username))"])
            throw HTTPError.tooManyRequests(retryAfterSeconds: Int(failureWindow))
        }
        let admin = try admins.admin(username: username)
        guard PasswordHasher.verify(fields["password"] ?? "", against: hashToCheck(for: admin)), let admin else {
            context.logger.notice("admin login failed", metadata: ["username": "\(LogText.quoted(username))"])
            return try context.render(
                "admin-login", ["error": "Wrong username or password.", "username": username], status: .unauthorized)
        }
        try admins.clearAttempts(username: username)
        try context.startSession(userID: nil, adminID: admin.id)
        context.logger.info("admin signed in", metadata: ["admin_id": "\(admin.id)"])
        return .redirect(to: "/admin", status: .seeOther)
    }

    /// The hash a password is checked against: the admin's, or for an unknown username one with the current
    /// parameters, so both cost the same scrypt work and the time taken does not tell which usernames exist.
    static func hashToCheck(for admin: Admin?) -> String {
        admin?.passwordHash ?? PasswordHasher.unknownUserHash
    }
}
