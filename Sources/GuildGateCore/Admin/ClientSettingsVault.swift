import Crypto
import Foundation
import Store

/// Seals the client secret and the bot token for the database (AES-GCM under a key derived from the newest
/// `GUILDGATE_SECRET_KEY`, the field's name as authenticated data, so a sealed token cannot pass for the
/// secret) and opens them again under any listed key.
public struct ClientSettingsVault: Sendable {
    let sealer: KeyedSealer

    public init(keys: SecretKeys) {
        sealer = KeyedSealer(keys: keys, purpose: "client-settings")
    }

    public func seal(_ settings: DiscordClientSettings) throws -> StoredClientSettings {
        StoredClientSettings(
            name: settings[.name], callbackURL: settings[.callbackURL], guildID: settings[.guildID], clientID: settings[.clientID],
            clientSecretSealed: try settings[.clientSecret].map { try seal($0, field: .clientSecret) },
            botTokenSealed: try settings[.botToken].map { try seal($0, field: .botToken) },
            inviteURL: settings[.inviteURL], nicknameTemplate: settings[.nicknameTemplate])
    }

    /// The saved settings; a secret that opens under no listed key reads as not saved.
    public func open(_ stored: StoredClientSettings) -> DiscordClientSettings {
        var settings = DiscordClientSettings()
        settings[.name] = stored.name
        settings[.callbackURL] = stored.callbackURL
        settings[.guildID] = stored.guildID
        settings[.clientID] = stored.clientID
        settings[.clientSecret] = stored.clientSecretSealed.flatMap { open($0, field: .clientSecret)?.text }
        settings[.botToken] = stored.botTokenSealed.flatMap { open($0, field: .botToken)?.text }
        settings[.inviteURL] = stored.inviteURL
        settings[.nicknameTemplate] = stored.nicknameTemplate
        return settings
    }

    /// The sealed secrets' columns.
    private static var secrets: [(field: DiscordClientSettings.Field, column: WritableKeyPath<StoredClientSettings, [UInt8]?>)] {
        [
            (.clientSecret, \.clientSecretSealed), (.botToken, \.botTokenSealed),
        ]
    }

    /// Each secret saved in `stored`, and the id of the key it opens under (nil: no listed key opens it).
    public func secretKeyIDs(_ stored: StoredClientSettings) -> [(field: DiscordClientSettings.Field, keyID: String?)] {
        Self.secrets.compactMap { field, column in stored[keyPath: column].map { (field, open($0, field: field)?.keyID) } }
    }

    /// `stored` with each secret that opens under an older key sealed again under the newest, and how many were;
    /// nil when a secret opens under no listed key.
    public func resealingSecrets(_ stored: StoredClientSettings) throws -> (settings: StoredClientSettings, resealed: Int)? {
        var settings = stored
        var resealed = 0
        for (field, column) in Self.secrets {
            guard let sealed = settings[keyPath: column] else { continue }
            guard let opened = open(sealed, field: field) else { return nil }
            guard opened.keyID != newestKeyID else { continue }
            settings[keyPath: column] = try seal(opened.text, field: field)
            resealed += 1
        }
        return (settings, resealed)
    }

    /// The id of the key new seals are made under.
    public var newestKeyID: String { sealer.newestID }

    private func seal(_ text: String, field: DiscordClientSettings.Field) throws -> [UInt8] {
        try sealer.seal(Array(text.utf8), authenticating: Array(field.rawValue.utf8)).sealed
    }

    /// A sealed secret opened, and the id of the key that opened it; nil when no listed key does.
    private func open(_ sealed: [UInt8], field: DiscordClientSettings.Field) -> (text: String, keyID: String)? {
        guard let opened = sealer.open(sealed, authenticating: Array(field.rawValue.utf8)) else { return nil }
        return (String(decoding: opened.plaintext, as: UTF8.self), opened.keyID)
    }
}
