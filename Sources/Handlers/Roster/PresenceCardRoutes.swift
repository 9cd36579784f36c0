import Foundation
import GuildGateCore
import JSONSupport
import Store

/// The public presence cards (Lanyard-style): `GET /api/presence/{discord_id}` as JSON and
/// `GET /api/presence/{discord_id}.svg` as a badge, for anyone (any origin), with an `ETag` and a short `max-age`. A
/// member whose card is not public answers 404, as an unknown one does.
enum PresenceCardRoutes {
    static let cacheControl = ("Cache-Control", "public, max-age=30")
    /// Public data, read without credentials: any site's script may fetch it.
    static let anyOrigin = ("Access-Control-Allow-Origin", "*")

    static func register(on router: inout Router) {
        router.get("/api/presence/{card}", .anyone, card)
    }

    private static func card(_ request: Request, _ context: RequestContext) throws -> Response {
        let requested = request.parameters["card"] ?? ""
        let badge = requested.hasSuffix(".svg")
        let discordID = badge ? String(requested.dropLast(4)) : requested
        guard DiscordID.isValid(discordID),
            let card = try PresenceCardStore(context.db).card(discordID: discordID, guildID: context.config.discordGuildID)
        else { throw HTTPError.notFound }
        guard badge else {
            return EntityTag.conditional(
                request, body: Array(json(card).serialized.utf8),
                headers: [("Content-Type", "application/json; charset=utf-8"), cacheControl, anyOrigin])
        }
        return EntityTag.conditional(
            request, body: Array(PresenceBadge.svg(card).utf8),
            headers: [
                ("Content-Type", "image/svg+xml; charset=utf-8"), cacheControl, anyOrigin,
                // Opened on its own, the picture runs nothing and loads nothing.
                ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
            ])
    }

    static func json(_ card: PresenceCard) -> JSON {
        [
            "discord_id": .string(card.discordID), "name": .string(card.name), "status": .string(card.status),
            "custom_status": card.customStatus.json, "activity": card.activity.json,
            "last_seen": card.lastSeenAt.map(ISO8601Timestamp.format).json,
        ]
    }
}
