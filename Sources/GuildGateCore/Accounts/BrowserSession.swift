/// A signed-in (or anonymous) browser, as its session cookie names it.
public struct BrowserSession: Sendable {
    /// The raw id; only the cookie holds it, the database keeps its hash.
    public let id: String
    public let idHash: [UInt8]
    public let csrfToken: String
    public let userID: Int?
    public let adminID: Int?

    /// Whether `token` is this session's CSRF token (compared in constant time).
    public func hasCSRFToken(_ token: String?) -> Bool {
        guard let token else { return false }
        return Secrets.constantTimeEqual(Array(token.utf8), Array(csrfToken.utf8))
    }
}
