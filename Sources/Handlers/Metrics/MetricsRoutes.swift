import GuildGateCore

/// `GET /metrics`: every series of this process in Prometheus' text format, the job queue read from the
/// database as it is scraped. For the API token only: behind nginx a loopback client address proves nothing
/// (a proxy or tunnel on the same host makes every visitor 127.0.0.1), so no address opens it.
enum MetricsRoutes {
    static func register(on router: inout Router) {
        router.get("/metrics", .apiToken) { _, context in
            do {
                try JobQueueMetrics.read(context.db)
            } catch {
                // The rest still answers: a database outage is when the other series matter most.
                context.logger.warning("the job queue could not be read for /metrics", metadata: ["error": "\(error)"])
            }
            return Response(headers: [("Content-Type", ProcessMetrics.contentType)], body: .bytes(ProcessMetrics.exposition()))
        }
    }
}
