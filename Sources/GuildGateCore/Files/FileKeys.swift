import Foundation
import Store

/// Why a stored file's data key could not be had.
public enum FileKeyError: Error, Equatable, CustomStringConvertible {
    /// The key is sealed under a master key `GUILDGATE_SECRET_KEY` does not list.
    case keyNotListed(fileID: Int, keyID: String)
    /// The listed key of that id does not open it: the row was altered.
    case doesNotOpen(fileID: Int, keyID: String)

    public var description: String {
        switch self {
        case .keyNotListed(let fileID, let keyID):
            return "file \(fileID)'s data key is sealed under secret key \(keyID), which GUILDGATE_SECRET_KEY does not list"
        case .doesNotOpen(let fileID, let keyID):
            return "file \(fileID)'s sealed data key does not open under secret key \(keyID): the row was altered"
        }
    }
}

/// Files' data keys, sealed under the newest master key (AES-GCM, a key derived for this purpose alone, the file's
/// salt as authenticated data so a sealed key moved to another row does not open), opened under the key each row
/// names. Rotating re-seals these 32 bytes per file; the parts on Discord stay as they are.
public struct FileKeys: Sendable {
    let keys: SecretKeys
    let sealer: KeyedSealer

    public init(keys: SecretKeys) {
        self.keys = keys
        sealer = KeyedSealer(keys: keys, purpose: "file-data-key")
    }

    /// The id of the key new data keys are sealed under.
    public var newestKeyID: String { sealer.newestID }

    public func seal(_ dataKey: [UInt8], salt: [UInt8]) throws -> SealedDataKey {
        let (sealed, keyID) = try sealer.seal(dataKey, authenticating: salt)
        return SealedDataKey(sealed: sealed, keyID: keyID)
    }

    /// The data key of `file` as its row seals it; nil for a file stored before migration 12 whose key is not
    /// sealed yet (`legacyCandidates`).
    public func dataKey(of file: StoredFile) throws(FileKeyError) -> [UInt8]? {
        guard let dataKey = file.dataKey else { return nil }
        guard keys.key(id: dataKey.keyID) != nil else { throw .keyNotListed(fileID: file.id, keyID: dataKey.keyID) }
        guard let opened = sealer.open(dataKey.sealed, authenticating: file.salt, keyID: dataKey.keyID),
            opened.plaintext.count == FileCipher.keyLength
        else { throw .doesNotOpen(fileID: file.id, keyID: dataKey.keyID) }
        return opened.plaintext
    }

    /// What the data key of a file stored before migration 12 may be: the key derived from each listed master
    /// key and its salt, newest first. Which one is right only its parts tell (a chunk's GCM tag).
    public func legacyCandidates(salt: [UInt8]) -> [(keyID: String, dataKey: [UInt8])] {
        keys.all.map { ($0.id, FileCipher.legacyKey(secretKey: $0.bytes, salt: salt)) }
    }
}
