import JSONSupport
import Foundation
import Store
import GuildGateCore

/// The staff presence roster: the `/staff/roster` page and its JSON API, the bot's status, and the
/// manual presence sync (a job the bot runs).
enum StaffRoutes {
    /// The bot counts as running while its heartbeat is younger than this.
    static let heartbeatFreshness: TimeInterval = 30
    static let statuses = ["online", "idle", "dnd", "offline"]

    static func register(on router: inout Router) {
        router.get("/api/staff/roster", .roster, roster)
        router.get("/api/staff/discord/status", .anyone, status)
        router.post("/api/staff/discord/sync", .admin, csrf: .header, sync)
        router.get("/api/jobs/{id}", .admin, job)
        router.get("/staff/roster", .roster, page)
    }

    private static func roster(_ request: Request, _ context: RequestContext) throws -> Response {
        let entries = try StaffStore(context.db).roster(guildID: context.config.discordGuildID)
        return .json(.array(entries.map(json)))
    }

    private static func status(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(statusJSON(try botStatus(context)))
    }

    private static func sync(_ request: Request, _ context: RequestContext) throws -> Response {
        let job = try JobStore(context.db).enqueue(.presenceReconcile(guildID: context.config.discordGuildID, requestedBy: "api"))
        context.logger.info("presence sync requested", metadata: ["job_id": "\(job.id)"])
        var response = Response.json(["success": true, "job_id": .int(job.id), "status": .string(job.state.rawValue)], status: .accepted)
        response.addHeader("Location", "/api/jobs/\(job.id)")
        return response
    }

    private static func job(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let id = request.parameters["id"].flatMap(Int.init), id > 0 else { throw HTTPError.notFound }
        guard let job = try JobStore(context.db).job(id: id) else { throw HTTPError.notFound }
        return .json([
            "id": .int(job.id), "kind": .string(job.kind), "state": .string(job.state.rawValue),
            "attempts": .int(job.attempts), "max_attempts": .int(job.maxAttempts), "last_error": job.lastError.json,
            "result": job.result ?? .null,
            "created_at": job.createdAt.map(ISO8601Timestamp.format).json, "finished_at": job.finishedAt.map(ISO8601Timestamp.format).json,
        ])
    }

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        let filter = request.query["status"].flatMap { statuses.contains($0) ? $0 : nil }
        let entries = try StaffStore(context.db).roster(guildID: context.config.discordGuildID)
            .filter { filter == nil || $0.status == filter }
        let bot = try botStatus(context)
        return try context.render(
            "staff-roster",
            [
                "staff": entries.map { entry -> [String: Any] in
                    [
                        "name": entry.name, "rank": entry.rank, "status": entry.status,
                        "status_label": label(entry.status), "custom_status": entry.customStatus ?? "",
                        "activity": entry.activity ?? "",
                        "updated": entry.statusUpdatedAt.map { ISO8601Timestamp.format($0) } ?? "",
                        "updated_ago": entry.statusUpdatedAt.map { RelativeTime.ago($0, now: context.now) } ?? "never",
                    ]
                },
                "filters": ([nil] + statuses).map { status -> [String: Any] in
                    ["value": status ?? "", "label": status.map(label) ?? "All", "selected": status == filter]
                },
                "bot_running": bot.isRunning,
                "empty": entries.isEmpty,
            ])
    }

    struct BotStatus {
        let heartbeat: BotHealth?
        let isRunning: Bool
    }

    static func botStatus(_ context: RequestContext) throws -> BotStatus {
        let heartbeat = try BotHealthStore(context.db).latest(guildID: context.config.discordGuildID)
        let fresh = heartbeat.map { context.now.timeIntervalSince($0.beatAt) < heartbeatFreshness } ?? false
        return BotStatus(heartbeat: heartbeat, isRunning: fresh)
    }

    static func statusJSON(_ status: BotStatus) -> JSON {
        [
            "is_running": .bool(status.isRunning),
            "guild_id": (status.heartbeat?.guildID).json,
            "latency_ms": status.heartbeat?.latencyMS.map(JSON.int) ?? .null,
            "last_heartbeat": status.heartbeat.map { ISO8601Timestamp.format($0.beatAt) }.json,
        ]
    }

    static func json(_ entry: RosterEntry) -> JSON {
        [
            "id": .int(entry.id), "name": .string(entry.name), "rank": .string(entry.rank),
            "discord_id": .string(entry.discordID), "discord_status": .string(entry.status),
            "discord_custom_status": entry.customStatus.json, "discord_activity": entry.activity.json,
            "discord_status_updated": entry.statusUpdatedAt.map(ISO8601Timestamp.format).json,
        ]
    }

    static func label(_ status: String) -> String {
        switch status {
        case "online": return "Online"
        case "idle": return "Idle"
        case "dnd": return "Do Not Disturb"
        default: return "Offline"
        }
    }
}

/// "just now", "2 min ago", "3 h ago", "5 days ago".
enum RelativeTime {
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86400: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86400) days ago"
        }
    }
}
