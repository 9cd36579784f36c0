import ArgumentParser
import CurlHTTP
import DiscordKit
import Foundation
import Handlers
import JSONSupport
import Logging
import Store
import GuildGateCore

/// `guildgate-web doctor [--json]`: checks the settings in effect (the environment's, with what the admin
/// panel saved on top) against Discord and the database before going live; exits 1 when anything is wrong.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract:
            "Check the settings against Discord and the database: token, intents, guild, channel permissions, OAuth client, redirect URI.")

    @Flag(help: "Print the checks as JSON (for scripts).")
    var json = false

    func run() throws {
        let logger = Launch.logger("guildgate-web")
        let settings = LiveConfig(base: Launch.settings(logger: logger))
        let db = PostgresConnection(url: settings.base.databaseURL)
        // What the admin panel saved overrides the environment; a database that cannot be read is the
        // database check's to report.
        _ = try? settings.reload(from: db)
        let config = settings.current
        let discord = DiscordClient(
            configuration: config.discordConfiguration, transport: HTTPClient(), rateLimiter: RateLimiter(), logger: logger)
        let doctor = Doctor(config: config, discord: discord, db: db, names: .live(settings))
        let checks = doctor.run()
        let healthy = !checks.contains(where: \.isProblem)
        if json {
            print(JSON.object([("ok", .bool(healthy)), ("checks", .array(checks.map(\.json)))]).serialized)
        } else {
            for check in checks { print(check.line) }
            print(healthy ? "All checks passed." : "Fix the problems above, then run `guildgate-web doctor` again.")
        }
        if !healthy { throw ExitCode.failure }
    }
}
