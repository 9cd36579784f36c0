import Crypto
import WireFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs and checks attachment URLs the way Discord's CDN does (docs: `reference` "Signed Attachment CDN URLs"):
/// `{base}/attachments/{channel}/{attachment}/{filename}?ex={hex}&is={hex}&hm={hex}&`, where `is` is when the
/// URL was issued, `ex` when it stops working (both hex Unix seconds) and `hm` an HMAC-SHA256 over the
/// channel, the attachment, `ex` and `is` with a key the process makes up at start.
struct CDNSigner: Sendable {
    /// Discord's current lifetime of attachment URLs: one day.
    static let defaultLifetimeSeconds = 86_400

    /// `ex` minus `is`; zero or negative hands out URLs that are expired already.
    var lifetimeSeconds = CDNSigner.defaultLifetimeSeconds
    /// Kept as bytes: `SymmetricKey` is not `Sendable`.
    private var keyBytes = CDNSigner.makeKeyBytes()

    /// Every URL signed so far stops working; URLs signed from now on work.
    mutating func revokeIssuedURLs() {
        keyBytes = Self.makeKeyBytes()
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    private static func makeKeyBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in generator.next() }
    }

    func signedURL(base: String, channelID: String, attachmentID: String, filename: String, now: Date) -> String {
        let issued = Int(now.timeIntervalSince1970.rounded(.down))
        let issuedHex = Self.hex(issued)
        let expiresHex = Self.hex(max(0, issued + lifetimeSeconds))
        let signature = HMAC<SHA256>.authenticationCode(
            for: Self.signedText(channelID: channelID, attachmentID: attachmentID, expires: expiresHex, issued: issuedHex),
            using: key
        )
        let path = "/attachments/\(channelID)/\(attachmentID)/\(PercentEncoding.encode(filename))"
        return "\(base)\(path)?ex=\(expiresHex)&is=\(issuedHex)&hm=\(Hex.encode(signature))&"
    }

    /// Whether `ex`, `is` and `hm` are a signature this process made for the attachment, not yet expired.
    func accepts(
        channelID: String,
        attachmentID: String,
        expires: String?,
        issued: String?,
        signature: String?,
        now: Date
    ) -> Bool {
        guard let expires, let issued, let signature, let expiry = Int(expires, radix: 16), Int(issued, radix: 16) != nil,
            let mac = Hex.decode(signature), mac.count == SHA256.byteCount,
            expiry > Int(now.timeIntervalSince1970.rounded(.down))
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            mac,
            authenticating: Self.signedText(channelID: channelID, attachmentID: attachmentID, expires: expires, issued: issued),
            using: key
        )
    }

    private static func signedText(channelID: String, attachmentID: String, expires: String, issued: String) -> [UInt8] {
        Array("\(channelID)/\(attachmentID)/\(expires)/\(issued)".utf8)
    }

    /// Eight hex digits, like Discord's `ex` and `is`.
    private static func hex(_ seconds: Int) -> String {
        let digits = String(seconds, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
