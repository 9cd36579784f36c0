import Foundation
import GuildGateCore
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// `/admin/schedules` and `/api/admin/schedules`: seed 004's default schedule, run now, enable and disable,
/// interval validation, and the audit log. One at a time: they change the shared schedule rows (and put
/// them back).
@Suite(.serialized) struct AdminSchedules {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        app = try await TestApplication()
        db = app.database()
    }

    private func schedules(_ admin: AdminClient) throws -> [String: [String: Any]] {
        let list = try #require(try admin.get("/api/admin/schedules").json?["schedules"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    /// Runs `body`, then puts the schedule back as it was.
    private func restoring(_ name: String, _ body: () throws -> Void) throws {
        let saved = try #require(try ScheduleStore(db).schedule(name: name))
        defer {
            _ = try? db.query(
                "UPDATE schedules SET enabled = $2, interval_seconds = $3, next_run_at = $4 WHERE name = $1",
                [name, saved.enabled, saved.intervalSeconds, saved.nextRunAt])
        }
        try body()
    }

    @Test func seed004sDefaultScheduleIsThereWithItsIntervals() throws {
        let all = try schedules(try AdminClient.apiToken(app))
        #expect(all["groups.verify"]?["interval_seconds"] as? Int == 300)
        #expect(all["nicknames.update"]?["interval_seconds"] as? Int == 604_800)
        #expect(all["groups.remote_sync"]?["interval_seconds"] as? Int == 604_800)
        #expect(all["presence.reconcile"]?["interval_seconds"] as? Int == 120)
        #expect(all["files.cleanup"] != nil)
        #expect(all.values.allSatisfy { $0["enabled"] is Bool && $0.keys.contains("last_run_at") && $0.keys.contains("last_result") })
        #expect((all["groups.verify"]?["next_run_at"] as? String)?.hasSuffix("Z") == true)

        let page = try AdminClient.signedIn(app).get("/admin/schedules")
        #expect(page.status == 200)
        #expect(page.body.contains("Verify groups"))
        #expect(page.body.contains("<td>5 min</td>"))
        #expect(page.body.contains("<td>7 days</td>"))
        #expect(page.body.contains("action=\"/admin/schedules/groups.verify/run\""))
    }

    @Test func runNowQueuesTheJobAtOnceAndTheScheduleShowsIt() throws {
        let admin = try AdminClient.signedIn(app)
        let before = try #require(try ScheduleStore(db).schedule(name: "groups.remote_sync"))
        let accepted = try admin.send("POST", "/api/admin/schedules/groups.remote_sync/run")
        #expect(accepted.status == 202)
        let jobID = try #require(accepted.json?["job_id"] as? Int)
        #expect(accepted.location == "/api/jobs/\(jobID)")
        let job = try #require(try JobStore(db).job(id: jobID))
        #expect(job.kind == "groups.remote_sync")
        #expect(job.state == .queued)
        #expect(job.payload["requested_by"]?.string == admin.actor)
        let after = try #require(try ScheduleStore(db).schedule(name: "groups.remote_sync"))
        #expect(after.nextRunAt == before.nextRunAt, "the schedule's own timing is unchanged")
        #expect(try schedules(admin)["groups.remote_sync"]?["latest_job"].flatMap { $0 as? [String: Any] }?["id"] as? Int == jobID)
        let audit = try #require(try auditRows(db, target: "schedule:groups.remote_sync").first)
        #expect(audit.action == "schedule.run")
        #expect(audit.detail["job_id"]?.wholeNumber == jobID)

        let presence = try #require(try admin.send("POST", "/api/admin/schedules/presence.reconcile/run").json?["job_id"] as? Int)
        #expect(try JobStore(db).job(id: presence)?.payload["guild_id"]?.string == app.config.discordGuildID)
        #expect(try admin.send("POST", "/api/admin/schedules/no.such/run").status == 404)
        #expect(try admin.submit("/admin/schedules/files.cleanup/run").location == "/admin/schedules?notice=queued")
        #expect(try admin.get("/admin/schedules?notice=queued").body.contains("Job queued"))
    }

    @Test func enablingDisablingAndTheIntervalAreValidatedAndAudited() throws {
        let admin = try AdminClient.apiToken(app)
        try restoring("nicknames.update") {
            let disabled = try admin.send("PUT", "/api/admin/schedules/nicknames.update", json: #"{"enabled":false}"#)
            #expect(disabled.status == 200)
            #expect(disabled.json?["enabled"] as? Bool == false)
            #expect(disabled.json?["next_run_at"] is NSNull, "a disabled schedule has no next run")
            #expect(disabled.json?["interval_seconds"] as? Int == 604_800, "what is not given stays")

            let daily = try admin.send("PUT", "/api/admin/schedules/nicknames.update", json: #"{"enabled":true,"interval_seconds":86400}"#)
            #expect(daily.status == 200)
            #expect(daily.json?["interval_seconds"] as? Int == 86400)
            let schedule = try #require(try ScheduleStore(db).schedule(name: "nicknames.update"))
            let from = schedule.lastRunAt ?? Date()
            #expect(
                abs((schedule.nextRunAt ?? .distantPast).timeIntervalSince(from.addingTimeInterval(86400))) < 60,
                "counted from the last run")

            for body in [
                #"{"interval_seconds":59}"#, #"{"interval_seconds":2592001}"#, #"{"interval_seconds":"300"}"#,
                #"{"interval_seconds":300.5}"#,
            ] {
                let refused = try admin.send("PUT", "/api/admin/schedules/nicknames.update", json: body)
                #expect(refused.status == 400, "\(body)")
                #expect((refused.json?["fields"] as? [String: String])?["interval_seconds"] != nil, "\(body)")
            }
            #expect(try admin.send("PUT", "/api/admin/schedules/nicknames.update", json: #"{"enabled":"no"}"#).status == 400)
            #expect(try admin.send("PUT", "/api/admin/schedules/nicknames.update", json: "{}").status == 400)
            #expect(try admin.send("PUT", "/api/admin/schedules/no.such", json: #"{"enabled":true}"#).status == 404)
            #expect(try ScheduleStore(db).schedule(name: "nicknames.update")?.intervalSeconds == 86400, "nothing changed")
            #expect(try admin.send("PUT", "/api/admin/schedules/nicknames.update", json: #"{"interval_seconds":2592000}"#).status == 200)

            let audit = try auditRows(db, target: "schedule:nicknames.update")
            #expect(audit.prefix(3).map(\.action) == ["schedule.update", "schedule.update", "schedule.update"])
            #expect(audit.first?.detail["interval_seconds"]?.wholeNumber == 2_592_000)
            #expect(audit.first?.actor == "api")
        }
    }

    @Test func theFormTakesANumberAndAUnit() throws {
        let admin = try AdminClient.signedIn(app)
        try restoring("groups.verify") {
            let saved = try admin.submit("/admin/schedules/groups.verify", ["interval": "10", "unit": "minutes", "enabled": "on"])
            #expect(saved.location == "/admin/schedules?notice=saved")
            #expect(try ScheduleStore(db).schedule(name: "groups.verify")?.intervalSeconds == 600)
            #expect(try admin.get("/admin/schedules").body.contains("<td>10 min</td>"))

            let off = try admin.submit("/admin/schedules/groups.verify", ["interval": "10", "unit": "minutes"])
            #expect(off.status == 303)
            #expect(try ScheduleStore(db).schedule(name: "groups.verify")?.enabled == false)

            for form in [
                ["interval": "30", "unit": "seconds"], ["interval": "31", "unit": "days"], ["interval": "ten", "unit": "minutes"],
                ["interval": "5", "unit": "fortnights"], ["interval": "99999999999999999", "unit": "days"],
            ] {
                let refused = try admin.submit("/admin/schedules/groups.verify", form)
                #expect(refused.status == 400, "\(form)")
                #expect(refused.body.contains("class=\"errors\""), "\(form)")
            }
            #expect(try ScheduleStore(db).schedule(name: "groups.verify")?.intervalSeconds == 600, "nothing changed")
        }
    }
}
