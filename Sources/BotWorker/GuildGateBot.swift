import ArgumentParser
import Foundation
import Handlers
import Store

@main
struct GuildGateBot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guildgate-bot",
        abstract: "GuildGate's bot worker: the Discord gateway session, jobs and schedules.",
        subcommands: [Run.self])
}

/// `guildgate-bot run`. For now it checks that the database is reachable and migrated, then exits:
/// the gateway session, the job queue and the schedules arrive with the bot-worker issue.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the bot worker.")

    func run() throws {
        let logger = Launch.logger("guildgate-bot")
        Launch.checkDatabase(Launch.settings(logger: logger), logger: logger)
        logger.info("database reachable; the gateway worker is not part of this build yet, exiting")
    }
}
