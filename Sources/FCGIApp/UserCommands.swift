import ArgumentParser
import Handlers
import Logging
import Store
import GuildGateCore

/// `guildgate-web users …`: what only an admin may do to a user's identity.
struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage users' linked Discord accounts and emails.", subcommands: [Unlink.self])

    /// `guildgate-web users unlink --email E | --discord-id D`: frees an email, or a Discord account, that
    /// someone else holds, so that its rightful owner can verify it.
    struct Unlink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Free a verified email, or unlink a Discord account (its user is signed out everywhere).")

        @Option(help: "Remove this email from the user who verified it.")
        var email: String?

        @Option(help: "Unlink this Discord account from its user.")
        var discordID: String?

        func validate() throws {
            guard (email == nil) != (discordID == nil) else { throw ValidationError("give exactly one of --email and --discord-id") }
            if let discordID, discordID.isEmpty || !discordID.utf8.allSatisfy({ (48...57).contains($0) }) {
                throw ValidationError("--discord-id must be a Discord id (digits only)")
            }
        }

        func run() throws {
            let logger = Launch.logger("guildgate-web")
            let settings = Launch.settings(logger: logger)
            let db = PostgresConnection(url: settings.databaseURL)
            let user = Launch.reporting(logger) { () throws -> User? in
                try Migrations.requireCurrent(db)
                let unlinking = AccountUnlinking(db: db, actor: .commandLine)
                if let email { return try unlinking.releaseEmail(email) }
                return try unlinking.unlinkDiscordAccount(discordID ?? "")
            }
            guard let user else {
                logger.error("no user holds that \(email == nil ? "Discord account" : "email"); nothing changed")
                throw ExitCode.failure
            }
            logger.info("unlinked", metadata: ["user_id": "\(user.id)"])
        }
    }
}
