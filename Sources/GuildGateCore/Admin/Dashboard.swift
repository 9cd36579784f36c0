import CurlHTTP
import DiscordKit
import Foundation
import Store

/// What `/admin` shows: the bot's status, what the site holds, the problems a sync run stopped on (each with
/// its fix), and the checks of `guildgate-web doctor` run live on the settings in effect.
public struct Dashboard: Sendable {
    public let bot: BotStatus
    public let counts: DashboardCounts
    public let syncProblems: [SyncProblem]
    public let checks: [DoctorCheck]

    /// - Parameter discord: a client with the settings in effect; a transport with a deadline
    ///   (`DeadlineTransport`) keeps a slow Discord from holding the page.
    public static func load(db: PostgresConnection, settings: LiveConfig, discord: DiscordClient, now: Date) throws -> Dashboard {
        let config = settings.current
        return Dashboard(
            bot: try Roster(db: db, guildID: config.discordGuildID).botStatus(now: now),
            counts: try DashboardStore(db).counts(),
            syncProblems: try SyncProblemStore(db).all(),
            checks: Doctor(config: config, discord: discord, db: db, names: .live(settings)).run())
    }

    public var problemCount: Int { checks.filter(\.isProblem).count + syncProblems.count }
}
