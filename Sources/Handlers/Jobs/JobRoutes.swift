import JSONSupport
import Store

/// `GET /api/jobs/{id}`: where a queued job (a presence sync, a file cleanup) stands.
enum JobRoutes {
    static func register(on router: inout Router) {
        router.get("/api/jobs/{id}", .admin, job)
    }

    private static func job(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let job = try JobStore(context.db).job(id: try request.idParameter()) else { throw HTTPError.notFound }
        return .json(json(job))
    }

    static func json(_ job: Job) -> JSON {
        [
            "id": .int(job.id), "kind": .string(job.kind), "state": .string(job.state.rawValue),
            "attempts": .int(job.attempts), "max_attempts": .int(job.maxAttempts), "last_error": job.lastError.json,
            "result": job.result ?? .null, "run_at": job.runAt.map(ISO8601Timestamp.format).json,
            "created_at": job.createdAt.map(ISO8601Timestamp.format).json, "finished_at": job.finishedAt.map(ISO8601Timestamp.format).json,
        ]
    }

    /// `202 Accepted` for a job just queued, with where to follow it.
    static func accepted(_ job: Job) -> Response {
        var response = Response.json(["success": true, "job_id": .int(job.id), "status": .string(job.state.rawValue)], status: .accepted)
        response.addHeader("Location", "/api/jobs/\(job.id)")
        return response
    }
}
