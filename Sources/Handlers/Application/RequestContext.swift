import Foundation
import GuildGateCore
import Logging
import Store

/// Everything a handler may use while it answers one request.
public final class RequestContext {
    public let services: Services
    /// The logger with the request's id, method and path as metadata, made on first use: setting metadata
    /// costs more than answering a simple request, and most requests log nothing.
    public lazy var logger: Logger = {
        var logger = services.environment.logger
        logger[metadataKey: "request_id"] = "\(request.requestID)"
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
    /// Whose Discord access token a `discordToken` route was called with, once the guard has checked it.
    var tokenOwner: TokenOwner?

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
        guard let cookie = request.cookies[config.sessionCookieName] else { return nil }
        return try session(fromValue: cookie)
    }

    /// The session a cookie value (`id.signature`) names, also when presented as a bearer token.
    func session(fromValue value: String) throws -> BrowserSession? {
        try sessions.session(fromValue: value, now: now)
    }

    private var sessions: Sessions { services.environment.sessions(db) }

    /// The current session, creating an anonymous one (for CSRF tokens and OAuth state binding) when needed.
    public func ensureSession() throws -> BrowserSession {
        if let existing = try session() { return existing }
        return try startSession(userID: nil, adminID: nil)
    }

    /// Starts a new session (a fresh id, so a login never reuses an id the browser had before).
    @discardableResult
    public func startSession(userID: Int?, adminID: Int?) throws -> BrowserSession {
        let started = try sessions.start(userID: userID, adminID: adminID, replacing: try session(), now: now)
        cookies.append(
            Cookies.setCookie(name: config.sessionCookieName, value: started.value, maxAge: Int(started.lifetime), secure: config.usesHTTPS)
        )
        loadedSession = .some(started.session)
        loadedCaller = nil
        return started.session
    }

    public func endSession() throws {
        if let current = try session() { try sessions.end(current) }
        cookies.append(Cookies.setCookie(name: config.sessionCookieName, value: "", maxAge: 0, secure: config.usesHTTPS))
        loadedSession = .some(nil)
        loadedCaller = nil
    }

    /// Refuses a form whose CSRF token does not match the session's.
    public func verifyCSRF(_ token: String?) throws {
        guard let session = try session(), session.hasCSRFToken(token) else {
            throw HTTPError.forbidden("This form has expired or did not come from this site. Reload the page and try again.")
        }
    }
}
