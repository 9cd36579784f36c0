import ArgumentParser
import DiscordKit
import Foundation
import Handlers
import JSONSupport
import Logging
import Store
import GuildGateCore

/// `guildgate-web doctor [--json]`: checks a configuration against Discord and the database before going
/// live; exits 1 when anything is wrong.
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
        // What the admin panel saved is checked too, when the database can say.
        try? settings.reload(from: PostgresConnection(url: settings.base.databaseURL))
        let config = settings.current
        let discord = DiscordClient(
            configuration: config.discordConfiguration, transport: HTTPClient(), rateLimiter: RateLimiter(), logger: logger)
        let doctor = Doctor(config: config, discord: discord, db: PostgresConnection(url: config.databaseURL))
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
