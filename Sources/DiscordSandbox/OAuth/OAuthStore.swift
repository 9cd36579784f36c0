/// Whether the simulated user clicks "Authorize" or "Cancel" on the consent screen.
enum ConsentMode: String, Sendable, Decodable {
    case approve
    case deny
}

/// A code handed out by `/oauth2/authorize`, waiting to be exchanged.
struct AuthorizationCode: Sendable {
    let user: SandboxUser
    let redirectURI: String
    let scopes: [String]
    /// The PKCE S256 challenge the authorize request carried.
    let codeChallenge: String
    let expiresAt: ContinuousClock.Instant
}

/// An access token with its refresh token, as the token endpoint returns it.
struct OAuthGrant: Sendable {
    static let lifetime = Duration.seconds(604_800)

    let user: SandboxUser
    let scopes: [String]
    let accessToken: String
    let refreshToken: String
    let expiresAt: ContinuousClock.Instant

    var scope: String { scopes.joined(separator: " ") }
}

enum GrantError: Error {
    case invalidCode
    case redirectURIMismatch
    case invalidCodeVerifier
    case invalidRefreshToken
}

/// The OAuth2 side of the sandbox: who is "logged in", what they answer, and every code and token.
struct OAuthStore: Sendable {
    static let defaultCodeLifetime = Duration.seconds(100)

    /// Codes issued from now on belong to this user.
    var user = SandboxUser.defaultTestUser
    var consent = ConsentMode.approve
    var codeLifetime = OAuthStore.defaultCodeLifetime

    private var codes: [String: AuthorizationCode] = [:]
    private var grantsByAccessToken: [String: OAuthGrant] = [:]
    private var accessTokensByRefreshToken: [String: String] = [:]

    mutating func issueCode(redirectURI: String, scopes: [String], codeChallenge: String, now: ContinuousClock.Instant) -> String {
        codes = codes.filter { $0.value.expiresAt > now }
        let code = RandomToken.make()
        codes[code] = AuthorizationCode(
            user: user,
            redirectURI: redirectURI,
            scopes: scopes,
            codeChallenge: codeChallenge,
            expiresAt: now + codeLifetime
        )
        return code
    }

    /// Exchanges a code: single use, so a redeemed code is gone. A wrong `redirect_uri` fails
    /// without using the code up; a `code_verifier` that does not match the challenge uses it up.
    mutating func redeem(code: String, redirectURI: String?, codeVerifier: String?, now: ContinuousClock.Instant)
        throws(GrantError) -> OAuthGrant
    {
        guard let issued = codes[code], issued.expiresAt > now else {
            codes[code] = nil
            throw .invalidCode
        }
        guard redirectURI == issued.redirectURI else { throw .redirectURIMismatch }
        guard let codeVerifier, PKCEVerifier.matches(codeVerifier, challenge: issued.codeChallenge) else {
            codes[code] = nil
            throw .invalidCodeVerifier
        }
        codes[code] = nil
        return issueGrant(user: issued.user, scopes: issued.scopes, now: now)
    }

    /// Rotates both tokens: the old access and refresh tokens stop working.
    mutating func refresh(refreshToken: String, now: ContinuousClock.Instant) throws(GrantError) -> OAuthGrant {
        guard let accessToken = accessTokensByRefreshToken.removeValue(forKey: refreshToken),
            let old = grantsByAccessToken.removeValue(forKey: accessToken)
        else { throw .invalidRefreshToken }
        return issueGrant(user: old.user, scopes: old.scopes, now: now)
    }

    /// A token for the application's owner (the client credentials grant): bearer only, no refresh token.
    mutating func clientCredentialsGrant(scopes: [String], now: ContinuousClock.Instant) -> OAuthGrant {
        let owner = SandboxUser(id: SandboxGuild.ownerID, username: "sandbox_owner", globalName: nil, email: nil)
        let grant = issueGrant(user: owner, scopes: scopes, now: now)
        accessTokensByRefreshToken[grant.refreshToken] = nil
        return grant
    }

    func grant(accessToken: String, now: ContinuousClock.Instant) -> OAuthGrant? {
        grantsByAccessToken[accessToken].flatMap { $0.expiresAt > now ? $0 : nil }
    }

    /// Token revocation (RFC 7009): the access or refresh token's authorization ends, both its tokens with
    /// it whichever was given. Returns whether the token was known.
    @discardableResult
    mutating func revoke(token: String) -> Bool {
        let accessToken = grantsByAccessToken[token] == nil ? accessTokensByRefreshToken[token] : token
        guard let accessToken, let grant = grantsByAccessToken.removeValue(forKey: accessToken) else { return false }
        accessTokensByRefreshToken[grant.refreshToken] = nil
        return true
    }

    /// A new access and refresh token for `user`.
    mutating func issueGrant(user: SandboxUser, scopes: [String], now: ContinuousClock.Instant) -> OAuthGrant {
        let grant = OAuthGrant(
            user: user,
            scopes: scopes,
            accessToken: RandomToken.make(),
            refreshToken: RandomToken.make(),
            expiresAt: now + OAuthGrant.lifetime
        )
        grantsByAccessToken[grant.accessToken] = grant
        accessTokensByRefreshToken[grant.refreshToken] = grant.accessToken
        return grant
    }
}

/// Random alphanumeric strings shaped like Discord's codes and tokens.
enum RandomToken {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func make(length: Int = 30) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
