import Crypto
import Foundation
import WireFormats

/// One master key of `GUILDGATE_SECRET_KEY`: 32 random bytes, and the id that names it in the database.
public struct MasterKey: Sendable, Equatable {
    public static let length = 32

    public let bytes: [UInt8]
    /// 16 hex digits derived from the key (HKDF, so it tells nothing about the key): what a row sealed under
    /// this key records, and what logs and `rotate-keys` name it by. Never the key itself.
    public let id: String

    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == Self.length, "a master key is \(Self.length) bytes")
        self.bytes = bytes
        id = Hex.encode(Secrets.derivedKey(bytes, purpose: "key-id").prefix(8))
    }

    /// A key for one purpose derived from this master key, so that one leak does not expose the others.
    public func derived(purpose: String) -> DerivedKey {
        DerivedKey(masterID: id, bytes: Secrets.derivedKey(bytes, purpose: purpose))
    }
}

/// A key derived from a master key for one purpose, with the master key's id.
public struct DerivedKey: Sendable, Equatable {
    public let masterID: String
    public let bytes: [UInt8]
}

/// `GUILDGATE_SECRET_KEY`: one or more master keys, newest first. New secrets, file keys, session signatures and
/// PKCE verifiers use the newest; what older keys sealed or signed still opens or verifies while they are listed,
/// until `guildgate-web rotate-keys` has sealed everything stored again under the newest (README: "Rotating the
/// secret key").
public struct SecretKeys: Sendable, Equatable {
    /// Newest first; never empty.
    public let all: [MasterKey]

    public var newest: MasterKey { all[0] }

    public init(_ keys: [[UInt8]]) {
        precondition(!keys.isEmpty, "at least one key")
        all = keys.map(MasterKey.init)
    }

    /// The listed key with this id, if any.
    public func key(id: String) -> MasterKey? {
        all.first { $0.id == id }
    }

    /// Every key's key for `purpose`, newest first: seal or sign with the first, open or verify with any.
    public func derived(purpose: String) -> [DerivedKey] {
        all.map { $0.derived(purpose: purpose) }
    }

    /// Parses the setting: base64 keys of 32 bytes each, separated by commas, newest first (spaces around an entry
    /// are ignored). Each bad entry is named by its position, never by its value.
    public static func parse(_ text: String) throws(ParseError) -> SecretKeys {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var keys: [(entry: Int, bytes: [UInt8])] = []
        var problems: [String] = []
        for (index, entry) in entries.enumerated() {
            let position = entries.count == 1 ? "the key" : "entry \(index + 1) of \(entries.count)"
            guard !entry.isEmpty else {
                problems.append("\(position) is empty")
                continue
            }
            guard let decoded = Data(base64Encoded: entry) else {
                problems.append("\(position) is not base64")
                continue
            }
            guard decoded.count == MasterKey.length else {
                problems.append("\(position) is \(decoded.count) bytes, not \(MasterKey.length)")
                continue
            }
            if let earlier = keys.first(where: { $0.bytes == Array(decoded) }) {
                problems.append("\(position) repeats entry \(earlier.entry + 1)")
                continue
            }
            keys.append((index, Array(decoded)))
        }
        guard problems.isEmpty else { throw ParseError(problems: problems) }
        return SecretKeys(keys.map(\.bytes))
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let problems: [String]

        public var description: String {
            problems.joined(separator: "; ")
                + " (each key is 32 random bytes in base64, `openssl rand -base64 32`; several keys are separated by commas, newest first)"
        }
    }
}

/// AES-256-GCM under a key derived for one purpose from each master key: seals under the newest, opens under
/// whichever key sealed (the one a row names, or each in turn, newest first).
public struct KeyedSealer: Sendable {
    let keys: [DerivedKey]

    public init(keys: SecretKeys, purpose: String) {
        self.keys = keys.derived(purpose: purpose)
    }

    /// The id of the master key new seals are made under.
    public var newestID: String { keys[0].masterID }

    /// `plaintext` sealed under the newest key (`nonce ‖ ciphertext ‖ tag`), and that key's id.
    public func seal(_ plaintext: [UInt8], authenticating data: [UInt8]) throws -> (sealed: [UInt8], keyID: String) {
        let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: keys[0].bytes), authenticating: data)
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return (Array(combined), keys[0].masterID)
    }

    /// What `sealed` holds, and the id of the key that opened it; nil when no listed key opens it (or the one
    /// `keyID` names is not listed).
    public func open(_ sealed: [UInt8], authenticating data: [UInt8], keyID: String? = nil) -> (plaintext: [UInt8], keyID: String)? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        for key in keys where keyID == nil || key.masterID == keyID {
            if let plaintext = try? AES.GCM.open(box, using: SymmetricKey(data: key.bytes), authenticating: data) {
                return (Array(plaintext), key.masterID)
            }
        }
        return nil
    }
}
