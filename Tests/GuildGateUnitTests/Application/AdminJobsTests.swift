import Foundation
import GuildGateCore
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// `/admin/jobs` and `/api/admin/jobs`: jobs by state with their errors, retry and cancel and the rules of
/// each state. No worker runs on the in-process database, so queued jobs stay queued until a test moves them.
@Suite struct AdminJobs {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        app = try await TestApplication()
        db = app.database()
    }

    /// A job of a kind no worker knows, moved to `state` as a worker would leave it.
    private func makeJob(in state: Job.State, error: String? = nil) throws -> Job {
        let jobs = JobStore(db)
        let queued = try jobs.enqueue(kind: "test.admin_jobs", payload: ["requested_by": "test"], maxAttempts: 2)
        guard state != .queued else { return queued }
        // Claimed by a worker of this test's own (a real claim could take another test's job).
        let worker = "test-worker-\(queued.id)"
        try db.query(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $2, locked_until = now() + interval '5 minutes'
            WHERE id = $1
            """, [queued.id, worker])
        let running = try #require(try jobs.job(id: queued.id))
        switch state {
        case .running: return running
        case .succeeded: try jobs.succeed(running, worker: worker, result: ["ok": true])
        case .failed:
            try db.query("UPDATE jobs SET attempts = max_attempts WHERE id = $1", [queued.id])
            #expect(try jobs.fail(running, worker: worker, error: error ?? "boom") == .failed)
        case .cancelled, .queued: Issue.record("not a worker's state")
        }
        return try #require(try jobs.job(id: queued.id))
    }

    @Test func listsJobsByStateWithTheirErrorsAndCounts() throws {
        let admin = try AdminClient.apiToken(app)
        let failed = try makeJob(in: .failed, error: "Discord said 50013: Missing Permissions")
        let queued = try makeJob(in: .queued)
        let page = try #require(try admin.get("/api/admin/jobs?state=failed").json)
        let jobs = try #require(page["jobs"] as? [[String: Any]])
        let listed = try #require(jobs.first { $0["id"] as? Int == failed.id })
        #expect(listed["last_error"] as? String == "Discord said 50013: Missing Permissions")
        #expect(listed["attempts"] as? Int == 2)
        #expect(jobs.allSatisfy { $0["state"] as? String == "failed" })
        #expect(((page["counts"] as? [String: Int])?["failed"] ?? 0) >= 1)
        #expect(Set((page["counts"] as? [String: Int])?.keys ?? [:].keys) == ["queued", "running", "succeeded", "failed", "cancelled"])
        #expect(try #require(try admin.get("/api/admin/jobs").json?["jobs"] as? [[String: Any]]).contains { $0["id"] as? Int == queued.id })

        let first = try #require(try admin.get("/api/admin/jobs?limit=1").json)
        let next = try #require(first["next_before"] as? Int)
        let older = try #require(try admin.get("/api/admin/jobs?limit=1&before=\(next)").json?["jobs"] as? [[String: Any]])
        #expect((older.first?["id"] as? Int ?? .max) < next)

        let bad = try admin.get("/api/admin/jobs?state=stuck")
        #expect(bad.status == 400)
        #expect((bad.json?["fields"] as? [String: String])?["state"]?.contains("queued, running, succeeded, failed, cancelled") == true)
        #expect(try admin.get("/api/admin/jobs?limit=-1").status == 400)

        let signedIn = try AdminClient.signedIn(app)
        let html = try signedIn.get("/admin/jobs?state=failed")
        #expect(html.status == 200)
        #expect(html.body.contains("Discord said 50013: Missing Permissions"))
        #expect(html.body.contains("action=\"/admin/jobs/\(failed.id)/retry\""))
        #expect(try signedIn.get("/admin/jobs?state=stuck").status == 400)
    }

    @Test func aFailedJobIsRetriedNowWithItsAttemptsReset() throws {
        let admin = try AdminClient.apiToken(app)
        let failed = try makeJob(in: .failed)
        let retried = try admin.send("POST", "/api/admin/jobs/\(failed.id)/retry")
        #expect(retried.status == 200)
        #expect(retried.json?["state"] as? String == "queued")
        #expect(retried.json?["attempts"] as? Int == 0)
        let job = try #require(try JobStore(db).job(id: failed.id))
        #expect(job.finishedAt == nil)
        #expect(try #require(job.runAt) <= Date().addingTimeInterval(5), "due now")
        #expect(try auditRows(db, target: "job:\(failed.id)").first?.action == "job.retry")

        let again = try admin.send("POST", "/api/admin/jobs/\(failed.id)/retry")
        #expect(again.status == 409)
        #expect(again.json?["code"] as? String == "not_retryable")
        #expect((again.json?["error"] as? String)?.contains("is queued: only a failed or cancelled job can be retried") == true)
        #expect(try admin.send("POST", "/api/admin/jobs/\(try makeJob(in: .succeeded).id)/retry").status == 409)
        #expect(try admin.send("POST", "/api/admin/jobs/999999999/retry").status == 404)

        let signedIn = try AdminClient.signedIn(app)
        let other = try makeJob(in: .failed)
        #expect(try signedIn.submit("/admin/jobs/\(other.id)/retry").location == "/admin/jobs?notice=retried&state=queued")
        #expect(try auditRows(db, target: "job:\(other.id)").first?.actor == signedIn.actor)
    }

    @Test func onlyAQueuedJobCanBeCancelledAndARunningOneSaysWhy() throws {
        let admin = try AdminClient.signedIn(app)
        let queued = try makeJob(in: .queued)
        let cancelled = try admin.send("POST", "/api/admin/jobs/\(queued.id)/cancel")
        #expect(cancelled.status == 200)
        #expect(cancelled.json?["state"] as? String == "cancelled")
        #expect((cancelled.json?["last_error"] as? String) == "cancelled by \(admin.actor)")
        #expect(try auditRows(db, target: "job:\(queued.id)").first?.action == "job.cancel")

        let running = try makeJob(in: .running)
        let refused = try admin.send("POST", "/api/admin/jobs/\(running.id)/cancel")
        #expect(refused.status == 409)
        #expect(refused.json?["code"] as? String == "job_running")
        #expect((refused.json?["error"] as? String)?.contains("a running job cannot be cancelled") == true)
        #expect(try JobStore(db).job(id: running.id)?.state == .running, "nothing changed")
        #expect(try auditRows(db, target: "job:\(running.id)").isEmpty)
        #expect(try admin.send("POST", "/api/admin/jobs/\(queued.id)/cancel").json?["code"] as? String == "not_cancellable")

        // A cancelled job can be queued again.
        #expect(try admin.send("POST", "/api/admin/jobs/\(queued.id)/retry").json?["state"] as? String == "queued")

        let byForm = try makeJob(in: .queued)
        #expect(try admin.submit("/admin/jobs/\(byForm.id)/cancel").location == "/admin/jobs?notice=cancelled&state=cancelled")
        let page = try admin.submit("/admin/jobs/\(running.id)/cancel")
        #expect(page.status == 409)
        #expect(page.body.contains("a running job cannot be cancelled"))
    }
}
