import Foundation
import Logging
import ProcessSupport
import Store

/// Keeps a process's `LiveConfig` current: it reloads the saved client settings at start and whenever they
/// change (`LISTEN guildgate_settings`), on a thread of its own with its own connection. While PostgreSQL is
/// away it retries; a notification missed meanwhile is made up for by the reload after reconnecting.
public final class SettingsWatcher: Sendable {
    private let settings: LiveConfig
    private let logger: Logger
    private let onChange: @Sendable (AppConfig) -> Void
    private let stopping = Latch()
    private let ended = Latch()

    /// - Parameter onChange: called on the watcher's thread after a reload that changed the settings.
    public init(settings: LiveConfig, logger: Logger, onChange: @escaping @Sendable (AppConfig) -> Void = { _ in }) {
        self.settings = settings
        self.logger = logger
        self.onChange = onChange
    }

    public func start() {
        OSThread.start(name: "settings") { [self] in
            watch()
            ended.open()
        }.detach()
    }

    /// Stops watching within `timeout`.
    public func stop(timeout: Duration = .seconds(2)) {
        stopping.open()
        _ = ended.block(timeout: timeout)
    }

    private func watch() {
        let db = PostgresConnection(url: settings.base.databaseURL) { [stopping] in stopping.isOpen }
        var needsReload = true
        while !stopping.isOpen {
            do {
                try db.listen(ClientSettingsStore.notificationChannel)
                if needsReload {
                    if try settings.reload(from: db) {
                        logger.notice("client settings changed; now in effect")
                        onChange(settings.current)
                    }
                    needsReload = false
                }
                needsReload = !(try db.waitForNotifications(timeout: .seconds(1))).isEmpty
            } catch {
                guard !stopping.isOpen else { return }
                logger.warning("cannot follow the client settings; retrying", metadata: ["error": "\(error)"])
                needsReload = true
                _ = stopping.block(timeout: .seconds(5))
            }
        }
    }
}
