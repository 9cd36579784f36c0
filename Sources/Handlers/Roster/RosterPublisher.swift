import CurlHTTP
import Foundation
import GuildGateCore
import JSONSupport
import Logging
import ProcessSupport
import Store

/// Publishes each change of a staff member's presence to nginx, which holds the subscribers of
/// `GET /api/staff/roster/events` (nchan, nginx/guildgate.conf.in). PostgreSQL says who changed
/// (`NOTIFY guildgate_roster` from a trigger on `presences`, whoever wrote the row); the publisher reads their
/// roster entries and POSTs each one, as the roster API writes it, to nginx's publisher location
/// (`GUILDGATE_EVENTS_PUBLISH_URL`). It runs on a thread of its own in guildgate-web, with its own connection:
/// the roster's JSON is the web's, so an event and `GET /api/staff/roster/` cannot disagree on a field.
///
/// Changes that arrive together for one member make one event, with their newest state. Changes made while the
/// publisher is away (PostgreSQL restarting, nginx unreachable) are not sent again: the page reloads the roster
/// when its stream breaks.
public final class RosterPublisher: Sendable {
    public static let notificationChannel = "guildgate_roster"

    private let settings: LiveConfig
    private let target: EventsPublishTarget
    private let logger: Logger

    public init(settings: LiveConfig, target: EventsPublishTarget, logger: Logger) {
        self.settings = settings
        self.target = target
        self.logger = logger
    }

    public func start() {
        OSThread.start(name: "roster-events") { [self] in run() }.detach()
    }

    private func run() {
        let db = PostgresConnection(url: settings.base.databaseURL)
        let nginx = HTTPClient(
            configuration: HTTPClient.Configuration(
                connectTimeout: .seconds(2), timeout: .seconds(5), maxResponseBytes: 64 << 10, unixSocket: target.unixSocket))
        logger.info("publishing roster events", metadata: ["to": "\(target.unixSocket.map { "unix:" + $0 } ?? target.url)"])
        while true {
            do {
                try db.listen(Self.notificationChannel)
                let changed = try db.waitForNotifications(timeout: .seconds(5))
                guard !changed.isEmpty else { continue }
                try publish(changed, db: db, to: nginx)
            } catch {
                logger.warning("cannot publish roster events; retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Publishes the entries of the members named (Discord ids, oldest change first), each once, in the order of
    /// their latest change; members no longer on the roster are left out.
    private func publish(_ discordIDs: [String], db: PostgresConnection, to nginx: HTTPClient) throws {
        var latest: [String: Int] = [:]
        for (position, id) in discordIDs.enumerated() { latest[id] = position }
        let entries = try Roster(db: db, guildID: settings.current.discordGuildID).entryJSON(discordIDs: Set(latest.keys))
        for discordID in latest.keys.sorted(by: { latest[$0, default: 0] < latest[$1, default: 0] }) {
            guard let entry = entries[discordID] else { continue }
            let event = HTTPRequest(method: "POST", url: target.url, headers: ["Content-Type": "application/json"], body: entry)
            let response = try nginx.send(event)
            guard (200..<300).contains(response.status) else {
                throw RosterPublisherError.refused(status: response.status)
            }
        }
    }
}
