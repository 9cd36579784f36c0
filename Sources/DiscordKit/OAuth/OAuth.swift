import CurlHTTP
import JSONSupport
import WireFormats
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The answer of the token endpoint. Descriptions never show the tokens.
public struct OAuthToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessToken: String
    /// `Bearer`.
    public var tokenType: String
    /// Seconds until the access token expires (604800 = 7 days); 0 when Discord did not say.
    public var expiresIn: Int
    public var refreshToken: String?
    /// The granted scopes (the response's space-separated `scope`).
    public var scopes: [String]

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int = 0, refreshToken: String? = nil, scopes: [String] = []) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.scopes = scopes
    }

    public var description: String {
        "OAuthToken(tokenType: \(tokenType), expiresIn: \(expiresIn), refreshToken: \(DiscordConfiguration.redacted(refreshToken)), "
            + "scopes: \(scopes.joined(separator: " ")))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessToken": "<redacted>", "tokenType": tokenType, "expiresIn": expiresIn,
                "refreshToken": DiscordConfiguration.redacted(refreshToken), "scopes": scopes,
            ])
    }
}

/// Why signing in with Discord failed, precise enough for the callback to pick its error page.
public enum OAuthError: Error, Equatable, CustomStringConvertible {
    /// No client id or client secret is configured.
    case notConfigured
    /// The token endpoint answered non-2xx: `error` is the RFC 6749 code (`invalid_grant` for a used or
    /// expired code, or a `redirect_uri` that differs from the authorize request; `invalid_client`).
    case exchangeRejected(status: Int, error: String?, description: String?)
    /// The token endpoint answered 2xx without a non-empty `access_token`.
    case noAccessToken
    /// `GET /users/@me` answered non-2xx or a body that is not a user.
    case userInfoFailed(status: Int?, reason: String)
    /// `GET /users/@me` answered a user without a non-empty `id`.
    case noUserID
    /// Discord asks to wait before trying again.
    case rateLimited(retryAfter: Duration)
    /// Discord could not be reached.
    case transport(HTTPClientError)

    public var description: String {
        switch self {
        case .notConfigured:
            return "Discord sign-in is not configured: set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET."
        case .exchangeRejected(let status, let error, let description):
            var text = "Discord's token endpoint refused the code (\(status)"
            if let error { text += ", \(error)" }
            text += ")"
            if let description { text += ": \(description)" }
            if error == "invalid_grant" {
                text += ". The code was already used or expired, or DISCORD_REDIRECT_URI differs from the authorize request"
            } else if error == "invalid_client" || status == 401 {
                text += ". Check DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET"
            }
            return text + "."
        case .noAccessToken:
            return "Discord's token endpoint answered without an access token."
        case .userInfoFailed(let status, let reason):
            return "Discord did not return the user (\(status.map(String.init) ?? "no status")): \(reason)."
        case .noUserID:
            return "Discord returned a user without an id."
        case .rateLimited(let retryAfter):
            return "Discord is rate limiting sign-ins; try again in \(DiscordError.format(retryAfter)) s."
        case .transport(let error):
            return "Discord could not be reached: \(error.description)"
        }
    }
}

extension DiscordClient {
    /// Exchanges the authorization `code` from the callback for tokens (`POST {apiBase}/oauth2/token`,
    /// form-encoded, client authenticated with HTTP Basic). `redirectURI` must be the one used in the
    /// authorize URL, `codeVerifier` the PKCE verifier whose challenge it carried. The code is single-use,
    /// so a POST that may have reached Discord is never retried.
    public func exchangeCode(_ code: String, redirectURI: String, codeVerifier: String) throws(OAuthError) -> OAuthToken {
        try tokenRequest([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", codeVerifier),
        ])
    }

    /// Whether the token endpoint accepts the client id and secret: a `client_credentials` grant for
    /// `identify` (a token for the application's owner, which is discarded). `.exchangeRejected` with
    /// `invalid_client` means a wrong secret.
    public func verifyClientCredentials() throws(OAuthError) {
        _ = try tokenRequest([("grant_type", "client_credentials"), ("scope", "identify")])
    }

