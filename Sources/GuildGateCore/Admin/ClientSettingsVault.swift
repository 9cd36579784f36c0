import Crypto
import Foundation
import Store

/// Seals the client secret and the bot token for the database (AES-GCM under a key derived from
/// `GUILDGATE_SECRET_KEY`, the field's name as authenticated data, so a sealed token cannot pass for the
/// secret) and opens them again.
public struct ClientSettingsVault: Sendable {
    let keyBytes: [UInt8]

    public init(secretKey: [UInt8]) {
        keyBytes = Secrets.derivedKey(secretKey, purpose: "client-settings")
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public func seal(_ settings: DiscordClientSettings) throws -> StoredClientSettings {
        StoredClientSettings(
            name: settings[.name], callbackURL: settings[.callbackURL], guildID: settings[.guildID], clientID: settings[.clientID],
            clientSecretSealed: try settings[.clientSecret].map { try seal($0, field: .clientSecret) },
            botTokenSealed: try settings[.botToken].map { try seal($0, field: .botToken) },
            inviteURL: settings[.inviteURL], nicknameTemplate: settings[.nicknameTemplate])
    }

    /// The saved settings; a secret that no longer opens (the secret key changed) reads as not saved.
    public func open(_ stored: StoredClientSettings) -> DiscordClientSettings {
        var settings = DiscordClientSettings()
        settings[.name] = stored.name
        settings[.callbackURL] = stored.callbackURL
        settings[.guildID] = stored.guildID
        settings[.clientID] = stored.clientID
        settings[.clientSecret] = stored.clientSecretSealed.flatMap { open($0, field: .clientSecret) }
        settings[.botToken] = stored.botTokenSealed.flatMap { open($0, field: .botToken) }
        settings[.inviteURL] = stored.inviteURL
        settings[.nicknameTemplate] = stored.nicknameTemplate
        return settings
    }

    private func seal(_ text: String, field: DiscordClientSettings.Field) throws -> [UInt8] {
        let box = try AES.GCM.seal(Array(text.utf8), using: key, authenticating: Array(field.rawValue.utf8))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Array(combined)
    }

    private func open(_ sealed: [UInt8], field: DiscordClientSettings.Field) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Array(field.rawValue.utf8))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
