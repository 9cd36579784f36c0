import WireFormats

/// The OAuth2 authorization-code flow (docs: `topics/oauth2` "Authorization Code Grant"–1.4).
enum OAuthRoutes {
    static var routes: [Route] {
        [
            .browserPage(.GET, "/oauth2/authorize", handler: authorize),
            .discord(.POST, "/oauth2/token", alsoUnversioned: true, handler: token),
        ]
    }

    /// The consent screen, answered at once as the configured mode says: a 302 back to `redirect_uri`
    /// with `code` and `state`, or with `error=access_denied` when the user cancels.
    @Sendable
    static func authorize(_ context: RequestContext) async throws -> SandboxResponse {
        let query = context.request.query
        guard let clientID = query["client_id"] else { throw HTTPError.requiredField("client_id") }
        guard !clientID.isEmpty, clientID.count <= 20, clientID.allSatisfy(\.isASCIIDigit) else {
            throw HTTPError.invalidFormBody(
                field: "client_id",
                code: "NUMBER_TYPE_COERCE",
                message: "Value \"\(clientID)\" is not snowflake."
            )
        }
        guard clientID == context.configuration.clientID else {
            throw HTTPError(.badRequest, discordMessage: "Unknown Application", code: 10002)
        }
        guard let responseType = query["response_type"] else { throw HTTPError.requiredField("response_type") }
        guard responseType == "code" else {
            throw HTTPError.invalidFormBody(
                field: "response_type",
                code: "ENUM_TYPE_COERCE",
                message: "Value \"\(responseType)\" is not a supported response type."
            )
        }
        guard let redirectURI = query["redirect_uri"] else { throw HTTPError.requiredField("redirect_uri") }
        guard isHTTPURL(redirectURI) else {
            throw HTTPError.invalidFormBody(field: "redirect_uri", code: "URL_TYPE_INVALID_URL", message: "Not a well formed URL.")
        }
        let scopes = (query["scope"] ?? "").split(separator: " ").map(String.init)
        guard !scopes.isEmpty else { throw HTTPError.requiredField("scope") }
        // PKCE (RFC 7636): Discord accepts only S256. The sandbox requires it on every flow, stricter
        // than Discord (where it is optional), so a flow without it fails in tests.
        guard let codeChallenge = query["code_challenge"] else { throw HTTPError.requiredField("code_challenge") }
        guard query["code_challenge_method"] == "S256" else {
            throw HTTPError.invalidFormBody(
                field: "code_challenge_method", code: "ENUM_TYPE_COERCE", message: "Value must be \"S256\"."
            )
        }
        guard PKCEVerifier.isWellFormedChallenge(codeChallenge) else {
            throw HTTPError.invalidFormBody(
                field: "code_challenge", code: "BASE_TYPE_BAD_LENGTH", message: "Must be a base64url SHA-256 digest (43 characters)."
            )
        }

        var parameters: [(String, String)]
        let now = ContinuousClock.now
        let code: String? = context.state.withLock { parts in
            switch parts.oauth.consent {
            case .approve:
                parts.oauth.issueCode(redirectURI: redirectURI, scopes: scopes, codeChallenge: codeChallenge, now: now)
            case .deny: nil
            }
        }
        if let code {
            parameters = [("code", code)]
        } else {
            parameters = [
                ("error", "access_denied"),
                ("error_description", "The resource owner or authorization server denied the request"),
            ]
        }
        if let state = query["state"] { parameters.append(("state", state)) }
        return .redirect(to: appendingQuery(FormEncoding.encode(parameters, spaceAsPlus: true), to: redirectURI))
    }

