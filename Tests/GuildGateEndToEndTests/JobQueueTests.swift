import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// The jobs and schedules tables as the bot's worker uses them, against the stack's PostgreSQL.
    @Suite struct JobQueue {
        let stack: TestStack
        let db: PostgresConnection
        let jobs: JobStore

        init() throws {
            (stack, _) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            jobs = JobStore(db)
            try db.query("TRUNCATE jobs")
            try db.query("UPDATE schedules SET enabled = false")
        }

        @Test func concurrentWorkersNeverClaimTheSameJob() throws {
            let first = try jobs.enqueue(kind: "a")
            let second = try jobs.enqueue(kind: "b")
            let other = EndToEnd.database(stack)
            try db.query("BEGIN")
            let claimed = try #require(try jobs.claim(worker: "w1", lease: .seconds(60)))
            // w1's claim is still uncommitted: w2 skips the locked row instead of waiting for it.
            let concurrent = try #require(try JobStore(other).claim(worker: "w2", lease: .seconds(60)))
            try db.query("COMMIT")
            #expect(Set([claimed.id, concurrent.id]) == [first.id, second.id])
            #expect(try JobStore(other).claim(worker: "w2", lease: .seconds(60)) == nil)
        }

        @Test func aCrashedWorkersJobIsRetriedOnceItsLockExpires() throws {
            let job = try jobs.enqueue(kind: "a", maxAttempts: 2)
            _ = try #require(try jobs.claim(worker: "crashed", lease: .seconds(60)))
            #expect(try jobs.claim(worker: "w2", lease: .seconds(60)) == nil)
            try db.query("UPDATE jobs SET locked_until = now() - interval '1 second'")
            let retried = try #require(try jobs.claim(worker: "w2", lease: .seconds(60)))
            #expect(retried.id == job.id)
            #expect(retried.attempts == 2)
            #expect(!retried.isOutOfAttempts)
            try db.query("UPDATE jobs SET locked_until = now() - interval '1 second'")
            #expect(try jobs.claim(worker: "w3", lease: .seconds(60))?.isOutOfAttempts == true)
        }

        @Test func failuresBackOffThenFailForGoodKeepingTheError() throws {
            let job = try jobs.enqueue(kind: "a", maxAttempts: 2, backoffSeconds: 30)
            let attempt1 = try #require(try jobs.claim(worker: "w", lease: .seconds(60)))
            #expect(try jobs.fail(attempt1, worker: "w", error: "boom 1") == .queued)
            #expect(try jobs.claim(worker: "w", lease: .seconds(60)) == nil, "retried before its backoff")
            let due = try #require(try jobs.job(id: job.id)?.runAt)
            #expect(due.timeIntervalSinceNow > 20 && due.timeIntervalSinceNow <= 31)
            try db.query("UPDATE jobs SET run_at = now()")
            let attempt2 = try #require(try jobs.claim(worker: "w", lease: .seconds(60)))
            #expect(try jobs.fail(attempt2, worker: "w", error: "boom 2") == .failed)
            let failed = try #require(try jobs.job(id: job.id))
            #expect(failed.state == .failed)
            #expect(failed.lastError == "boom 2")
            #expect(failed.finishedAt != nil)
            // A worker whose lock was taken over cannot record an outcome.
            let other = try jobs.enqueue(kind: "b")
            let claimed = try #require(try jobs.claim(worker: "w", lease: .seconds(60)))
            try jobs.succeed(claimed, worker: "not-w", result: [:])
            #expect(try jobs.job(id: other.id)?.state == .running)
        }

        @Test func dueSchedulesFireOnceAndMoveOn() throws {
            try db.query("UPDATE schedules SET enabled = true, next_run_at = now() - interval '1 second' WHERE name = 'presence.reconcile'")
            let fired = try jobs.fireDueSchedules(payload: ["guild_id": "1"])
            #expect(fired.map(\.kind) == ["presence.reconcile"])
            #expect(fired.first?.payload["guild_id"]?.string == "1")
            #expect(try jobs.fireDueSchedules(payload: [:]).isEmpty)
            let next = try #require(
                try db.query("SELECT next_run_at FROM schedules WHERE name = 'presence.reconcile'").first?.date("next_run_at"))
            #expect(next.timeIntervalSinceNow > 100 && next.timeIntervalSinceNow <= 120)
        }

        @Test func presenceUpsertsNeverGoBackInTime() throws {
            let store = PresenceStore(db)
            try db.query("DELETE FROM presences WHERE guild_id = 'g-upsert'")
            let now = Date()
            try store.upsert([
                PresenceRecord(
                    guildID: "g-upsert", discordID: "1", status: "dnd", customStatus: "x", activity: nil, clientStatus: ["web": "dnd"],
                    seenAt: now)
            ])
            try store.upsert([.offline(guildID: "g-upsert", discordID: "1", seenAt: now.addingTimeInterval(-5))])
            #expect(try db.query("SELECT status FROM presences WHERE guild_id = 'g-upsert'").first?["status"] == "dnd")
            #expect(try store.markOffline(guildID: "g-upsert", notSeenSince: now.addingTimeInterval(1)) == 1)
            #expect(try db.query("SELECT status FROM presences WHERE guild_id = 'g-upsert'").first?["status"] == "offline")
        }
    }
}
