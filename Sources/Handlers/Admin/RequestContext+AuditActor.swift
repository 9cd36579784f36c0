import GuildGateCore
import Store

extension RequestContext {
    /// Who the audit log names for this request's changes: the signed-in admin, or `api` for the API token.
    /// Only admin routes ask, so any other caller is refused.
    func auditActor() throws -> AuditActor {
        let caller = try caller()
        if case .apiToken = caller { return .apiToken }
        guard let adminID = caller.session?.adminID, let admin = try AdminStore(db).admin(id: adminID) else {
            throw HTTPError.forbidden("This is for admins: sign in at /admin/login.")
        }
        return .admin(admin.username)
    }
}
