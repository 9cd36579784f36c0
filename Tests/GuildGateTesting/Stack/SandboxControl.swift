import Foundation

/// The sandbox's control API.
public struct SandboxControl {
    public let baseURL: String
    public let browser: Browser

    public init(baseURL: String) {
        self.baseURL = baseURL
        browser = Browser(baseURL: baseURL)
    }

    public func reset() throws {
        try expectOK(browser.send("POST", "/_sandbox/reset", body: []))
    }

    /// The Discord account the sandbox's consent screen approves as from now on; a member of the guild
    /// unless `guildMember` is false.
    public func setUser(id: String, username: String, guildMember: Bool = true) throws {
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

    public func setMode(_ mode: String) throws {
        try expectOK(
            browser.send(
                "PUT", "/_sandbox/oauth/mode", headers: ["Content-Type": "application/json"],
                body: Array(#"{"mode":"\#(mode)"}"#.utf8)))
    }

    /// The next `count` requests to `path` get `status` with `body` (a JSON text) instead of an answer.
    public func fault(method: String, path: String, status: Int, body: String? = nil, count: Int = 1) throws {
        var json = #"{"method":"\#(method)","path":"\#(path)","kind":"status","status":\#(status),"count":\#(count)"#
        if let body { json += #","body":\#(body)"# }
        try arm(json + "}")
    }

    /// The next request to `path` is answered normally, but only after `milliseconds`.
    public func delay(method: String, path: String, milliseconds: Int) throws {
        try arm(#"{"method":"\#(method)","path":"\#(path)","kind":"delay","delay_ms":\#(milliseconds),"count":1}"#)
    }

    public func clearRequests() throws {
        try expectOK(browser.send("DELETE", "/_sandbox/requests", body: []))
    }

    /// The paths of the requests the sandbox received since the last clear, oldest first.
    public func requestedPaths() throws -> [String] {
        try requests().compactMap { $0["path"] as? String }
    }

    /// The requests the sandbox received since the last clear, oldest first (`method`, `path`, `route`,
    /// `status`, `fault`, `time`, …).
    public func requests() throws -> [[String: Any]] {
        try browser.get("/_sandbox/requests").json?["requests"] as? [[String: Any]] ?? []
    }

    /// Arms a fault: `json` is the body of `POST /_sandbox/faults` (docs/SANDBOX.md).
    public func arm(_ json: String) throws {
        try expectOK(browser.send("POST", "/_sandbox/faults", headers: ["Content-Type": "application/json"], body: Array(json.utf8)))
    }

    /// The faults still armed.
    public func armedFaults() throws -> [[String: Any]] {
        try browser.get("/_sandbox/faults").json?["faults"] as? [[String: Any]] ?? []
    }

    public func expectOK(_ page: Page) throws {
        guard (200..<300).contains(page.status) else {
            throw SandboxError(description: "sandbox control call answered \(page.status): \(page.body)")
        }
    }

    public struct SandboxError: Error, CustomStringConvertible {
        public let description: String
    }
}