    /// `POST /oauth2/token`: form-encoded only; client authentication by HTTP Basic or form fields.
    @Sendable
    static func token(_ context: RequestContext) async throws -> SandboxResponse {
        let form = try clientForm(context)
        let now = ContinuousClock.now
        let grant: OAuthGrant
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"] else { throw HTTPError.oauth("invalid_request", description: "Missing \"code\" in request.") }
            grant = try exchange { () throws(GrantError) in
                try context.state.withLock { parts throws(GrantError) in
                    try parts.oauth.redeem(
                        code: code, redirectURI: form["redirect_uri"], codeVerifier: form["code_verifier"], now: now
                    )
                }
            }
        case "refresh_token":
            guard let refreshToken = form["refresh_token"] else {
                throw HTTPError.oauth("invalid_request", description: "Missing \"refresh_token\" in request.")
            }
            grant = try exchange { () throws(GrantError) in
                try context.state.withLock { parts throws(GrantError) in
                    try parts.oauth.refresh(refreshToken: refreshToken, now: now)
                }
            }
        case "client_credentials":
            // A token for the application's owner, without a refresh token (docs: topics/oauth2,
            // "Client Credentials Grant").
            let scopes = (form["scope"] ?? "").split(separator: " ").map(String.init)
            guard !scopes.isEmpty else { throw HTTPError.oauth("invalid_scope", description: "Missing \"scope\" in request.") }
            let grant = context.state.withLock { $0.oauth.clientCredentialsGrant(scopes: scopes, now: now) }
            var response = SandboxResponse.json([
                "access_token": .string(grant.accessToken),
                "token_type": "Bearer",
                "expires_in": .int(Int(OAuthGrant.lifetime.components.seconds)),
                "scope": .string(grant.scope),
            ])
            response.headers.add(name: "Cache-Control", value: "no-store")
            return response
        case nil:
            throw HTTPError.oauth("invalid_request", description: "Missing \"grant_type\" in request.")
        default:
            throw HTTPError.oauth("unsupported_grant_type")
        }

        var response = SandboxResponse.json([
            "access_token": .string(grant.accessToken),
            "token_type": "Bearer",
            "expires_in": .int(Int(OAuthGrant.lifetime.components.seconds)),
            "refresh_token": .string(grant.refreshToken),
            "scope": .string(grant.scope),
        ])
        response.headers.add(name: "Cache-Control", value: "no-store")
        response.headers.add(name: "Pragma", value: "no-cache")
        return response
    }

    /// The form body of a request to the token or revocation endpoint, from an authenticated client: only
    /// `application/x-www-form-urlencoded` (docs: `topics/oauth2` "Shared Resources"); client authentication
    /// by HTTP Basic or `client_id`/`client_secret` fields, else 401 `invalid_client`.
    static func clientForm(_ context: RequestContext) throws(HTTPError) -> FormFields {
        let request = context.request
        guard request.mediaType == "application/x-www-form-urlencoded" else {
            throw HTTPError.oauth(
                "invalid_request",
                description: "Content-Type must be application/x-www-form-urlencoded."
            )
        }
        guard let form = FormFields(parsing: Array(request.body.readableBytesView)) else {
            throw HTTPError.oauth("invalid_request", description: "Malformed form body: a bad percent-escape, or not UTF-8.")
        }
        try authenticateClient(request.authorization, form: form, configuration: context.configuration)
        return form
    }

    private static func authenticateClient(
        _ authorization: Authorization?,
        form: FormFields,
        configuration: SandboxConfiguration
    ) throws(HTTPError) {
        let credentials: Authorization.ClientCredentials?
        if case .basic(let basic)? = authorization {
            credentials = basic
        } else if let clientID = form["client_id"], let clientSecret = form["client_secret"] {
            credentials = Authorization.ClientCredentials(clientID: clientID, clientSecret: clientSecret)
        } else {
            credentials = nil
        }
        guard let credentials, credentials.clientID == configuration.clientID,
            credentials.clientSecret == configuration.clientSecret
        else {
            throw HTTPError.oauth("invalid_client", status: .unauthorized)
        }
    }

    /// Maps a refused exchange to the bodies Discord sends for it.
    private static func exchange(_ body: () throws(GrantError) -> OAuthGrant) throws(HTTPError) -> OAuthGrant {
        do {
            return try body()
        } catch {
            switch error {
            case .invalidCode:
                throw HTTPError.oauth("invalid_grant", description: "Invalid \"code\" in request.")
            case .redirectURIMismatch:
                throw HTTPError.oauth("invalid_grant", description: "Invalid \"redirect_uri\" in request.")
            case .invalidCodeVerifier:
                throw HTTPError.oauth("invalid_grant", description: "Invalid \"code_verifier\" in request.")
            case .invalidRefreshToken:
                throw HTTPError.oauth("invalid_grant", description: "Invalid \"refresh_token\" in request")
            }
        }
    }

    /// The sandbox accepts any absolute http(s) redirect URI (Discord accepts only registered ones).
    private static func isHTTPURL(_ string: String) -> Bool {
        let lowercased = string.lowercased()
        for scheme in ["http://", "https://"] where lowercased.hasPrefix(scheme) {
            let host = lowercased.dropFirst(scheme.count).prefix { !"/?#".contains($0) }
            return !host.isEmpty && !string.contains(where: { $0 == " " || $0.isNewline })
        }
        return false
    }

    /// Adds form-encoded parameters to a URL's query, before any fragment.
    private static func appendingQuery(_ query: String, to url: String) -> String {
        let fragmentStart = url.firstIndex(of: "#") ?? url.endIndex
        let base = url[..<fragmentStart]
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return base + separator + query + url[fragmentStart...]
    }
}

extension HTTPError {
    static func requiredField(_ field: String) -> HTTPError {
        .invalidFormBody(field: field, code: "BASE_TYPE_REQUIRED", message: "This field is required")
    }
}
