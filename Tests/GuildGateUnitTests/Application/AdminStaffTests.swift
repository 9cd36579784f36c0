import Foundation
import GuildGateCore
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// `/admin/staff` and `/api/admin/staff`: listing, creating, editing, deactivating, CSV import and export,
/// validation, and the audit log. Staff rows are shared with other suites: each test uses Discord ids of
/// its own and looks only at them.
@Suite struct AdminStaff {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        app = try await TestApplication()
        db = app.database()
    }

    private func member(_ page: Page) throws -> [String: Any] {
        try #require(page.json)
    }

    private func staff(_ admin: AdminClient, active: String? = nil) throws -> [[String: Any]] {
        let page = try admin.get("/api/admin/staff" + (active.map { "?active=\($0)" } ?? ""))
        #expect(page.status == 200)
        return try #require(page.json?["staff"] as? [[String: Any]])
    }

    @Test func theAPICreatesEditsDeactivatesAndReactivatesAndAuditsEachChange() throws {
        let admin = try AdminClient.apiToken(app)
        let discordID = uniqueSnowflake()
        let created = try admin.send("POST", "/api/admin/staff", json: #"{"name":" Ann Lee ","rank":"Lead","discord_id":"\#(discordID)"}"#)
        #expect(created.status == 201)
        let id = try #require(try member(created)["id"] as? Int)
        #expect(created.location == "/api/admin/staff/\(id)")
        #expect(try member(created)["name"] as? String == "Ann Lee", "surrounding spaces are trimmed")
        #expect(try member(created)["active"] as? Bool == true)
        #expect(try staff(admin).contains { $0["id"] as? Int == id })

        let renamed = try admin.send("PUT", "/api/admin/staff/\(id)", json: #"{"rank":"Senior Lead"}"#)
        #expect(renamed.status == 200)
        #expect(try member(renamed)["rank"] as? String == "Senior Lead")
        #expect(try member(renamed)["name"] as? String == "Ann Lee", "fields not given keep their value")

        let deactivated = try admin.send("DELETE", "/api/admin/staff/\(id)")
        #expect(deactivated.status == 200)
        #expect(try member(deactivated)["active"] as? Bool == false)
        #expect(try staff(admin, active: "false").contains { $0["id"] as? Int == id })
        #expect(try !staff(admin, active: "true").contains { $0["id"] as? Int == id })
        #expect(try !StaffStore(db).roster(guildID: nil).contains { $0.id == id }, "inactive members leave the roster")

        #expect(try admin.send("PUT", "/api/admin/staff/\(id)", json: #"{"active":true}"#).status == 200)
        #expect(try admin.get("/api/admin/staff/\(id)").json?["active"] as? Bool == true)

        let actions = try auditRows(db, target: "staff:\(id)").map(\.action)
        #expect(actions == ["staff.reactivate", "staff.deactivate", "staff.update", "staff.create"])
        #expect(try auditRows(db, target: "staff:\(id)").allSatisfy { $0.actor == "api" && $0.result == "ok" })
    }

    @Test func badInputIsRefusedWithFieldErrorsAndChangesNothing() throws {
        let admin = try AdminClient.apiToken(app)
        let bad = try admin.send(
            "POST", "/api/admin/staff", json: #"{"name":"","rank":"\#(String(repeating: "r", count: 101))","discord_id":"12345"}"#)
        #expect(bad.status == 400)
        #expect(bad.json?["code"] as? String == "validation_failed")
        let fields = try #require(bad.json?["fields"] as? [String: String])
        #expect(fields["name"] == "is empty")
        #expect(fields["rank"] == "is longer than 100 characters")
        #expect(fields["discord_id"]?.contains("is not a Discord user id") == true)
        #expect(
            try admin.send("POST", "/api/admin/staff", json: #"{"name":"A\u0007B","rank":"","discord_id":"\#(uniqueSnowflake())"}"#).status
                == 400)
        #expect(try admin.send("POST", "/api/admin/staff", json: #"{"name":"A","discord_id":123456789012345678}"#).json?["fields"] != nil)
        #expect(try admin.send("POST", "/api/admin/staff", json: "[]").status == 400)
        #expect(
            try admin.send("POST", "/api/admin/staff", json: "name=x", headers: ["Content-Type": "application/x-www-form-urlencoded"])
                .status == 415)

        let discordID = uniqueSnowflake()
        let first = try admin.send("POST", "/api/admin/staff", json: #"{"name":"First","rank":"","discord_id":"\#(discordID)"}"#)
        let id = try #require(first.json?["id"] as? Int)
        let taken = try admin.send("POST", "/api/admin/staff", json: #"{"name":"Second","rank":"","discord_id":"\#(discordID)"}"#)
        #expect(taken.status == 409)
        #expect(taken.json?["code"] as? String == "discord_id_taken")
        let other = try #require(
            try admin.send("POST", "/api/admin/staff", json: #"{"name":"Other","rank":"","discord_id":"\#(uniqueSnowflake())"}"#).json?[
                "id"]
                as? Int)
        #expect(try admin.send("PUT", "/api/admin/staff/\(other)", json: #"{"discord_id":"\#(discordID)"}"#).status == 409)
        #expect(try admin.send("PUT", "/api/admin/staff/\(id)", json: #"{"name":""}"#).status == 400)
        #expect(try admin.send("PUT", "/api/admin/staff/\(id)", json: "{}").status == 400)
        #expect(try admin.send("PUT", "/api/admin/staff/\(id)", json: #"{"active":"yes"}"#).status == 400)
        #expect(try admin.get("/api/admin/staff/\(id)").json?["name"] as? String == "First", "nothing changed")
        #expect(try auditRows(db, target: "staff:\(id)").map(\.action) == ["staff.create"])
        #expect(try admin.send("PUT", "/api/admin/staff/999999999", json: #"{"name":"X"}"#).status == 404)
        #expect(try admin.send("DELETE", "/api/admin/staff/abc").status == 404)
        #expect(try admin.get("/api/admin/staff?active=maybe").status == 400)
    }

    @Test func importIsAllOrNothingNamesBadLinesAndExportRoundTrips() throws {
        let admin = try AdminClient.signedIn(app)
        let (ann, bob, cat) = (uniqueSnowflake(), uniqueSnowflake(), uniqueSnowflake())
        let refused = try admin.send(
            "POST", "/api/admin/staff/import", json: nil, headers: ["Content-Type": "text/csv"])
        #expect(refused.status == 400, "an empty body is no roster")
        let bad = try admin.browser.send(
            "POST", "/api/admin/staff/import", headers: ["Content-Type": "text/csv", "X-CSRF-Token": admin.csrf ?? ""],
            body: Array("name,rank,discord_id\nAnn,Lead,\(ann)\n,Staff,\(bob)\nCat,Staff,42\n".utf8))
        #expect(bad.status == 400)
        #expect(bad.json?["code"] as? String == "import_refused")
        #expect(
            bad.json?["fields"] as? [String: String] == [
                "line 3": "name is empty", "line 4": "discord_id '42' is not a Discord user id (17-20 digits)",
            ])
        #expect(try StaffStore(db).members().allSatisfy { $0.discordID != ann }, "a file with a bad line imports nothing")

        // Quotes, commas, line breaks and would-be formulas survive the round trip; the export guards each.
        let csv = #"""
            name,rank,discord_id,notes
            "=HYPERLINK(""http://evil"")",Lead,\#(ann),x
            "Doe, ""Bob""",+Staff,\#(bob),
            @Cat,-1,\#(cat),

            """#
        let imported = try admin.send("POST", "/api/admin/staff/import", json: JSON.object([("csv", .string(csv))]).serialized)
        #expect(imported.status == 200)
        #expect(imported.json?["created"] as? Int == 3)
        #expect(try auditRows(db, target: "staff").first { $0.actor == admin.actor }?.action == "staff.import")

        let catID = try #require(try StaffStore(db).members().first { $0.discordID == cat }?.id)
        #expect(try admin.send("DELETE", "/api/admin/staff/\(catID)").status == 200)

        let export = try admin.get("/api/admin/staff/export")
        #expect(export.status == 200)
        #expect(export.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(export.headers["content-disposition"]?.hasPrefix("attachment; filename=\"staff.csv\"") == true)
        let lines = export.body.components(separatedBy: "\r\n")
        #expect(lines.first == "name,rank,discord_id,active")
        #expect(lines.contains("\"'=HYPERLINK(\"\"http://evil\"\")\",Lead,\(ann),true"))
        #expect(lines.contains("\"Doe, \"\"Bob\"\"\",'+Staff,\(bob),true"))
        #expect(lines.contains("'@Cat,'-1,\(cat),false"))

        // Importing the export changes nobody: same names, ranks and states.
        let before = try StaffStore(db).members().filter { [ann, bob, cat].contains($0.discordID) }
        let reimport = try admin.browser.send(
            "POST", "/api/admin/staff/import", headers: ["Content-Type": "text/csv; charset=utf-8", "X-CSRF-Token": admin.csrf ?? ""],
            body: export.bytes)
        #expect(reimport.status == 200)
        #expect(reimport.json?["created"] as? Int == 0)
        let after = try StaffStore(db).members().filter { [ann, bob, cat].contains($0.discordID) }
        #expect(after.map(\.name).sorted() == ["=HYPERLINK(\"http://evil\")", "@Cat", "Doe, \"Bob\""])
        #expect(Dictionary(uniqueKeysWithValues: after.map { ($0.discordID, $0.active) }) == [ann: true, bob: true, cat: false])
        #expect(after.map(\.rank).sorted() == before.map(\.rank).sorted())
        #expect(after.map(\.rank).contains("+Staff"))
    }

    @Test func thePagesListCreateEditDeactivateAndImport() throws {
        let admin = try AdminClient.signedIn(app)
        let page = try admin.get("/admin/staff")
        #expect(page.status == 200)
        #expect(page.body.contains("aria-current=\"page\">Staff</a>"), "the admin navigation marks the section")
        #expect(TestClient.csrfToken(in: page) == admin.csrf)

        let discordID = uniqueSnowflake()
        let added = try admin.submit("/admin/staff", ["name": "<i>Page</i> Person", "rank": "Mod", "discord_id": discordID])
        #expect(added.status == 303)
        #expect(added.location == "/admin/staff?notice=created")
        let listed = try admin.get(try #require(added.location))
        #expect(listed.body.contains("Staff member added."))
        #expect(listed.body.contains("&lt;i&gt;Page&lt;/i&gt; Person"))
        let id = try #require(try StaffStore(db).members().first { $0.discordID == discordID }?.id)

        let invalid = try admin.submit("/admin/staff", ["name": "Kept", "rank": "", "discord_id": "nope"])
        #expect(invalid.status == 400)
        #expect(invalid.body.contains("is not a Discord user id"))
        #expect(invalid.body.contains("value=\"Kept\""), "the form keeps what was typed")
        let taken = try admin.submit("/admin/staff", ["name": "Twin", "rank": "", "discord_id": discordID])
        #expect(taken.status == 409)
        #expect(taken.body.contains("already has Discord id"))

        let edit = try admin.get("/admin/staff/\(id)")
        #expect(edit.status == 200)
        #expect(edit.body.contains("value=\"\(discordID)\""))
        #expect(try admin.get("/admin/staff/999999999").status == 404)
        let saved = try admin.submit(
            "/admin/staff/\(id)", ["name": "Page Person", "rank": "Admin", "discord_id": discordID, "active": "on"])
        #expect(saved.location == "/admin/staff?notice=updated")
        #expect(try StaffStore(db).member(id: id)?.rank == "Admin")
        let badEdit = try admin.submit("/admin/staff/\(id)", ["name": "", "rank": "Admin", "discord_id": discordID, "active": "on"])
        #expect(badEdit.status == 400)
        #expect(badEdit.body.contains("<strong>name</strong> is empty"))

        #expect(try admin.submit("/admin/staff/\(id)/deactivate").location == "/admin/staff?notice=deactivated")
        #expect(try StaffStore(db).member(id: id)?.active == false)
        #expect(try admin.submit("/admin/staff/\(id)/reactivate").location == "/admin/staff?notice=reactivated")
        #expect(try StaffStore(db).member(id: id)?.active == true)
        #expect(try auditRows(db, target: "staff:\(id)").map(\.actor).allSatisfy { $0 == admin.actor })

        // An uploaded file (multipart), or pasted text; a bad one imports nothing and names its lines.
        let uploaded = uniqueSnowflake()
        let boundary = "b0undary"
        let multipart = """
            --\(boundary)\r
            Content-Disposition: form-data; name="csrf_token"\r
            \r
            \(admin.csrf ?? "")\r
            --\(boundary)\r
            Content-Disposition: form-data; name="file"; filename="roster.csv"\r
            Content-Type: text/csv\r
            \r
            \u{FEFF}name,rank,discord_id\r
            Uploaded,Staff,\(uploaded)\r
            \r
            --\(boundary)\r
            Content-Disposition: form-data; name="csv"\r
            \r
            \r
            --\(boundary)--\r

            """
        let imported = try admin.browser.send(
            "POST", "/admin/staff/import", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
            body: Array(multipart.utf8))
        #expect(imported.status == 303)
        #expect(imported.location == "/admin/staff?notice=imported&created=1&updated=0")
        #expect(try admin.get(try #require(imported.location)).body.contains("Roster imported: 1 created, 0 updated."))
        #expect(try StaffStore(db).members().contains { $0.discordID == uploaded && $0.name == "Uploaded" })

        let pasted = try admin.submit("/admin/staff/import", ["csv": "name,rank,discord_id\nX,r,1\n"])
        #expect(pasted.status == 400)
        #expect(pasted.body.contains("Nothing was imported"))
        #expect(pasted.body.contains("<strong>line 2</strong> discord_id &#39;1&#39; is not a Discord user id"))
        #expect(pasted.body.contains("X,r,1"), "the pasted text is kept")
        #expect(try admin.submit("/admin/staff/import", ["csv": "  "]).status == 400)
    }

    @Test func formsRefuseAMissingOrForeignCSRFToken() throws {
        let admin = try AdminClient.signedIn(app)
        let other = try AdminClient.signedIn(app)
        let discordID = uniqueSnowflake()
        for token in [nil, "forged", other.csrf] {
            var form = ["name": "Nobody", "rank": "", "discord_id": discordID]
            form["csrf_token"] = token
            #expect(try admin.browser.post("/admin/staff", form: form).status == 403)
        }
        #expect(
            try admin.browser.send("POST", "/api/admin/staff", headers: ["Content-Type": "application/json"], body: Array("{}".utf8)).status
                == 403)
        #expect(try StaffStore(db).members().allSatisfy { $0.discordID != discordID })
    }
}
