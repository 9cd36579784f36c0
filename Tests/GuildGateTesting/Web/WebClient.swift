import WireFormats

/// A client of GuildGate's web application that keeps cookies and never follows redirects: `Browser`
/// through nginx, `TestClient` in this process. Tests and their helpers written against it run on either.
public protocol WebClient: AnyObject {
    /// The cookies the application set, by name.
    var cookies: [String: String] { get }

    /// Sends a request to a path of the application (or an absolute URL) and returns the response.
    func send(_ method: String, _ pathOrURL: String, headers: [String: String], body: [UInt8]) throws -> Page
}

extension WebClient {
    public func send(_ method: String, _ pathOrURL: String, body: [UInt8]) throws -> Page {
        try send(method, pathOrURL, headers: [:], body: body)
    }

    public func get(_ pathOrURL: String, headers: [String: String] = [:]) throws -> Page {
        try send("GET", pathOrURL, headers: headers, body: [])
    }

    public func post(_ path: String, form: [String: String]) throws -> Page {
        let body = form.map { FormEncoding.encode($0.key) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&")
        return try send("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(body.utf8))
    }

    public func post(_ path: String, json: String, contentType: String = "application/json") throws -> Page {
        try send("POST", path, headers: ["Content-Type": contentType], body: Array(json.utf8))
    }

    /// The hidden CSRF token of the form on a page.
    public static func csrfToken(in page: Page) -> String? {
        guard let range = page.body.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(page.body[range.upperBound...].prefix { $0 != "\"" })
    }
}
