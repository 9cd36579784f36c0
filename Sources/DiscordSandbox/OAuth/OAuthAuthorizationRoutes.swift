import Crypto
import JSONSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a user's bearer token stands for, and ending it (docs: `topics/oauth2` "Get Current Authorization
/// Information", "Token Revocation Example"; RFC 7009).
enum OAuthAuthorizationRoutes {
    static var routes: [Route] {
        [
            .discord(.GET, "/oauth2/@me", alsoUnversioned: true, handler: currentAuthorization),
            .discord(.POST, "/oauth2/token/revoke", alsoUnversioned: true, handler: revoke),
        ]
    }

    /// `{"application", "scopes", "expires", "user"?}`, `user` only with the `identify` scope. A bot token, no
    /// token, or an unknown, expired or revoked one → 401.
    @Sendable
    static func currentAuthorization(_ context: RequestContext) async throws -> SandboxResponse {
        guard case .bearer(let token)? = context.request.authorization else { throw HTTPError.unauthorized }
        let now = ContinuousClock.now
        guard let grant = context.state.withLock({ $0.oauth.grant(accessToken: token, now: now) }) else {
            throw HTTPError.unauthorized
        }
        let expires = Date().addingTimeInterval(Double((grant.expiresAt - now).components.seconds))
        var fields: [(String, JSON)] = [
            ("application", application(context.configuration)),
            ("scopes", .array(grant.scopes.map(JSON.string))),
            ("expires", .string(Snowflake.timestamp(expires))),
        ]
        if grant.scopes.contains("identify") { fields.append(("user", grant.user.publicJSON)) }
        return .json(.object(fields))
    }

    /// `token` (access or refresh) and an optional `token_type_hint`, from an authenticated client → 200. The
    /// authorization ends at once, both of its tokens; an unknown token is 200 too (RFC 7009 §2.2).
    @Sendable
    static func revoke(_ context: RequestContext) async throws -> SandboxResponse {
        let form = try OAuthRoutes.clientForm(context)
        guard let token = form["token"] else { throw HTTPError.oauth("invalid_request", description: "Missing \"token\" in request.") }
        if let hint = form["token_type_hint"], !["access_token", "refresh_token"].contains(hint) {
            throw HTTPError.oauth("unsupported_token_type")
        }
        let known = context.state.withLock { $0.oauth.revoke(token: token) }
        context.logger.info("OAuth token revocation", metadata: ["known": "\(known)"])
        return .json([:])
    }

    /// The partial application object of the docs' example.
    private static func application(_ configuration: SandboxConfiguration) -> JSON {
        [
            "id": .string(configuration.clientID),
            "name": "Sandbox Application",
            "icon": .null,
            "description": "",
            "hook": true,
            "bot_public": true,
            "bot_require_code_grant": false,
            "verify_key": .string(Hex.encode(SHA256.hash(data: Array(configuration.clientID.utf8)))),
        ]
    }
}
