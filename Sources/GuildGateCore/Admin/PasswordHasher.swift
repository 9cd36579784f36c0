import Crypto
import Foundation
import ProcessSupport
import _CryptoExtras
import WireFormats

/// scrypt password hashes in the form `scrypt$N$r$p$salt$hash` (salt and hash in base64url). A stored hash
/// keeps the parameters it was made with, so raising them leaves existing passwords working.
public enum PasswordHasher {
    /// N = 2^17, r = 8: 128 MiB and a few hundred milliseconds per check (OWASP's minimum for scrypt).
    static let rounds = 1 << 17
    static let blockSize = 8
    static let parallelism = 1

    /// What a password is checked against when the username is unknown: the current parameters and a salt
    /// and hash no password produces, so the check costs what a known username's costs.
    static let unknownUserHash = format(
        rounds: rounds, blockSize: blockSize, parallelism: parallelism, salt: randomBytes(16), derived: randomBytes(32))

    public static func hash(_ password: String) throws -> String {
        let salt = randomBytes(16)
        let derived = try derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return format(rounds: rounds, blockSize: blockSize, parallelism: parallelism, salt: salt, derived: derived)
    }

    /// Checks `password` against a stored hash with the hash's own parameters; a malformed hash never verifies.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
            let rounds = Int(parts[1]), let blockSize = Int(parts[2]), let parallelism = Int(parts[3]),
            let salt = Base64URL.decode(parts[4]), let expected = Base64URL.decode(parts[5]),
            let derived = try? derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        return Secrets.constantTimeEqual(derived, expected)
    }

    private static func format(rounds: Int, blockSize: Int, parallelism: Int, salt: [UInt8], derived: [UInt8]) -> String {
        ["scrypt", String(rounds), String(blockSize), String(parallelism), Secrets.base64URL(salt), Secrets.base64URL(derived)]
            .joined(separator: "$")
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Derivations run on this many threads (128 MiB each at the current cost): sign-ins from many
    /// addresses at once wait their turn instead of taking the process's memory.
    static let concurrentDerivations = 2
    private static let derivations = WorkQueue<Void>(name: "scrypt", threads: concurrentDerivations) { _ in }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int) throws -> [UInt8] {
        try derivations.submit { _ in
            try KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: 32,
                rounds: rounds, blockSize: blockSize, parallelism: parallelism
            ).withUnsafeBytes { Array($0) }
        }.wait()
    }
}
