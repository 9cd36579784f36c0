import Crypto

/// Proof Key for Code Exchange (RFC 7636, `S256`) for every authorization-code flow. The verifier is an
/// HMAC of the flow's `state` under a key of its own: nothing more to store, and a code taken from a
/// callback URL is worthless without the server's key.
public struct PKCE: Sendable {
    /// 43 characters of base64url, as RFC 7636 §4.1 asks (43–128).
    public let verifier: String

    public init(state: String, key: [UInt8]) {
        verifier = Secrets.base64URL(Secrets.hmac(state, key: key))
    }

    public var challenge: String { Self.challenge(of: verifier) }

    /// `BASE64URL(SHA256(verifier))`.
    public static func challenge(of verifier: String) -> String {
        Secrets.base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
    }
}
