import Foundation
import GuildGateCore
import Handlers
import Store
import Synchronization
import Testing

/// A browser for a `TestApplication`, without nginx or FastCGI: each request is built as guildgate-web
/// builds it from nginx's parameters (lowercase header names, `Content-Length` for a body, the client's
/// address) and answered by `Application.respond` on a database connection of the client's own. Cookies
/// are kept like a browser keeps them; redirects are not followed. A response the application breaks off
/// throws, as a broken transfer does in a real browser.
public final class TestClient: WebClient {
    public let app: TestApplication
    /// The address requests come from; each client has one of its own, so per-address limits count it apart.
    public let remoteAddress: String
    private let services: Services
    private var jar = CookieJar()

    public var cookies: [String: String] { jar.cookies }

    private static let clientCount = Atomic<Int>(0)

    init(_ app: TestApplication) {
        self.app = app
        let number = Self.clientCount.add(1, ordering: .relaxed).newValue
        remoteAddress = "10.0.\(number >> 8 & 255).\(number & 255)"
        services = Services(environment: app.environment)
    }

    /// The application's answer; `pathOrURL` is a path with its query, or an absolute URL under the
    /// application's `WEB_APP_BASE_URL` (a redirect's `Location`).
    public func send(_ method: String, _ pathOrURL: String, headers: [String: String], body: [UInt8]) throws -> Page {
        let base = app.config.webAppBaseURL
        guard pathOrURL.hasPrefix("/") || pathOrURL.hasPrefix(base + "/") else {
            throw TestClientError(description: "a TestClient reaches only its application, not \(pathOrURL)")
        }
        let uri = pathOrURL.hasPrefix("/") ? pathOrURL : String(pathOrURL.dropFirst(base.count))
        var fields = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }) { $1 }
        if !body.isEmpty, fields["content-length"] == nil { fields["content-length"] = String(body.count) }
        if let cookie = jar.header { fields["cookie"] = fields["cookie"].map { $0 + "; " + cookie } ?? cookie }
        let response: Response
        do {
            let request = try Request(
                method: method, requestURI: uri, headers: fields, remoteAddress: remoteAddress, body: BufferedBody(body))
            guard let answer = app.application.respond(to: request, services: services) else {
                throw TestClientError(description: "the application took the client for gone and gave no response")
            }
            response = answer
        } catch let error as HTTPError {
            response = app.application.respond(to: error, rawPath: uri, requestID: nil, services: services)
        }
        jar.remember(from: response.headers)
        return Page(status: response.status.code, fields: response.headers, bytes: try Self.bytes(of: response, method: method))
    }

    /// Signs this client in as a login does (a new session, its cookie kept) without the login's flow:
    /// for tests whose subject is what a signed-in user may do. Returns the session's CSRF token.
    @discardableResult
    public func signIn(userID: Int? = nil, adminID: Int? = nil) throws -> String {
        let started = try app.environment.sessions(services.db).start(
            userID: userID, adminID: adminID, replacing: nil, now: app.clock.date)
        jar.set(app.config.sessionCookieName, started.value)
        return started.session.csrfToken
    }

    /// Signs in as a new member, as a guild member's Discord login does (a user with a Discord account no
    /// other test has); returns the user's id and the session's CSRF token.
    public func signInAsMember(username: String) throws -> (userID: Int, csrf: String) {
        let discordID = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
        let user = try UserStore(services.db).upsertDiscordLogin(discordID: discordID, discordUsername: username)
        return (user.id, try signIn(userID: user.id))
    }

    /// Signs in as a new admin; returns the session's CSRF token.
    @discardableResult
    public func signInAsAdmin() throws -> String {
        let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
        let admins = AdminStore(services.db)
        try admins.upsert(username: username, passwordHash: "none: signed in by the test")
        let admin = try #require(try admins.admin(username: username))
        return try signIn(adminID: admin.id)
    }

    private static func bytes(of response: Response, method: String) throws -> [UInt8] {
        guard method != "HEAD" else { return [] }
        switch response.body {
        case .bytes(let bytes):
            return bytes
        case .stream(let produce):
            let collector = Collector()
            try produce(collector)
            return collector.bytes
        }
    }

}

/// A request the test client cannot make.
public struct TestClientError: Error, CustomStringConvertible {
    public let description: String
}

/// A request body held in memory, read as the web server would stream it.
private final class BufferedBody: RequestBodyStream {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RequestBodyError) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
        }
        offset += count
        return count
    }
}

/// Takes a streamed response body whole.
private final class Collector: ResponseBodyWriter {
    private(set) var bytes: [UInt8] = []

    func write(_ bytes: UnsafeRawBufferPointer) throws(ResponseWriteError) {
        self.bytes.append(contentsOf: bytes)
    }

    func flush() throws(ResponseWriteError) {}
}
