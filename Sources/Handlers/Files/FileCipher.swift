import Crypto
import Foundation

/// Why a stored part could not be turned back into the file's bytes.
public enum FilePartError: Error, Equatable, CustomStringConvertible {
    case authenticationFailed(part: Int)
    case digestMismatch(part: Int)

    public var description: String {
        switch self {
        case .authenticationFailed(let part): return "part \(part) failed its AES-GCM authentication: it was altered or truncated"
        case .digestMismatch(let part): return "part \(part) does not match its stored SHA-256"
        }
    }
}

/// AES-256-GCM for the parts of one stored file. The key is derived per file (HKDF-SHA256 of
/// `GUILDGATE_SECRET_KEY` with the file's random salt), and part `n` is sealed under the nonce
/// `0⁴ ‖ n` (big-endian): each key seals each index once, so nonces never repeat, and a part moved to
/// another position or file fails authentication. A sealed part is the ciphertext followed by the tag.
public struct FileCipher: Sendable {
    /// Bytes a sealed part has beyond its plaintext.
    public static let overhead = 16
    public static let saltLength = 16

    private let keyBytes: [UInt8]

    public init(secretKey: [UInt8], salt: [UInt8]) {
        keyBytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secretKey), salt: salt, info: Array("guildgate:file-part".utf8), outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    public func seal(_ plaintext: [UInt8], part index: Int) throws -> [UInt8] {
        var sealed: [UInt8] = []
        try seal(plaintext, part: index) { sealed.append(contentsOf: $0) }
        return sealed
    }

    /// Seals a part and hands the ciphertext, then the tag, to `write`, without another copy of the part.
    public func seal(_ plaintext: [UInt8], part index: Int, write: (UnsafeRawBufferPointer) -> Void) throws {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: Self.nonce(index))
        box.ciphertext.withUnsafeBytes(write)
        box.tag.withUnsafeBytes(write)
    }

    public func open(_ sealed: [UInt8], part index: Int) throws(FilePartError) -> [UInt8] {
        guard sealed.count >= Self.overhead else { throw .authenticationFailed(part: index) }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: Self.nonce(index), ciphertext: sealed.dropLast(Self.overhead), tag: sealed.suffix(Self.overhead))
            return Array(try AES.GCM.open(box, using: key))
        } catch {
            throw .authenticationFailed(part: index)
        }
    }

    private static func nonce(_ index: Int) -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt64(index).bigEndian) { bytes.replaceSubrange(4..<12, with: $0) }
        // Twelve bytes is always a valid GCM nonce.
        return try! AES.GCM.Nonce(data: bytes)
    }
}
