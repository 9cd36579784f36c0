import Foundation

/// Users writing to the bot, what the bot stored and typed, the OpenAI-compatible backend's calls, and bearer
/// tokens for any user: the sandbox's side of conversation tests.
extension SandboxControl {
    /// `userID` writes `content`: in their DM channel with the bot (opened if needed) unless `channelID` names a
    /// guild text channel (the user must then be a member); `mentionBot` prefixes `<@bot> `.
    public func sendMessage(
        from userID: String, username: String, content: String, channelID: String? = nil, mentionBot: Bool = false
    ) throws -> (messageID: String, channelID: String) {
        var body: [String: Any] = ["content": content, "username": username, "mention_bot": mentionBot]
        if let channelID { body["channel_id"] = channelID }
        let page = try control("POST", "/users/\(userID)/messages", json: try Self.text(body))
        guard let messageID = page.json?["id"] as? String, let channel = page.json?["channel_id"] as? String else {
            throw SandboxError(description: "no message id in \(page.body)")
        }
        return (messageID, channel)
    }

    /// Every message stored in `channelID`, oldest first (`author_id`, `content`, `message_reference`, …).
    public func messages(in channelID: String) throws -> [[String: Any]] {
        try Self.list(control("GET", "/channels/\(channelID)/messages"))
    }

    /// The calls of the OpenAI-compatible backend since the last clear, oldest first: `path`, `body`, `at`.
    public func chatRequests() throws -> [[String: Any]] {
        try Self.list(control("GET", "/chat/requests"))
    }

    public func clearChatRequests() throws {
        try control("DELETE", "/chat/requests")
    }

    /// A bearer token for `userID` with `scopes`, without the browser flow.
    public func issueAccessToken(userID: String, username: String, scopes: [String] = ["identify"]) throws -> String {
        let page = try control(
            "POST", "/oauth/tokens", json: try Self.text(["user_id": userID, "username": username, "scopes": scopes]))
        guard let token = page.json?["access_token"] as? String else { throw SandboxError(description: "no token in \(page.body)") }
        return token
    }

    /// Ends the token's authorization at once, as Discord's revocation endpoint does.
    public func revokeAccessToken(_ accessToken: String) throws {
        try control("POST", "/oauth/tokens/revoke", json: try Self.text(["access_token": accessToken]))
    }

    /// How many typing indicators the bot triggered in `channelID`.
    public func typingCount(channelID: String) throws -> Int {
        let page = try control("GET", "/channels/\(channelID)/typing")
        guard let count = page.json?["count"] as? Int else { throw SandboxError(description: "no count in \(page.body)") }
        return count
    }

    private static func text(_ body: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    private static func list(_ page: Page) throws -> [[String: Any]] {
        guard let list = try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [[String: Any]] else {
            throw SandboxError(description: "not a list: \(page.body)")
        }
        return list
    }
}
