import Foundation
import WireFormats

/// The secrets a stack makes for itself when none is configured, kept in DIR (0600) so that the stack's sessions and
/// encrypted files outlive a restart: DIR/secret.key, base64 of 32 random bytes (GUILDGATE_SECRET_KEY), and
/// DIR/api.token, 64 hex digits (GUILDGATE_API_TOKEN).
enum GeneratedSecrets {
    static func secretKey(in directory: StackDirectory) throws(StackError) -> String {
        try kept(at: directory.secretKey) { Data(randomBytes()).base64EncodedString() + "\n" }
    }

    static func apiToken(in directory: StackDirectory) throws(StackError) -> String {
        try kept(at: directory.apiToken) { Hex.encode(randomBytes()) }
    }

    /// The secret in the file at `path`, made and written by `make` if the file is missing or empty.
    private static func kept(at path: String, make: () -> String) throws(StackError) -> String {
        if let existing = FileSystem.read(path)?.trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        let secret = make()
        try FileSystem.save(secret, to: path, mode: 0o600)
        return secret.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func randomBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
