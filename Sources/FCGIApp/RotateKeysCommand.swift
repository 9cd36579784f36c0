import ArgumentParser
import CurlHTTP
import DiscordKit
import Foundation
import Logging
import Store
import GuildGateCore

/// `guildgate-web rotate-keys [--dry-run]`: seals the stored secrets and files' data keys again under the newest
/// `GUILDGATE_SECRET_KEY` (README: "Rotating the secret key").
struct RotateKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-keys",
        abstract:
            "Seal the saved Discord secrets and every file's data key again under the newest GUILDGATE_SECRET_KEY, so the older keys can be removed.",
        discussion: """
            GUILDGATE_SECRET_KEY lists the keys, newest first, comma-separated. Run this once every process has been \
            restarted with the new list; then the older keys can be removed. It changes nothing when anything opens \
            with none of the listed keys (each such row is named), and is safe to run while GuildGate runs, and again.
            """)

    @Flag(help: "Only say what would be sealed again, and what cannot be opened; change nothing.")
    var dryRun = false

    func run() throws {
        let logger = Launch.logger("guildgate-web")
        let settings = LiveConfig(base: Launch.settings(logger: logger))
        let db = PostgresConnection(url: settings.base.databaseURL)
        let keys = settings.base.secretKeys
        let report = Launch.reporting(logger) { () throws -> KeyRotation.Report in
            try Migrations.requireCurrent(db)
            // The bot token saved at /admin/client, if any, reads the first chunks of files stored before key ids.
            try settings.reload(from: db)
            let rateLimiter = RateLimiter()
            let rotation = KeyRotation(keys: keys, db: db, logger: logger) { logger in
                DiscordClient(
                    configuration: settings.current.discordConfiguration, transport: HTTPClient(), rateLimiter: rateLimiter, logger: logger)
            }
            do {
                return try rotation.run(dryRun: dryRun)
            } catch let refusal as KeyRotation.CannotOpen {
                for problem in refusal.problems { logger.error("cannot open \(problem)") }
                throw refusal
            }
        }
        print(
            (dryRun ? "rotate-keys --dry-run (nothing was changed): " : "rotate-keys: ")
                + "newest key \(keys.newest.id) of \(keys.all.count) listed; " + (dryRun ? "would be " : "") + report.summary)
        logger.info(
            dryRun ? "dry run: nothing was changed" : "secret keys rotated",
            metadata: ["newest_key": "\(keys.newest.id)", "listed_keys": "\(keys.all.map(\.id).joined(separator: ","))"])
        if report.uploadsLeft > 0 || report.changedMeanwhile > 0 {
            logger.notice("some files were left or changed meanwhile: run rotate-keys again once the uploads in progress have ended")
        }
    }
}
