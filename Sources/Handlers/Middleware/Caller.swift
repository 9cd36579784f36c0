import GuildGateCore

/// Who a request acts for, and how it proved it.
public enum Caller {
    /// `Authorization: Bearer $GUILDGATE_API_TOKEN`: the machine credential, with admin rights.
    case apiToken
    /// A session value sent as `Authorization: Bearer`: no browser adds that header by itself.
    case bearerSession(BrowserSession)
    /// The session cookie, which a browser sends with any request, also one started by another site.
    case cookieSession(BrowserSession)
    case anonymous

    public var session: BrowserSession? {
        switch self {
        case .bearerSession(let session), .cookieSession(let session): return session
        case .apiToken, .anonymous: return nil
        }
    }

    public var isAdmin: Bool {
        if case .apiToken = self { return true }
        return session?.adminID != nil
    }

    public var userID: Int? { session?.userID }

    /// Someone who may use the website: a signed-in user (only guild members get a user session), an admin,
    /// or the API token.
    public var isMember: Bool { isAdmin || userID != nil }

    /// Whether a state change must carry the session's CSRF token.
    var needsCSRFToken: Bool {
        if case .cookieSession = self { return true }
        return false
    }
}

extension RequestContext {
    /// The caller: `Authorization: Bearer` (the API token or a session value; any other bearer is refused),
    /// else the session cookie. Other schemes (`Basic`) authenticate nothing and are ignored.
    public func caller() throws -> Caller {
        if let loadedCaller { return loadedCaller }
        let caller = try identifyCaller()
        loadedCaller = caller
        return caller
    }

    private func identifyCaller() throws -> Caller {
        if let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") {
            let presented = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
            if let token = config.apiToken, Secrets.constantTimeEqual(Array(presented.utf8), Array(token.utf8)) {
                return .apiToken
            }
            guard let session = try session(fromValue: presented) else {
                throw HTTPError.unauthorized("The bearer token is neither the API token nor a valid session.")
            }
            return .bearerSession(session)
        }
        return try session().map(Caller.cookieSession) ?? .anonymous
    }

    /// For a state change: a caller authenticated by the cookie must send the session's CSRF token
    /// (`X-CSRF-Token` header, or the form's `csrf_token` when given as `formToken`).
    public func requireCSRF(_ caller: Caller, formToken: String? = nil) throws {
        guard caller.needsCSRFToken else { return }
        try verifyCSRF(formToken ?? request.header("x-csrf-token"))
    }
}
