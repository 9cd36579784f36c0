import Foundation
import GuildGateTesting
import Store
import Testing

/// An admin calling the admin panel in-process: signed in with a browser session (its CSRF token sent as
/// the API and the forms want it), or a script with the API token.
struct AdminClient {
    let browser: TestClient
    /// The session's CSRF token; nil for the API token.
    let csrf: String?
    /// The username the audit log names (`admin:<name>`), or `api`.
    let actor: String
    private let authorization: [String: String]

    /// A new admin signed in on a browser of their own.
    static func signedIn(_ app: TestApplication) throws -> AdminClient {
        let browser = app.client()
        let csrf = try browser.signInAsAdmin()
        let username = try #require(
            try app.database().query(
                "SELECT a.username FROM admins a JOIN web_sessions s ON s.admin_id = a.id WHERE s.csrf_token = $1", [csrf]
            ).first?["username"])
        return AdminClient(browser: browser, csrf: csrf, actor: "admin:\(username)", authorization: [:])
    }

    /// A script with `GUILDGATE_API_TOKEN`.
    static func apiToken(_ app: TestApplication) throws -> AdminClient {
        AdminClient(
            browser: app.client(), csrf: nil, actor: "api",
            authorization: ["Authorization": "Bearer \(try #require(app.config.apiToken))"])
    }

    func get(_ path: String) throws -> Page {
        try browser.get(path, headers: authorization)
    }

    /// A JSON API call, with the CSRF header when signed in.
    func send(_ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]) throws -> Page {
        var all = authorization.merging(headers) { $1 }
        if let csrf { all["X-CSRF-Token"] = csrf }
        if json != nil, all["Content-Type"] == nil { all["Content-Type"] = "application/json" }
        return try browser.send(method, path, headers: all, body: Array((json ?? "").utf8))
    }

    /// A form of an admin page, with the session's CSRF token.
    func submit(_ path: String, _ form: [String: String] = [:]) throws -> Page {
        var fields = form
        fields["csrf_token"] = csrf
        return try browser.post(path, form: fields)
    }
}

/// The newest audit rows about `target`, as the admin panel recorded them.
func auditRows(_ db: PostgresConnection, target: String) throws -> [AuditEntry] {
    try AuditLogStore(db).recent(limit: 20, target: target)
}

/// A Discord id no other test uses.
func uniqueSnowflake() -> String {
    String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
}
