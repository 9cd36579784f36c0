import Foundation
import GuildGateCore
import JSONSupport
import Store

/// `/admin` and `GET /api/admin/dashboard`: the bot's status, the counts, the problems sync runs stopped on
/// with their fixes, and the doctor's checks, run live within `adminDiscordBudget`.
enum DashboardRoutes {
    static func register(on router: inout Router) {
        router.get("/admin", .admin, page)
        router.get("/api/admin/dashboard", .admin, json)
    }

    private static func load(_ context: RequestContext) throws -> Dashboard {
        try Dashboard.load(
            db: context.db, settings: context.services.environment.settings, discord: context.adminDiscord(), now: context.now)
    }

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        let dashboard = try load(context)
        let counts = dashboard.counts
        let heartbeat = dashboard.bot.heartbeat
        var values: [String: Any] = [
            "bot_running": dashboard.bot.isRunning,
            "bot_seen": heartbeat.map { RelativeTime.ago($0.beatAt, now: context.now) } ?? "never",
            "counts": [
                ["label": "Users", "value": counts.users, "detail": "\(counts.linkedUsers) linked to Discord", "href": "/admin/users"],
                ["label": "Staff", "value": counts.staff, "detail": "active", "href": "/admin/staff"],
                ["label": "Files", "value": counts.files, "detail": ByteCount.format(counts.fileBytes), "href": "/files"],
                [
                    "label": "Failed jobs", "value": counts.failedJobs, "detail": "\(counts.pendingJobs) queued or running",
                    "href": "/admin/jobs",
                ],
            ] as [[String: Any]],
            "sync_problems": dashboard.syncProblems.map { problem -> [String: Any] in
                [
                    "kind": problem.kind, "message": problem.message,
                    "seen": problem.seenAt.map { RelativeTime.ago($0, now: context.now) } ?? "",
                ]
            },
            "has_sync_problems": !dashboard.syncProblems.isEmpty,
            "checks": dashboard.checks.map(checkValues),
            "healthy": dashboard.problemCount == 0,
        ]
        // Absent, not empty: Mustache renders a section for any string, "" included.
        values["bot_latency"] = heartbeat?.latencyMS.map { "\($0) ms" }
        return try context.renderAdmin("admin", .dashboard, values)
    }

    private static func checkValues(_ check: DoctorCheck) -> [String: Any] {
        switch check.outcome {
        case .ok(let detail): return ["name": check.name, "status": "ok", "detail": detail]
        case .problem(let detail, let fix): return ["name": check.name, "status": "problem", "problem": true, "detail": detail, "fix": fix]
        case .skipped(let reason): return ["name": check.name, "status": "skipped", "detail": reason]
        }
    }

    private static func json(_ request: Request, _ context: RequestContext) throws -> Response {
        let dashboard = try load(context)
        let counts = dashboard.counts
        return .json([
            "bot": RosterRoutes.statusJSON(dashboard.bot),
            "counts": [
                "users": .int(counts.users), "linked_users": .int(counts.linkedUsers), "staff": .int(counts.staff),
                "files": .int(counts.files), "file_bytes": .int(counts.fileBytes), "failed_jobs": .int(counts.failedJobs),
                "pending_jobs": .int(counts.pendingJobs),
            ],
            "sync_problems": .array(
                dashboard.syncProblems.map { problem in
                    [
                        "kind": .string(problem.kind), "message": .string(problem.message),
                        "seen_at": problem.seenAt.map(ISO8601Timestamp.format).json,
                    ]
                }),
            "checks": .array(dashboard.checks.map(\.json)),
        ])
    }
}
