import Foundation
import Store

/// Admin sign-in. Accounts come from `guildgate-web create-admin`; the panel itself grows in later issues.
enum AdminRoutes {
    static let maxFailures = 5
    static let failureWindow: TimeInterval = 15 * 60

    static func register(on router: inout Router) {
        router.get("/admin/login") { _, context in
            _ = try context.ensureSession()
            return try context.render("admin-login", [:])
        }
        router.post("/admin/login", signIn)
        router.get("/admin") { _, context in
            guard let adminID = try context.session()?.adminID, let admin = try AdminStore(context.db).admin(id: adminID)
            else { return .redirect(to: "/admin/login", status: .seeOther) }
            return try context.render("admin", ["username": admin.username])
        }
    }

    private static func signIn(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.verifyCSRF(fields["csrf_token"])
        let username = fields["username"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let admins = AdminStore(context.db)
        let recentFailures = try admins.failedAttempts(
            username: username, remoteAddr: request.remoteAddress, since: context.now.addingTimeInterval(-failureWindow))
        guard recentFailures < maxFailures else {
            context.logger.warning("admin login throttled", metadata: ["username": "\(username)"])
            throw HTTPError.tooManyRequests(retryAfterSeconds: Int(failureWindow))
        }
        guard let admin = try admins.admin(username: username),
              PasswordHasher.verify(fields["password"] ?? "", against: admin.passwordHash)
        else {
            try admins.recordFailedAttempt(username: username, remoteAddr: request.remoteAddress)
            context.logger.notice("admin login failed", metadata: ["username": "\(username)"])
            return try context.render(
                "admin-login", ["error": "Wrong username or password.", "username": username], status: .unauthorized)
        }
        try admins.clearFailedAttempts(username: username)
        try context.startSession(userID: nil, adminID: admin.id)
        context.logger.info("admin signed in", metadata: ["admin_id": "\(admin.id)"])
        return .redirect(to: "/admin", status: .seeOther)
    }
}
