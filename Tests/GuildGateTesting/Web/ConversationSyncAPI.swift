import Foundation

/// The conversation sync API as the app calls it: every request with `Authorization: Bearer <Discord
/// access token>`, through any `WebClient` (in-process or through nginx).
public struct ConversationSyncAPI {
    public let client: any WebClient
    public let token: String

    public init(_ client: any WebClient, token: String) {
        self.client = client
        self.token = token
    }

    private var authorization: [String: String] { ["Authorization": "Bearer \(token)"] }

    /// `GET /api/sync/conversations` with `query` (`?limit=2`).
    public func list(_ query: String = "") throws -> Page {
        try client.get("/api/sync/conversations" + query, headers: authorization)
    }

    public func conversation(_ id: String) throws -> Page {
        try client.get("/api/sync/conversations/\(id)", headers: authorization)
    }

    public func delete(_ id: String) throws -> Page {
        try client.send("DELETE", "/api/sync/conversations/\(id)", headers: authorization, body: [])
    }

    public func export() throws -> Page {
        try client.get("/api/sync/export", headers: authorization)
    }

    /// `POST /api/sync/conversations` with a JSON body as written.
    public func create(json: String, idempotencyKey: String? = nil) throws -> Page {
        var headers = authorization
        headers["Content-Type"] = "application/json"
        if let idempotencyKey { headers["Idempotency-Key"] = idempotencyKey }
        return try client.send("POST", "/api/sync/conversations", headers: headers, body: Array(json.utf8))
    }

    /// Uploads a conversation of one user message and one reply; returns its id.
    public func create(title: String, text: String = "hello") throws -> Int? {
        let page = try create(
            json: #"{"title":"\#(title)","messages":[{"role":"user","content":"\#(text)"},{"role":"assistant","content":"hi"}]}"#)
        return page.status == 201 ? page.json?["id"] as? Int : nil
    }
}
