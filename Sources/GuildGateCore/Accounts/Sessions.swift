import Foundation
import Store

/// Browser sessions: a random id whose hash is stored, signed with a key of its own (`id.signature` is
/// what the cookie or a bearer header carries), and a CSRF token per session. New sessions are signed with the
/// newest `GUILDGATE_SECRET_KEY`; a signature made with any listed key is accepted, so sessions outlive a
/// rotation for as long as their key stays listed.
public struct Sessions {
    public static let lifetime: TimeInterval = 14 * 24 * 3600
    /// A session of nobody (CSRF tokens, OAuth state binding) lives an hour.
    public static let anonymousLifetime: TimeInterval = 3600

    /// A session just started, and the value its cookie carries.
    public struct Started {
        public let session: BrowserSession
        public let value: String
        public let lifetime: TimeInterval
    }

    public static let keyPurpose = "session-cookie"

    let db: PostgresConnection
    let keys: [DerivedKey]

    /// - Parameter keys: the signing keys, newest first (`SecretKeys.derived(purpose: Sessions.keyPurpose)`).
    public init(db: PostgresConnection, keys: [DerivedKey]) {
        precondition(!keys.isEmpty, "at least one signing key")
        self.db = db
        self.keys = keys
    }

    /// The session a presented value (`id.signature`) names, if it is correctly signed and not expired.
    public func session(fromValue value: String, now: Date) throws -> BrowserSession? {
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2,
            keys.contains(where: { Secrets.constantTimeEqual(Array(parts[1].utf8), Array(signature(of: parts[0], key: $0).utf8)) })
        else { return nil }
        let idHash = Secrets.sha256(parts[0])
        guard let stored = try WebSessionStore(db).session(idHash: idHash, now: now) else { return nil }
        return BrowserSession(id: parts[0], idHash: idHash, csrfToken: stored.csrfToken, userID: stored.userID, adminID: stored.adminID)
    }

    /// Starts a session with a fresh id (a login never reuses an id the browser had), ending `previous`.
    /// Expired sessions are pruned whenever one starts: no scheduler needed for this table.
    public func start(userID: Int?, adminID: Int?, replacing previous: BrowserSession?, now: Date) throws -> Started {
        let store = WebSessionStore(db)
        if let previous { try store.delete(idHash: previous.idHash) }
        try store.deleteExpired(now: now)
        let id = Secrets.randomToken()
        let session = BrowserSession(
            id: id, idHash: Secrets.sha256(id), csrfToken: Secrets.randomToken(), userID: userID, adminID: adminID)
        let lifetime = userID == nil && adminID == nil ? Self.anonymousLifetime : Self.lifetime
        try store.create(
            idHash: session.idHash, csrfToken: session.csrfToken, userID: userID, adminID: adminID,
            expiresAt: now.addingTimeInterval(lifetime))
        return Started(session: session, value: id + "." + signature(of: id, key: keys[0]), lifetime: lifetime)
    }

    public func end(_ session: BrowserSession) throws {
        try WebSessionStore(db).delete(idHash: session.idHash)
    }

    private func signature(of id: String, key: DerivedKey) -> String {
        Secrets.base64URL(Secrets.hmac(id, key: key.bytes))
    }
}