    /// Trades a refresh token for new tokens; store the returned refresh token (it may change).
    public func refreshToken(_ refreshToken: String) throws(OAuthError) -> OAuthToken {
        try tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    /// The user an access token belongs to (`GET /users/@me` with `Bearer`).
    public func currentUser(accessToken: String) throws(OAuthError) -> DiscordUser {
        let route = Route(.get, "/users/@me")
        let response: HTTPResponse
        do {
            response = try perform(route, url: configuration.apiBase + route.path, body: .empty, authorization: .bearer(accessToken))
        } catch {
            throw Self.oauthError(error)
        }
        guard response.isSuccess else {
            let reason: String
            if case .api(_, _, let message) = DiscordError.from(response) { reason = message } else { reason = "HTTP \(response.status)" }
            logger.notice("discord user lookup refused", metadata: ["discord.status": "\(response.status)"])
            throw .userInfoFailed(status: response.status, reason: reason)
        }
        guard let object = JSON.parse(response.body)?.object else {
            throw .userInfoFailed(status: response.status, reason: "the body is not a JSON object")
        }
        guard let id = object["id"]?.string, !id.isEmpty else { throw .noUserID }
        do {
            return try JSONDecoder().decode(DiscordUser.self, from: Data(response.body))
        } catch {
            throw .userInfoFailed(status: response.status, reason: "the user object is incomplete (\(error))")
        }
    }

    private func tokenRequest(_ fields: [(name: String, value: String)]) throws(OAuthError) -> OAuthToken {
        guard let clientID = configuration.clientID, let secret = configuration.clientSecret else { throw .notConfigured }
        let route = Route(.post, "/oauth2/token")
        let response: HTTPResponse
        do {
            response = try perform(
                route, url: configuration.tokenURL, body: .form(fields),
                authorization: Authorization(kind: .basic(clientID: clientID, secret: secret)))
        } catch {
            throw Self.oauthError(error)
        }
        let json = JSON.parse(response.body)
        guard response.isSuccess else {
            let error = json?["error"]?.string
            let description = json?["error_description"]?.string ?? json?["message"]?.string
            logger.notice(
                "discord token request refused",
                metadata: [
                    "discord.status": "\(response.status)", "oauth.error": "\(error ?? "none")",
                ])
            throw .exchangeRejected(status: response.status, error: error, description: description)
        }
        guard let object = json?.object, let accessToken = object["access_token"]?.string, !accessToken.isEmpty else {
            throw .noAccessToken
        }
        return OAuthToken(
            accessToken: accessToken,
            tokenType: object["token_type"]?.string ?? "Bearer",
            expiresIn: object["expires_in"]?.integer ?? 0,
            refreshToken: object["refresh_token"]?.string.flatMap { $0.isEmpty ? nil : $0 },
            scopes: (object["scope"]?.string ?? "").split(separator: " ").map(String.init))
    }

    private static func oauthError(_ failure: Failure) -> OAuthError {
        switch failure {
        case .notConfigured: return .notConfigured
        case .transport(let error): return .transport(error)
        case .rateLimited(let retryAfter, _), .banned(let retryAfter): return .rateLimited(retryAfter: retryAfter)
        }
    }
}

/// The browser URL that asks a user to authorize GuildGate (authorization-code grant).
public enum OAuthAuthorizeURL {
    /// `{authorizeURL}?response_type=code&client_id=…&scope=identify&state=…&redirect_uri=…&code_challenge=…
    /// &code_challenge_method=S256[&prompt=…]`.
    /// - Parameters:
    ///   - authorizeURL: `https://discord.com/oauth2/authorize` or the sandbox's.
    ///   - state: an unguessable value bound to the browser session; it comes back to the callback unchanged.
    ///   - codeChallenge: the PKCE S256 challenge of the verifier the code exchange will send (RFC 7636).
    public static func build(
        authorizeURL: String = "https://discord.com/oauth2/authorize", clientID: String, redirectURI: String,
        scopes: [String], state: String, codeChallenge: String, prompt: OAuthPrompt? = nil
    ) -> String {
        var fields: [(name: String, value: String)] = [
            ("response_type", "code"), ("client_id", clientID), ("scope", scopes.joined(separator: " ")),
            ("state", state), ("redirect_uri", redirectURI),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ]
        if let prompt { fields.append(("prompt", prompt.rawValue)) }
        return FormEncoding.appendQuery(fields, to: authorizeURL)
    }
}

/// Whether Discord shows its consent screen again.
public enum OAuthPrompt: String, Sendable {
    /// Always ask.
    case consent
    /// Skip the screen if the user already authorized these scopes (`prompt=none`).
    case skipIfAuthorized = "none"
}
