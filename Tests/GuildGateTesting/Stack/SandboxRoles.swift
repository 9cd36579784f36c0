import Foundation

/// The sandbox's roles, members' roles and nicknames as someone on Discord would change them, and the
/// change log that tells what the bot did.
extension SandboxControl {
    /// Creates a role at `position` (1 = the bottom; the roles at it and above move up) and returns its id.
    public func createRole(name: String, position: Int = 1, managed: Bool = false) throws -> String {
        let page = try control(
            "POST", "/guild/roles", json: #"{"name":"\#(name)","position":\#(position),"managed":\#(managed)}"#)
        guard let id = page.json?["id"] as? String else { throw SandboxError(description: "no role id in \(page.body)") }
        return id
    }

    /// The bot role's position now (1 = the bottom).
    public func botRolePosition() throws -> Int {
        let roles = try JSONSerialization.jsonObject(with: Data(try control("GET", "/guild/roles").bytes)) as? [[String: Any]] ?? []
        return roles.first { ($0["tags"] as? [String: Any])?["bot_id"] != nil }?["position"] as? Int ?? 1
    }

    /// Adds a member holding `roles`.
    public func addMember(id: String, username: String, roles: [String], nick: String? = nil) throws {
        let roleList = roles.map { #""\#($0)""# }.joined(separator: ",")
        let nickJSON = nick.map { #""\#($0)""# } ?? "null"
        _ = try control(
            "POST", "/guild/members",
            json: #"{"members":[{"id":"\#(id)","username":"\#(username)","roles":[\#(roleList)],"nick":\#(nickJSON)}]}"#)
    }

    /// Someone on Discord sets a member's roles (GUILD_MEMBER_UPDATE follows).
    public func setRoles(memberID: String, _ roles: [String]) throws {
        _ = try control("PATCH", "/guild/members/\(memberID)", json: #"{"roles":[\#(roles.map { #""\#($0)""# }.joined(separator: ","))]}"#)
    }

    /// Every change made to `memberID`'s roles and nickname, oldest first.
    public func changes(of memberID: String) throws -> [[String: Any]] {
        try control("GET", "/members/\(memberID)/changes").json?["changes"] as? [[String: Any]] ?? []
    }

    /// How many 429s the sandbox's own limits served on `route` (`"PUT /guilds/{guild.id}/…"`).
    public func limitedRequests(route: String) throws -> Int {
        let routes = try control("GET", "/ratelimits").json?["routes"] as? [[String: Any]] ?? []
        return routes.first { $0["route"] as? String == route }?["limited"] as? Int ?? 0
    }

    /// Calls the control API and expects a 2xx.
    @discardableResult
    public func control(_ method: String, _ path: String, json: String? = nil) throws -> Page {
        let page = try browser.send(
            method, "/_sandbox" + path, headers: json == nil ? [:] : ["Content-Type": "application/json"], body: Array((json ?? "").utf8))
        try expectOK(page)
        return page
    }
}
