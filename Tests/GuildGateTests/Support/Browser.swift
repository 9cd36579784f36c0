import DiscordKit
import Foundation
import Testing
import WireFormats

/// A response as a test sees it.
struct Page {
    let status: Int
    let headers: [String: String]
    let bytes: [UInt8]
    var body: String { String(decoding: bytes, as: UTF8.self) }

    var location: String? { headers["location"] }
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The query items of the redirect target.
    var locationQuery: [String: String] {
        guard let location, let components = URLComponents(string: location) else { return [:] }
        var items: [String: String] = [:]
        for item in components.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }
}

/// A cookie-keeping client over real libcurl that never follows redirects, like a careful browser. Each
/// browser is a client of its own to nginx: it connects from its own loopback address (127.0.0.100–249), so
/// per-address limits count each test's traffic apart, as they would count different people.
final class Browser {
    let baseURL: String
    private let client: HTTPClient
    private(set) var cookies: [String: String] = [:]

    init(baseURL: String) {
        self.baseURL = baseURL
        // Large enough for the file tests' downloads.
        client = HTTPClient(
            configuration: .init(
                timeout: .seconds(120), maxResponseBytes: 512 << 20, sourceAddress: "127.0.0.\(Int.random(in: 100...249))"))
    }

    func get(_ pathOrURL: String, headers: [String: String] = [:]) throws -> Page {
        try send("GET", pathOrURL, headers: headers, body: [])
    }

    func post(_ path: String, form: [String: String]) throws -> Page {
        let body = form.map { FormEncoding.encode($0.key) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&")
        return try send("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(body.utf8))
    }

    func post(_ path: String, json: String, contentType: String = "application/json") throws -> Page {
        try send("POST", path, headers: ["Content-Type": contentType], body: Array(json.utf8))
    }

    func send(_ method: String, _ pathOrURL: String, headers: [String: String] = [:], body: [UInt8]) throws -> Page {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : baseURL + pathOrURL
        var requestHeaders = headers.map { ($0.key, $0.value) }
        if !cookies.isEmpty, url.hasPrefix(baseURL) {
            requestHeaders.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")))
        }
        let response = try client.send(HTTPRequest(method: method, url: url, headers: requestHeaders, body: body))
        var flattened: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            if key == "set-cookie", url.hasPrefix(baseURL) { remember(cookie: value) }
            flattened[key] = flattened[key].map { $0 + ", " + value } ?? value
        }
        return Page(status: response.status, headers: flattened, bytes: response.body)
    }

    private func remember(cookie: String) {
        let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
        guard pair.count == 2 else { return }
        if pair[1].isEmpty || cookie.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
    }

    /// The hidden CSRF token of the form on a page.
    static func csrfToken(in page: Page) -> String? {
        guard let range = page.body.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(page.body[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// The sandbox's control API.
struct SandboxControl {
    let baseURL: String
    let browser: Browser

    init(baseURL: String) {
        self.baseURL = baseURL
        browser = Browser(baseURL: baseURL)
    }

    func reset() throws {
        try expectOK(browser.send("POST", "/_sandbox/reset", body: []))
    }

    /// The Discord account the sandbox's consent screen approves as from now on; a member of the guild
    /// unless `guildMember` is false.
    func setUser(id: String, username: String, guildMember: Bool = true) throws {
        try expectOK(
            browser.send(
                "PUT", "/_sandbox/oauth/user", headers: ["Content-Type": "application/json"],
                body: Array(#"{"id":"\#(id)","username":"\#(username)","global_name":null}"#.utf8)))
        if guildMember {
            try expectOK(
                browser.send(
                    "POST", "/_sandbox/guild/members", headers: ["Content-Type": "application/json"],
                    body: Array(#"{"members":[{"id":"\#(id)","username":"\#(username)"}]}"#.utf8)))
        }
    }

    func setMode(_ mode: String) throws {
        try expectOK(
            browser.send(
                "PUT", "/_sandbox/oauth/mode", headers: ["Content-Type": "application/json"],
                body: Array(#"{"mode":"\#(mode)"}"#.utf8)))
    }

    /// The next `count` requests to `path` get `status` with `body` (a JSON text) instead of an answer.
    func fault(method: String, path: String, status: Int, body: String? = nil, count: Int = 1) throws {
        var json = #"{"method":"\#(method)","path":"\#(path)","kind":"status","status":\#(status),"count":\#(count)"#
        if let body { json += #","body":\#(body)"# }
        json += "}"
        try expectOK(
            browser.send(
                "POST", "/_sandbox/faults", headers: ["Content-Type": "application/json"],
                body: Array(json.utf8)))
    }

    /// The next request to `path` is answered normally, but only after `milliseconds`.
    func delay(method: String, path: String, milliseconds: Int) throws {
        let json = #"{"method":"\#(method)","path":"\#(path)","kind":"delay","delay_ms":\#(milliseconds),"count":1}"#
        try expectOK(
            browser.send(
                "POST", "/_sandbox/faults", headers: ["Content-Type": "application/json"],
                body: Array(json.utf8)))
    }

    func clearRequests() throws {
        try expectOK(browser.send("DELETE", "/_sandbox/requests", body: []))
    }

    /// The paths of the requests the sandbox received since the last clear, oldest first.
    func requestedPaths() throws -> [String] {
        let page = try browser.get("/_sandbox/requests")
        let requests = page.json?["requests"] as? [[String: Any]] ?? []
        return requests.compactMap { $0["path"] as? String }
    }

    func expectOK(_ page: Page) throws {
        guard (200..<300).contains(page.status) else {
            throw SandboxError(description: "sandbox control call answered \(page.status): \(page.body)")
        }
    }

    struct SandboxError: Error, CustomStringConvertible {
        let description: String
    }
}
