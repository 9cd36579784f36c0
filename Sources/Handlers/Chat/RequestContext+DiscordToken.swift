import CurlHTTP
import DiscordKit
import GuildGateCore

extension RequestContext {
    /// How long checking a token with Discord may take in all, retries included.
    static let tokenCheckBudget: Duration = .seconds(8)
    /// RFC 6750's `b64token`, at a length no Discord token comes near.
    static let maxTokenLength = 512

    /// The guard of `discordToken` routes: the Discord access token in `Authorization: Bearer`, within
    /// its rate limit, checked with Discord (`TokenVerifier`); sets `tokenOwner`. Cookies are not read.
    func verifyDiscordToken() throws {
        let token = try Self.bearerToken(request.header("authorization"))
        let environment = services.environment
        if let seconds = environment.tokenRateLimiter.retryAfter(admitting: TokenDigest(token), now: now) {
            throw HTTPError.tooManyRequests(retryAfterSeconds: seconds, message: "Too many requests with this access token.")
        }
        let discord = environment.discordClient(
            transport: DeadlineTransport(services.http, budget: Self.tokenCheckBudget), logger: logger)
        tokenOwner = try environment.tokenVerifier.verify(token, applicationID: config.discordClientID, now: now) {
            token throws(DiscordError) in try discord.currentAuthorization(accessToken: token)
        }
    }

    /// The owner of the access token the guard checked.
    func verifiedTokenOwner() throws(HTTPError) -> TokenOwner {
        guard let tokenOwner else { throw .unauthorized(Self.bearerHint) }
        return tokenOwner
    }

    private static let bearerHint =
        "Send Authorization: Bearer <Discord OAuth2 access token> (scope identify, from signing in with Discord)."

    /// The token of `Authorization: Bearer <token>`; 401 for no header, another scheme (`Bot …`) or a
    /// malformed token.
    static func bearerToken(_ header: String?) throws(HTTPError) -> String {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { throw .unauthorized(bearerHint) }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=".utf8)
        guard !token.isEmpty, token.utf8.count <= maxTokenLength, token.utf8.allSatisfy(allowed.contains) else {
            throw .unauthorized("The bearer token is malformed. " + bearerHint)
        }
        return token
    }
}
