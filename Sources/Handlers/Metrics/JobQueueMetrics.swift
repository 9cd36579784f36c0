import Metrics
import Store
import Synchronization

/// The job queue by kind, read from the database when `/metrics` is scraped (one query over the queued jobs'
/// index): guildgate-web serves it, so a queue that grows while the bot is down still shows.
enum JobQueueMetrics {
    /// Gauge: queued jobs, due or not, by `kind`.
    static let queued = "guildgate_jobs_queued"
    /// Gauge: how long the job that has been due the longest has waited since it fell due, by `kind` (0 when
    /// none is due).
    static let oldestDue = "guildgate_jobs_oldest_due_seconds"

    /// Kinds reported before: one whose queue has emptied reads 0 rather than its last value.
    private static let reported = Mutex<Set<String>>([])

    static func read(_ db: PostgresConnection) throws(StoreError) {
        let depths = try JobStore(db).queueDepths()
        let kinds = reported.withLock { reported in
            reported.formUnion(depths.map(\.kind))
            return reported
        }
        for kind in kinds {
            let depth = depths.first { $0.kind == kind }
            Gauge(label: queued, dimensions: [("kind", kind)]).record(depth?.queued ?? 0)
            Gauge(label: oldestDue, dimensions: [("kind", kind)]).record(depth?.oldestDueSeconds ?? 0)
        }
    }
}
