import ArgumentParser
import CurlHTTP
import DiscordGateway
import DiscordKit
import Foundation
import GuildGateCore
import JSONSupport
import Logging
import ProcessSupport
import Store
import Synchronization

@main
struct GuildGateBot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guildgate-bot",
        abstract: "GuildGate's bot worker: the Discord gateway session, jobs and schedules.",
        subcommands: [Run.self])
}

/// `guildgate-bot run`: holds the gateway session until SIGTERM or SIGINT, then exits 0 within 10 s
/// whatever it is doing: closes the gateway session, lets the job in hand finish if it can (else leaves it
/// to its lease), writes what is pending. Exits 1 when the settings or the database are unusable at
/// start, and 78 (EX_CONFIG) when Discord refuses the bot for good (bad token, intents).
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the bot worker.")

    func run() async throws {
        let logger = Launch.logger("guildgate-bot")
        // First, so that a signal during start-up (a database or Discord that does not answer) ends it too.
        let signals = ShutdownSignals()
        let started = Mutex<BotSupervisor?>(nil)
        let watcher = Task {
            guard await signals.wait() != nil else { return }
            guard let supervisor = started.withLock({ $0 }) else {
                logger.info("stopped during start-up")
                Foundation.exit(0)
            }
            await supervisor.stop()
        }
        defer { watcher.cancel() }

        let settings = LiveConfig(base: Launch.settings(logger: logger))
        let metrics = await MetricsListener.start(port: settings.base.botMetricsPort, logger: logger)
        defer { metrics?.cancel() }
        Launch.checkDatabase(settings.base, logger: logger)
        Launch.reporting(logger) { try settings.reload(from: PostgresConnection(url: settings.base.databaseURL)) }
        let supervisor = BotSupervisor(settings: settings, logger: logger)
        started.withLock { $0 = supervisor }
        let settingsWatcher = SettingsWatcher(settings: settings, logger: logger, onChange: supervisor.settingsChanged)
        settingsWatcher.start()
        defer { settingsWatcher.stop() }
        await supervisor.run()
    }
}

/// Settings the bot needs beyond the shared ones, checked before anything starts.
struct BotSetup: Sendable {
    let config: AppConfig
    let token: String
    let guildID: String
    let intents: GatewayIntents
    let plan: GatewayPlan
    let worker: String
    /// One limiter for every REST call the process makes, as Discord counts them per bot.
    let rateLimiter = RateLimiter()

    init(config: AppConfig, logger: Logger) throws {
        self.config = config
        guard let token = config.discordBotToken else { throw ConfigError.missing("DISCORD_BOT_TOKEN") }
        guard let guildID = config.discordGuildID else { throw ConfigError.missing("DISCORD_GUILD_ID") }
        self.token = token
        self.guildID = guildID
        intents = try config.gatewayIntents()
        let discord = DiscordClient(
            configuration: config.discordConfiguration, transport: HTTPClient(), rateLimiter: rateLimiter, logger: logger)
        plan = try GatewayPlan.discover(discord, configuredURL: config.discordGatewayURL)
        worker = "\(ProcessInfo.processInfo.hostName):\(getpid())"
    }

    /// A REST client with its own curl handle, paced by the process-wide rate limiter.
    func discord(logger: Logger) -> DiscordClient {
        DiscordClient(configuration: config.discordConfiguration, transport: HTTPClient(), rateLimiter: rateLimiter, logger: logger)
    }

    /// The operator's message for a fatal gateway error; for 4014 it asks Discord which of the requested
    /// privileged intents are switched off, so the message names exactly those.
    func explain(_ error: any Error, logger: Logger) -> String {
        guard case GatewayFatalError.disallowedIntents(let requested, nil) = error else { return "\(error)" }
        guard let application = try? discord(logger: logger).currentApplication() else { return "\(error)" }
        let disabled = requested.subtracting(GatewayIntents.enabledPrivileged(applicationFlags: application.flags))
        return "\(GatewayFatalError.disallowedIntents(requested: requested, disabled: disabled.isEmpty ? nil : disabled))"
    }
}
