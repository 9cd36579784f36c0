import Crypto
import Foundation
import WireFormats

/// Random tokens, hashes and signatures.
public enum Secrets {
    /// `count` random bytes from the system's CSPRNG, as unpadded base64url.
    public static func randomToken(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64URL(bytes)
    }

    public static func sha256(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }

    public static func hmac(_ text: String, key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key)))
    }

    /// Compares in time independent of where the first difference is.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        Base64URL.encode(bytes)
    }

    /// A key for one purpose derived from the master secret, so that one leak does not expose the others.
    public static func derivedKey(_ master: [UInt8], purpose: String) -> [UInt8] {
        Array(
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: master), info: Array(("guildgate:" + purpose).utf8), outputByteCount: 32
            ).withUnsafeBytes { Array($0) })
    }
}
