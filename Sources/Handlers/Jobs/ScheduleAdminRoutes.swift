import Foundation
import GuildGateCore
import JSONSupport
import Store
import WireFormats

/// The periodic schedule in the admin panel (`ScheduleAdministration` has the rules): the
/// `/admin/schedules` page and `/api/admin/schedules…`: each schedule's interval, whether it is enabled,
/// last and next run and last result; switching it on or off, its interval, and "run now".
enum ScheduleAdminRoutes {
    static func register(on router: inout Router) {
        router.get("/admin/schedules", .admin) { request, context in try page(request, context) }
        router.post("/admin/schedules/{name}", .admin, csrf: .formField, updateForm)
        router.post("/admin/schedules/{name}/run", .admin, csrf: .formField, runForm)

        router.get("/api/admin/schedules", .admin) { _, context in
            .json(["schedules": .array(try administration(context).schedules().map { json($0) })])
        }
        router.get("/api/admin/schedules/{name}", .admin) { request, context in
            .json(json(try administration(context).schedule(name: try request.textParameter("name"))))
        }
        router.put("/api/admin/schedules/{name}", .admin, csrf: .header, update)
        router.post("/api/admin/schedules/{name}/run", .admin, csrf: .header) { request, context in
            JobRoutes.accepted(try administration(context).runNow(name: try request.textParameter("name")))
        }
    }

    /// What each of seed 004's schedules (and GuildGate's own) does, as the page says it.
    static let descriptions = [
        "groups.verify": "Verify groups: each linked member gets exactly the mapped roles of their groups",
        "nicknames.update": "Update nicknames and account names",
        "groups.remote_sync": "Verify groups with the remote server: the guild's whole member list",
        "presence.reconcile": "Reconcile the staff roster's presences",
        "files.cleanup": "Delete the Discord messages of deleted and failed files",
        "presence.history_prune": "Delete presence history older than GUILDGATE_PRESENCE_HISTORY_DAYS",
    ]

    private static func administration(_ context: RequestContext) throws -> ScheduleAdministration {
        ScheduleAdministration(db: context.db, actor: try context.auditActor(), guildID: context.config.discordGuildID)
    }

    /// `{"enabled": bool, "interval_seconds": n}`, either or both.
    private static func update(_ request: Request, _ context: RequestContext) throws -> Response {
        let name = try request.textParameter("name")
        var fields = JSONFields(try request.jsonObject())
        let enabled = fields.bool("enabled"), interval = fields.integer("interval_seconds")
        try fields.check()
        guard enabled != nil || interval != nil else { throw HTTPError.badRequest("Give enabled, interval_seconds or both.") }
        return .json(json(try administration(context).update(name: name, enabled: enabled, intervalSeconds: interval)))
    }

    static func json(_ schedule: Schedule) -> JSON {
        let latest: JSON =
            schedule.latestJob.map { job in
                [
                    "id": .int(job.id), "state": .string(job.state.rawValue), "last_error": job.lastError.json,
                    "finished_at": job.finishedAt.map(ISO8601Timestamp.format).json,
                ]
            } ?? .null
        return [
            "name": .string(schedule.name), "description": descriptions[schedule.name].json, "enabled": .bool(schedule.enabled),
            "interval_seconds": .int(schedule.intervalSeconds),
            "last_run_at": schedule.lastRunAt.map(ISO8601Timestamp.format).json,
            "next_run_at": (schedule.enabled ? schedule.nextRunAt : nil).map(ISO8601Timestamp.format).json,
            "last_result": lastResult(schedule).json, "latest_job": latest,
        ]
    }

    /// What the worker recorded for the last run, else how the kind's latest job went (`failed: …`).
    static func lastResult(_ schedule: Schedule) -> String? {
        if let recorded = schedule.lastResult { return recorded }
        guard let job = schedule.latestJob else { return nil }
        guard let error = job.lastError, job.state == .failed else { return job.state.rawValue }
        return "failed: \(error)"
    }

    // MARK: - Page

    private static func page(_ request: Request, _ context: RequestContext, errors: [FieldError] = [], status: HTTPStatus = .ok) throws
        -> Response
    {
        let schedules = try administration(context).schedules()
        return try AdminPage.render(
            "admin-schedules", .schedules,
            ["schedules": schedules.map { row($0, now: context.now) }, "empty": schedules.isEmpty],
            notices: ["saved": "Schedule saved.", "queued": "Job queued: a worker runs it now (see Jobs)."],
            errors: errors, status: status, context: context)
    }

    private static func row(_ schedule: Schedule, now: Date) -> [String: Any] {
        let (value, unit) = ScheduleInterval.split(schedule.intervalSeconds)
        var row: [String: Any] = [
            "name": schedule.name, "description": descriptions[schedule.name] ?? "", "enabled": schedule.enabled,
            "interval": ScheduleInterval.text(schedule.intervalSeconds), "interval_value": value,
            "units": ScheduleInterval.Unit.allCases.map { ["value": $0.rawValue, "selected": $0 == unit] },
            "last_run": schedule.lastRunAt.map { RelativeTime.ago($0, now: now) } ?? "never",
            "next_run": schedule.enabled ? schedule.nextRunAt.map { RelativeTime.until($0, now: now) } ?? "" : "disabled",
            "last_result": lastResult(schedule) ?? "",
        ]
        if let job = schedule.latestJob { row["job_id"] = job.id }
        return row
    }

    private static func updateForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try page(request, context, errors: errors, status: status)
        } action: {
            var errors: [FieldError] = []
            let seconds = ScheduleInterval.seconds(value: fields["interval"], unit: fields["unit"], errors: &errors)
            guard let seconds, errors.isEmpty else { throw HTTPError.validation(errors) }
            _ = try administration(context).update(
                name: try request.textParameter("name"), enabled: fields["enabled"] != nil, intervalSeconds: seconds)
            return "/admin/schedules?notice=saved"
        }
    }

    private static func runForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try page(request, context, errors: errors, status: status)
        } action: {
            _ = try administration(context).runNow(name: try request.textParameter("name"))
            return "/admin/schedules?notice=queued"
        }
    }
}
