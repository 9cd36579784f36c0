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

/// AES-256-GCM for the parts of one stored file, under the file's own data key: random for files stored since
/// migration 12 (kept sealed under the secret key, `FileKeys`), HKDF-SHA256 of the secret key with the file's
/// random salt for files stored before (`legacyKey`). A part is sealed in chunks of 1 MiB, each with its
/// own tag, under the nonce `chunk (4 bytes) ‖ part (8 bytes)`: each key seals each (part, chunk) once, so
/// nonces never repeat, and a chunk moved within or between parts fails authentication. Chunks let an
/// upload and a download hold 1 MiB of plaintext at a time instead of a whole part; the stored part's
/// SHA-256 (kept in the database) catches a part cut short.
public struct FileCipher: Sendable {
    public static let chunkSize = 1 << 20
    public static let tagSize = 16
    public static let saltLength = 16

    public static let keyLength = 32

    private let keyBytes: [UInt8]

    /// - Parameter key: the file's data key (32 bytes).
    public init(key: [UInt8]) {
        precondition(key.count == Self.keyLength, "a file's data key is \(Self.keyLength) bytes")
        keyBytes = key
    }

    /// The data key of a file stored before migration 12: derived from the master key it was stored under and
    /// the file's salt.
    public static func legacyKey(secretKey: [UInt8], salt: [UInt8]) -> [UInt8] {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secretKey), salt: salt, info: Array("guildgate:file-part".utf8), outputByteCount: keyLength
        ).withUnsafeBytes { Array($0) }
    }

    /// A new file's data key: 32 random bytes.
    public static func randomKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Chunks in a part of `plain` bytes (an empty part is one empty chunk).
    public static func chunks(plain: Int) -> Int { max(1, (plain + chunkSize - 1) / chunkSize) }

    /// Bytes a part of `plain` bytes takes once sealed.
    public static func sealedSize(plain: Int) -> Int { plain + tagSize * chunks(plain: plain) }

    /// The most plaintext a part may carry so that it stays within `attachmentLimit` bytes sealed.
    public static func plainPartSize(attachmentLimit: Int) -> Int {
        // Whole chunks with their tags, then what is left of the limit as a last, shorter chunk.
        let whole = attachmentLimit / (chunkSize + tagSize)
        let rest = attachmentLimit - whole * (chunkSize + tagSize)
        return max(1, whole * chunkSize + max(0, rest - tagSize))
    }

    /// Seals chunk `chunk` of part `part` and hands the ciphertext, then the tag, to `write`.
    public func sealChunk(_ plaintext: UnsafeRawBufferPointer, part: Int, chunk: Int, write: (UnsafeRawBufferPointer) -> Void) throws {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: Self.nonce(part: part, chunk: chunk))
        box.ciphertext.withUnsafeBytes(write)
        box.tag.withUnsafeBytes(write)
    }

    /// A whole part sealed (for tests and small data).
    public func seal(_ plaintext: [UInt8], part: Int) throws -> [UInt8] {
        var sealed: [UInt8] = []
        let count = Self.chunks(plain: plaintext.count)
        try plaintext.withUnsafeBytes { bytes in
            for chunk in 0..<count {
                let range = (chunk * Self.chunkSize)..<min(bytes.count, (chunk + 1) * Self.chunkSize)
                try sealChunk(UnsafeRawBufferPointer(rebasing: bytes[range]), part: part, chunk: chunk) { sealed.append(contentsOf: $0) }
            }
        }
        return sealed
    }

    /// Opens a sealed part of `plainSize` bytes and hands `range` of its plaintext (default: all) to `write`,
    /// a chunk at a time; only chunks that authenticate are ever handed out.
    public func open(
        _ sealed: [UInt8], part: Int, plainSize: Int, range: Range<Int>? = nil, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard sealed.count == Self.sealedSize(plain: plainSize) else { throw FilePartError.authenticationFailed(part: part) }
        let wanted = range ?? 0..<plainSize
        for chunk in 0..<Self.chunks(plain: plainSize) {
            let plainStart = chunk * Self.chunkSize
            let plainEnd = min(plainSize, plainStart + Self.chunkSize)
            guard plainStart < wanted.upperBound else { break }
            guard plainEnd > wanted.lowerBound else { continue }
            let plaintext = try openChunk(sealed[...], part: part, plainSize: plainSize, chunk: chunk)
            let from = max(wanted.lowerBound, plainStart) - plainStart
            let to = min(wanted.upperBound, plainEnd) - plainStart
            guard from < to else { continue }
            try plaintext.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[from..<to])) }
        }
    }

    /// Whether chunk `chunk` of a part of `plainSize` bytes authenticates under this key. `sealed` holds the part's
    /// sealed bytes from its start, at least up to the end of that chunk (the first chunk alone will do for chunk 0).
    public func authenticates(_ sealed: ArraySlice<UInt8>, part: Int, plainSize: Int, chunk: Int) -> Bool {
        (try? openChunk(sealed, part: part, plainSize: plainSize, chunk: chunk)) != nil
    }

    /// Bytes of a part's start that hold its first chunk sealed (all a key check needs).
    public static func firstChunkSealedSize(plain: Int) -> Int { min(plain, chunkSize) + tagSize }

    private func openChunk(_ sealed: ArraySlice<UInt8>, part: Int, plainSize: Int, chunk: Int) throws -> Data {
        let plainStart = chunk * Self.chunkSize
        let plainEnd = min(plainSize, plainStart + Self.chunkSize)
        let sealedStart = sealed.startIndex + plainStart + chunk * Self.tagSize
        let tagStart = sealedStart + plainEnd - plainStart
        guard plainStart <= plainEnd, tagStart + Self.tagSize <= sealed.endIndex else {
            throw FilePartError.authenticationFailed(part: part)
        }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: Self.nonce(part: part, chunk: chunk), ciphertext: sealed[sealedStart..<tagStart],
                tag: sealed[tagStart..<(tagStart + Self.tagSize)])
            return try AES.GCM.open(box, using: key)
        } catch {
            throw FilePartError.authenticationFailed(part: part)
        }
    }

    /// A whole part opened (for tests and small data).
    public func open(_ sealed: [UInt8], part: Int, plainSize: Int) throws -> [UInt8] {
        var plaintext: [UInt8] = []
        try open(sealed, part: part, plainSize: plainSize) { plaintext.append(contentsOf: $0) }
        return plaintext
    }

    private static func nonce(part: Int, chunk: Int) -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: chunk).bigEndian) { bytes.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: UInt64(part).bigEndian) { bytes.replaceSubrange(4..<12, with: $0) }
        // Twelve bytes is always a valid GCM nonce.
        return try! AES.GCM.Nonce(data: bytes)
    }
}
