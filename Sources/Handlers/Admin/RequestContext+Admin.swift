import GuildGateCore
import Store

extension RequestContext {
    /// Who an admin route acts for, as the audit log names them (the route guard has let only admins in).
    func auditActor() throws -> AuditActor {
        let caller = try caller()
        if case .apiToken = caller { return .apiToken }
        guard let adminID = caller.session?.adminID, let admin = try AdminStore(db).admin(id: adminID) else {
            throw HTTPError.forbidden("This is for admins: sign in at /admin/login.")
        }
        return .admin(admin.username)
    }
}
