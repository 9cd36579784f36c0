import Crypto
import Foundation
import WireFormats

/// PKCE checks (RFC 7636 §4.1–4.6), with Discord's rules: `S256` only, a verifier of 43–128 unreserved
/// characters.
enum PKCEVerifier {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    private static let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A base64url SHA-256 digest without padding.
    static func isWellFormedChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && challenge.utf8.allSatisfy(base64URL.contains)
    }

    static func matches(_ verifier: String, challenge: String) -> Bool {
        guard (43...128).contains(verifier.utf8.count), verifier.utf8.allSatisfy(unreserved.contains) else { return false }
        return Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) == challenge
    }
}
