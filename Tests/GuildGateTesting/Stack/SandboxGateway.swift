import Foundation

/// The sandbox's gateway controls: guild members, pushed dispatches, dropped connections.
extension SandboxControl {
    public func configureGateway(_ json: String) throws {
        try expectOK(browser.send("PUT", "/_sandbox/gateway/config", headers: jsonHeaders, body: Array(json.utf8)))
    }

    /// Adds guild members, each with a presence; `activities` is a JSON array.
    public func addMember(id: String, username: String, status: String = "offline", activities: String = "[]") throws {
        let json =
            #"{"members":[{"id":"\#(id)","username":"\#(username)","status":"\#(status)","activities":\#(activities),"client_status":{}}]}"#
        try expectOK(browser.send("POST", "/_sandbox/guild/members", headers: jsonHeaders, body: Array(json.utf8)))
    }

    /// Adds `count` generated members and returns their ids.
    public func generateMembers(count: Int) throws -> [String] {
        let page = try browser.send(
            "POST", "/_sandbox/guild/members/generate", headers: jsonHeaders, body: Array(#"{"count":\#(count)}"#.utf8))
        try expectOK(page)
        return page.json?["ids"] as? [String] ?? []
    }

    public func removeMember(id: String) throws {
        try expectOK(browser.send("DELETE", "/_sandbox/guild/members/\(id)", body: []))
    }

    /// Dispatches PRESENCE_UPDATE for a member to every session (buffered for disconnected ones).
    public func pushPresence(userID: String, status: String, activities: String = "[]") throws {
        let json = #"{"user_id":"\#(userID)","status":"\#(status)","activities":\#(activities),"client_status":{"desktop":"\#(status)"}}"#
        try expectOK(browser.send("POST", "/_sandbox/gateway/presence", headers: jsonHeaders, body: Array(json.utf8)))
    }

    /// Ends live gateway connections: with a close frame carrying `code`, or a bare TCP reset when nil.
    public func dropGateway(code: Int?) throws {
        let json = code.map { #"{"code":\#($0)}"# } ?? #"{"code":null}"#
        try expectOK(browser.send("POST", "/_sandbox/gateway/drop", headers: jsonHeaders, body: Array(json.utf8)))
    }

    /// `{"identifies", "resumes", "connections", "sessions": [...]}`.
    public func gatewaySessions() throws -> [String: Any] {
        try browser.get("/_sandbox/gateway/sessions").json ?? [:]
    }

    /// The Request Guild Members (op 8) payloads the gateway received, oldest first.
    public func memberRequests() throws -> [[String: Any]] {
        let page = try browser.get("/_sandbox/gateway/member-requests")
        return (try? JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [[String: Any]]) ?? []
    }

    private var jsonHeaders: [String: String] { ["Content-Type": "application/json"] }
}

extension SandboxControl {
    /// Any control call with a JSON body.
    public func send(_ method: String, _ path: String, json: String) throws {
        try expectOK(browser.send(method, path, headers: ["Content-Type": "application/json"], body: Array(json.utf8)))
    }
}
