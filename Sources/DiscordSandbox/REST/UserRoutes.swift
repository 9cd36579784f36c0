/// Users (docs: `resources/user` "Get Current User").
enum UserRoutes {
    static var routes: [Route] {
        [.discord(.GET, "/users/@me", handler: currentUser)]
    }

    /// The token's user: a Bearer token's OAuth user (email only with the `email` scope) or the bot user.
    @Sendable
    static func currentUser(_ context: RequestContext) async throws -> SandboxResponse {
        switch context.request.authorization {
        case .bot?:
            try context.requireBotToken()
            return .json(context.configuration.botUser.json(includeEmail: true))
        case .bearer(let token)?:
            let now = ContinuousClock.now
            guard let grant = context.state.withLock({ $0.oauth.grant(accessToken: token, now: now) }),
                grant.scopes.contains("identify") || grant.scopes.contains("email")
            else { throw HTTPError.unauthorized }
            return .json(grant.user.json(includeEmail: grant.scopes.contains("email")))
        default:
            throw HTTPError.unauthorized
        }
    }
}
