import Foundation
import JSONSupport
import Store

/// `GET /healthz`, liveness: 200 while the process answers, whatever the database does (an orchestrator must
/// not restart it for an outage a restart cannot fix), naming what the threads' connections last learned of
/// PostgreSQL and since when it is down; no round trip of its own, so it stays cheap to probe. `GET /readyz`, readiness: 503 unless
/// PostgreSQL answers within ``readinessBound``.
enum HealthRoutes {
    static let readinessBound = Duration.seconds(1)

    static func register(on router: inout Router) {
        router.get("/healthz", .anyone) { _, context in
            let database = context.services.environment.databaseHealth.status
            var members: [(String, JSON)] = [("status", "ok"), ("database", .string(database.name))]
            if case .down(let since) = database {
                members.append(("database_down_since", .string(since.formatted(Date.ISO8601FormatStyle()))))
            }
            return .json(.object(members))
        }
        router.get("/readyz", .anyone) { _, context in
            do throws(StoreError) {
                try context.db.ping(timeout: readinessBound)
                return .json(["status": "ready", "database": "up"])
            } catch {
                context.logger.notice("not ready: the database does not answer", metadata: ["error": "\(error)"])
                var response = Response.json(["status": "unavailable", "database": "down"], status: .serviceUnavailable)
                for (name, value) in error.headers { response.addHeader(name, value) }
                return response
            }
        }
    }
}
