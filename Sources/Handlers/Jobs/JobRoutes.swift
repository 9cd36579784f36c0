import JSONSupport
import Store

/// `GET /api/jobs/{id}`: where a queued job (a presence sync, a file cleanup) stands.
enum JobRoutes {
    static func register(on router: inout Router) {
        router.get("/api/jobs/{id}", .admin, job)
    }

    private static func job(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let id = request.parameters["id"].flatMap(Int.init), id > 0, let job = try JobStore(context.db).job(id: id) else {
            throw HTTPError.notFound
        }
        return .json([
            "id": .int(job.id), "kind": .string(job.kind), "state": .string(job.state.rawValue),
            "attempts": .int(job.attempts), "max_attempts": .int(job.maxAttempts), "last_error": job.lastError.json,
            "result": job.result ?? .null,
            "created_at": job.createdAt.map(ISO8601Timestamp.format).json, "finished_at": job.finishedAt.map(ISO8601Timestamp.format).json,
        ])
    }
}
