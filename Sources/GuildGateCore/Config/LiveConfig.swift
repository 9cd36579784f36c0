import Foundation
import Store
import Synchronization

/// The settings a running process uses: the environment's, with what the admin panel saved on top. Every
/// process reloads it when `client_settings` changes (`ClientSettingsStore.notificationChannel`), so new
/// settings apply without a restart.
public final class LiveConfig: Sendable {
    /// The settings from the environment and `.env`: the fallback of every field.
    public let base: AppConfig
    private let state: Mutex<(config: AppConfig, saved: DiscordClientSettings)>
    private let vault: ClientSettingsVault

    public init(base: AppConfig) {
        self.base = base
        state = Mutex((base, DiscordClientSettings()))
        vault = ClientSettingsVault(keys: base.secretKeys)
    }

    public var current: AppConfig { state.withLock { $0.config } }
    public var saved: DiscordClientSettings { state.withLock { $0.saved } }

    /// Where `field`'s effective value comes from.
    public func source(of field: DiscordClientSettings.Field) -> DiscordClientSettings.Source {
        if saved[field] != nil { return .saved }
        return base[field] != nil ? .environment : .unset
    }

    /// Reads the saved settings again; returns whether the effective settings changed.
    @discardableResult
    public func reload(from db: PostgresConnection) throws -> Bool {
        let saved = try ClientSettingsStore(db).load().map(vault.open) ?? DiscordClientSettings()
        let config = base.overridden(by: saved)
        return state.withLock { state in
            let changed = state.saved != saved
            state = (config, saved)
            return changed
        }
    }

    /// Saves `settings` (sealing the secrets) and applies them here at once; other processes follow the
    /// notification.
    public func save(_ settings: DiscordClientSettings, by actor: String, to db: PostgresConnection) throws {
        try ClientSettingsStore(db).save(try vault.seal(settings), by: actor)
        try reload(from: db)
    }
}
