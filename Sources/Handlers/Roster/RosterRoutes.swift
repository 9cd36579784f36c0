import Foundation
import GuildGateCore
import JSONSupport
import Store

/// The staff presence roster over HTTP (`Roster`): the `/staff/roster` page and its JSON API, the bot's
/// status, and the manual presence sync (a job the bot runs).
enum RosterRoutes {
    static func register(on router: inout Router) {
        router.get("/api/staff/roster", .roster, roster)
        router.get("/api/staff/discord/status", .anyone, status)
        router.post("/api/staff/discord/sync", .admin, csrf: .header, sync)
        router.get("/staff/roster", .roster, page)
    }

    /// The roster as JSON written straight from the rows (`Roster.answer`), tagged with the data's version: a
    /// client that sends the current tag in `If-None-Match` gets 304 without the rows being read. `no-cache`
    /// (not the default `no-store`) lets a client keep the answer and ask whether it is still current.
    private static func roster(_ request: Request, _ context: RequestContext) throws -> Response {
        let roster = Roster(context)
        if request.header("if-none-match") != nil {
            let tag = EntityTag(try roster.version())
            if tag.isCurrent(for: request) { return Response(status: .notModified, headers: validators(tag)) }
        }
        let answer = try roster.answer()
        return Response(
            headers: [("Content-Type", "application/json; charset=utf-8")] + validators(EntityTag(answer.version)),
            body: .bytes(answer.json))
    }

    private static func validators(_ tag: EntityTag) -> [(String, String)] {
        [("ETag", tag.header), ("Cache-Control", "private, no-cache")]
    }

    private static func status(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(statusJSON(try Roster(context).botStatus(now: context.now)))
    }

    private static func sync(_ request: Request, _ context: RequestContext) throws -> Response {
        let job = try JobStore(context.db).enqueue(.presenceReconcile(guildID: context.config.discordGuildID, requestedBy: "api"))
        context.logger.info("presence sync requested", metadata: ["job_id": "\(job.id)"])
        return JobRoutes.accepted(job)
    }

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        let filter = request.query["status"].flatMap { Roster.statuses.contains($0) ? $0 : nil }
        let roster = Roster(context)
        let entries = try roster.entries(status: filter)
        let bot = try roster.botStatus(now: context.now)
        return try context.render(
            "staff-roster",
            [
                "staff": entries.map { entry -> [String: Any] in
                    [
                        "id": entry.id, "name": entry.name, "rank": entry.rank, "status": entry.status,
                        "status_label": Roster.label(entry.status), "custom_status": entry.customStatus ?? "",
                        "activity": entry.activity ?? "",
                        "updated": entry.statusUpdatedAt.map { ISO8601Timestamp.format($0) } ?? "",
                        "updated_ago": entry.statusUpdatedAt.map { RelativeTime.ago($0, now: context.now) } ?? "never",
                    ]
                },
                "filters": ([nil] + Roster.statuses).map { status -> [String: Any] in
                    ["value": status ?? "", "label": status.map(Roster.label) ?? "All", "selected": status == filter]
                },
                "bot_running": bot.isRunning,
                "empty": entries.isEmpty,
            ])
    }

    static func statusJSON(_ status: BotStatus) -> JSON {
        [
            "is_running": .bool(status.isRunning),
            "guild_id": (status.heartbeat?.guildID).json,
            "latency_ms": status.heartbeat?.latencyMS.map(JSON.int) ?? .null,
            "last_heartbeat": status.heartbeat.map { ISO8601Timestamp.format($0.beatAt) }.json,
        ]
    }
}

extension Roster {
    init(_ context: RequestContext) {
        self.init(db: context.db, guildID: context.config.discordGuildID)
    }
}
