import Foundation
import GuildGateCore
import JSONSupport
import Store
import WireFormats

/// The job queue in the admin panel (`JobAdministration` has the rules): the `/admin/jobs` page and
/// `/api/admin/jobs…`: jobs by state with their errors, retrying a failed job, cancelling a queued one.
enum JobAdminRoutes {
    static func register(on router: inout Router) {
        router.get("/admin/jobs", .admin) { request, context in try page(request, context) }
        router.post("/admin/jobs/{id}/retry", .admin, csrf: .formField) {
            try actionForm($0, $1, notice: "retried", JobAdministration.retry)
        }
        router.post("/admin/jobs/{id}/cancel", .admin, csrf: .formField) {
            try actionForm($0, $1, notice: "cancelled", JobAdministration.cancel)
        }

        router.get("/api/admin/jobs", .admin, list)
        router.post("/api/admin/jobs/{id}/retry", .admin, csrf: .header) { request, context in
            .json(JobRoutes.json(try administration(context).retry(id: try request.idParameter())))
        }
        router.post("/api/admin/jobs/{id}/cancel", .admin, csrf: .header) { request, context in
            .json(JobRoutes.json(try administration(context).cancel(id: try request.idParameter())))
        }
    }

    private static func administration(_ context: RequestContext) throws -> JobAdministration {
        JobAdministration(db: context.db, actor: try context.auditActor())
    }

    /// `?state=` (one of `Job.State`; every state when absent), `?limit=`, `?before=`.
    private static func jobs(_ request: Request, _ context: RequestContext) throws -> (JobAdministration.Page, state: Job.State?) {
        let query = try ListQuery(request, maxLimit: JobAdministration.maxPageSize)
        var state: Job.State?
        if let text = request.query["state"], !text.isEmpty {
            guard let known = Job.State(rawValue: text) else {
                let states = Job.State.allCases.map(\.rawValue).joined(separator: ", ")
                throw HTTPError.validation([FieldError("state", "must be one of: \(states)")])
            }
            state = known
        }
        return (try administration(context).list(state: state, limit: query.limit, beforeID: query.beforeID), state)
    }

    private static func list(_ request: Request, _ context: RequestContext) throws -> Response {
        let (page, _) = try jobs(request, context)
        let counts = try administration(context).counts()
        return .json([
            "jobs": .array(page.jobs.map(JobRoutes.json)),
            "counts": .object(Job.State.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) }),
            "next_before": page.nextBeforeID.map(JSON.int) ?? .null,
        ])
    }

    // MARK: - Page

    private static func page(_ request: Request, _ context: RequestContext, errors: [FieldError] = [], status: HTTPStatus = .ok) throws
        -> Response
    {
        let (page, state) = try jobs(request, context)
        let counts = try administration(context).counts()
        var values: [String: Any] = [
            "jobs": page.jobs.map { row($0, now: context.now) }, "empty": page.jobs.isEmpty,
            "filters": ([nil] + Job.State.allCases).map { filter -> [String: Any] in
                [
                    "href": filter.map { "/admin/jobs?state=\($0.rawValue)" } ?? "/admin/jobs",
                    "label": filter?.rawValue.capitalized ?? "All",
                    "count": filter.map { counts[$0] ?? 0 } ?? counts.values.reduce(0, +), "selected": filter == state,
                ]
            },
        ]
        if let before = page.nextBeforeID {
            values["next_page"] = FormEncoding.appendQuery(
                (state.map { [("state", $0.rawValue)] } ?? []) + [("before", String(before))], to: "/admin/jobs")
        }
        return try AdminPage.render(
            "admin-jobs", .jobs, values,
            notices: ["retried": "Job queued again; a worker runs it now.", "cancelled": "Job cancelled."],
            errors: errors, status: status, context: context)
    }

    private static func row(_ job: Job, now: Date) -> [String: Any] {
        var row: [String: Any] = [
            "id": job.id, "kind": job.kind, "state": job.state.rawValue, "attempts": job.attempts, "max_attempts": job.maxAttempts,
            "requested_by": job.payload["requested_by"]?.string ?? "", "error": job.lastError ?? "",
            "created": job.createdAt.map { RelativeTime.ago($0, now: now) } ?? "",
            "retryable": job.state == .failed || job.state == .cancelled, "cancellable": job.state == .queued,
        ]
        if let finished = job.finishedAt { row["finished"] = RelativeTime.ago(finished, now: now) }
        if job.state == .queued, let runAt = job.runAt, runAt > now { row["due"] = RelativeTime.until(runAt, now: now) }
        return row
    }

    private static func actionForm(
        _ request: Request, _ context: RequestContext, notice: String, _ action: (JobAdministration) -> (Int) throws -> Job
    ) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try page(request, context, errors: errors, status: status)
        } action: {
            let job = try action(try administration(context))(try request.idParameter())
            return "/admin/jobs?notice=\(notice)&state=\(job.state.rawValue)"
        }
    }
}
