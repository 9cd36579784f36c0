import Foundation
import Logging
import Store
import GuildGateCore

/// A signed-in (or anonymous) browser, as the session cookie names it.
public struct BrowserSession: Sendable {
    /// The raw id; only the cookie holds it, the database keeps its hash.
    let id: String
    public let idHash: [UInt8]
    public let csrfToken: String
    public let userID: Int?
    public let adminID: Int?
}

/// Everything a handler may use while it answers one request.
public final class RequestContext {
    public let services: Services
    /// The logger with the request's method and path as metadata, made on first use: setting metadata
    /// costs more than answering a simple request, and most requests log nothing.
    public lazy var logger: Logger = {
        var logger = services.environment.logger
        logger[metadataKey: "method"] = "\(request.method)"
        logger[metadataKey: "path"] = "\(request.rawPath)"
        return logger
    }()
    public let request: Request
    /// `Set-Cookie` values to add to the response.
    private(set) var cookies: [String] = []
    private var loadedSession: BrowserSession??
    /// Who is calling, once `caller()` has worked it out (the guard and the handler both ask).
    var loadedCaller: Caller?

    static let sessionLifetime: TimeInterval = 14 * 24 * 3600
    /// A session of nobody (CSRF tokens, OAuth state binding) lives an hour.
    static let anonymousSessionLifetime: TimeInterval = 3600

    /// `__Host-` behind https: the browser then refuses the cookie from a sibling domain or over http.
    var cookieName: String { config.usesHTTPS ? "__Host-gg_session" : "gg_session" }

    init(services: Services, request: Request) {
        self.services = services
        self.request = request
    }

    public var config: AppConfig { services.environment.config }
    public var db: PostgresConnection { services.db }
    public var now: Date { services.environment.clock() }

    /// Renders a page; the layout gets the session's CSRF token and `viewer` (who is signed in: `name`,
    /// `admin`), so every page's header shows the same truth.
    public func render(_ template: String, _ values: [String: Any], status: HTTPStatus = .ok) throws -> Response {
        var context = values
        let session = try session()
        context["csrf_token"] = session?.csrfToken
        context["viewer"] = try session.flatMap(viewer)
        return .html(try services.environment.templates.render(template, context), status: status)
    }

    private func viewer(_ session: BrowserSession) throws -> [String: Any]? {
        if let adminID = session.adminID, let admin = try AdminStore(db).admin(id: adminID) {
            return ["name": admin.username, "admin": true]
        }
        guard let userID = session.userID, let user = try UserStore(db).user(id: userID) else { return nil }
        return ["name": user.discordUsername ?? user.name, "admin": false]
    }

    /// The session named by a valid, correctly signed cookie, if any.
    public func session() throws -> BrowserSession? {
        if let loadedSession { return loadedSession }
        let found = try lookUpSession()
        loadedSession = .some(found)
        return found
    }

    private func lookUpSession() throws -> BrowserSession? {
        guard let cookie = request.cookies[cookieName] else { return nil }
        return try session(fromValue: cookie)
    }

    /// The session a cookie value (`id.signature`) names, also when presented as a bearer token.
    func session(fromValue value: String) throws -> BrowserSession? {
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2,
            Secrets.constantTimeEqual(Array(parts[1].utf8), Array(signature(of: parts[0]).utf8))
        else { return nil }
        let idHash = Secrets.sha256(parts[0])
        guard let stored = try WebSessionStore(db).session(idHash: idHash, now: now) else { return nil }
        return BrowserSession(
            id: parts[0], idHash: idHash, csrfToken: stored.csrfToken, userID: stored.userID, adminID: stored.adminID)
    }

    /// The current session, creating an anonymous one (for CSRF tokens and OAuth state binding) when needed.
    public func ensureSession() throws -> BrowserSession {
        if let existing = try session() { return existing }
        return try startSession(userID: nil, adminID: nil)
    }

    /// Starts a new session (a fresh id, so a login never reuses an id the browser had before).
    @discardableResult
    public func startSession(userID: Int?, adminID: Int?) throws -> BrowserSession {
        let sessions = WebSessionStore(db)
        if let previous = try session() { try sessions.delete(idHash: previous.idHash) }
        // Expired sessions are pruned whenever one starts: no scheduler needed for this table.
        try sessions.deleteExpired(now: now)
        let id = Secrets.randomToken()
        let session = BrowserSession(
            id: id, idHash: Secrets.sha256(id), csrfToken: Secrets.randomToken(), userID: userID, adminID: adminID)
        let lifetime = userID == nil && adminID == nil ? Self.anonymousSessionLifetime : Self.sessionLifetime
        try sessions.create(
            idHash: session.idHash, csrfToken: session.csrfToken, userID: userID, adminID: adminID,
            expiresAt: now.addingTimeInterval(lifetime))
        cookies.append(
            Cookies.setCookie(
                name: cookieName, value: id + "." + signature(of: id), maxAge: Int(lifetime), secure: config.usesHTTPS))
        loadedSession = .some(session)
        loadedCaller = nil
        return session
    }

    public func endSession() throws {
        if let current = try session() { try WebSessionStore(db).delete(idHash: current.idHash) }
        cookies.append(Cookies.setCookie(name: cookieName, value: "", maxAge: 0, secure: config.usesHTTPS))
        loadedSession = .some(nil)
        loadedCaller = nil
    }

    /// Refuses a form whose CSRF token does not match the session's.
    public func verifyCSRF(_ token: String?) throws {
        guard let session = try session(), let token,
            Secrets.constantTimeEqual(Array(token.utf8), Array(session.csrfToken.utf8))
        else {
            throw HTTPError.forbidden("This form has expired or did not come from this site. Reload the page and try again.")
        }
    }

    private func signature(of id: String) -> String {
        Secrets.base64URL(Secrets.hmac(id, key: services.environment.sessionKey))
    }
}
