import CurlHTTP
import DiscordKit
import GuildGateCore
import Store

extension RequestContext {
    /// How long an admin action waits for Discord in all: a slow Discord delays the page or the answer by
    /// this much at most, well within nginx's 60 s.
    static let adminDiscordBudget: Duration = .seconds(8)

    /// Who an admin route acts for, as the audit log names them (the route guard has let only admins in).
    func auditActor() throws -> AuditActor {
        let caller = try caller()
        if case .apiToken = caller { return .apiToken }
        guard let adminID = caller.session?.adminID, let admin = try AdminStore(db).admin(id: adminID) else {
            throw HTTPError.forbidden("This is for admins: sign in at /admin/login.")
        }
        return .admin(admin.username)
    }

    /// A Discord client for work an admin waits on, with the credentials of `config` (the settings in effect
    /// unless given): every request within what is left of `adminDiscordBudget`, none retried.
    func adminDiscord(config: AppConfig? = nil) -> DiscordClient {
        services.environment.discordClient(
            config: config ?? self.config, transport: DeadlineTransport(services.http, budget: Self.adminDiscordBudget), logger: logger,
            retryPolicy: .never)
    }
}
