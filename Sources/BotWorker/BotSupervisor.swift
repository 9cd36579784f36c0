import Foundation
import GuildGateCore
import Logging
import ProcessSupport
import Synchronization

/// Runs the bot on the settings in effect and starts it again when a new bot token or guild is saved in the
/// admin panel. Settings that do not work after such a change (Discord refuses the token) leave it waiting for
/// the next change rather than ending the process, which would only start again on the same settings. At
/// first start, unusable settings end it as before: 1, or 78 (EX_CONFIG) when Discord refuses the bot.
final class BotSupervisor: Sendable {
    private let settings: LiveConfig
    private let logger: Logger
    private let current = Mutex<Bot?>(nil)
    private let stopping = Latch()
    /// A settings change or a stop: what a wait for new settings ends on.
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(settings: LiveConfig, logger: Logger) {
        self.settings = settings
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The settings watcher's report: a new bot token or guild restarts the session.
    @Sendable func settingsChanged(_ config: AppConfig) {
        wake.yield()
        guard let bot = current.withLock({ $0 }), bot.isOutdated(by: config) else { return }
        Task { await bot.restart() }
    }

    /// SIGTERM or SIGINT: ends the bot running now, or the wait for new settings.
    func stop() async {
        stopping.open()
        wake.yield()
        await current.withLock { $0 }?.shutdown()
    }

    func run() async {
        var afterChange = false
        while !stopping.isOpen {
            let setup: BotSetup
            do {
                setup = try BotSetup(config: settings.current, logger: logger)
            } catch {
                guard afterChange else { Self.exit(1, "\(error)", logger) }
                await waitForNewSettings(because: "\(error)")
                continue
            }
            let bot = Bot(setup: setup, settings: settings, logger: logger)
            current.withLock { $0 = bot }
            // A stop that came while the bot was being made found none to stop.
            guard !stopping.isOpen else { return }
            do {
                try await bot.run()
            } catch {
                let reason = setup.explain(error, logger: logger)
                guard afterChange else { Self.exit(78, reason, logger) }
                current.withLock { $0 = nil }
                await waitForNewSettings(because: reason)
                continue
            }
            guard bot.wasRestarted else { return }
            afterChange = true
        }
    }

    private func waitForNewSettings(because reason: String) async {
        logger.critical("the saved settings do not work: \(reason). Waiting for new settings (admin panel → Discord client).")
        for await _ in wakeups { return }
    }

    private static func exit(_ status: Int32, _ message: String, _ logger: Logger) -> Never {
        logger.critical("\(message)")
        Foundation.exit(status)
    }
}
