import Foundation
import GuildGateCore
import Store

/// Admin sign-in (`AdminSignIn`) and the panel; the panel itself grows in later issues.
enum AdminRoutes {
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

    private static func signIn(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.verifyCSRF(fields["csrf_token"])
        let username = fields["username"]?.trimmingCharacters(in: .whitespaces) ?? ""
        switch try AdminSignIn(db: context.db, logger: context.logger).attempt(
            username: username, password: fields["password"] ?? "", remoteAddress: request.remoteAddress, now: context.now)
        {
        case .signedIn(let admin):
            try context.startSession(userID: nil, adminID: admin.id)
            return .redirect(to: "/admin", status: .seeOther)
        case .wrongCredentials:
            return try context.render("admin-login", ["error": "Wrong username or password.", "username": username], status: .unauthorized)
        case .throttled:
            throw HTTPError.tooManyRequests(retryAfterSeconds: Int(AdminSignIn.failureWindow))
        }
    }
}
