import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// The admin panel through nginx and FastCGI: PUT and DELETE, a multipart CSV upload, the CSV download
    /// with its headers, and the refusals (403 for a member, a missing CSRF token) as nginx passes them on.
    /// The rules themselves are tested in-process (`AdminStaff`, `AdminUsers`, `AdminJobs`, `AdminSchedules`).
    @Suite struct AdminOperations {
        @Test func anAdminManagesStaffThroughNginxAndAMemberIsRefused() throws {
            let (stack, sandbox) = try EndToEnd.stack()
            let db = EndToEnd.database(stack)
            try db.query("DELETE FROM login_attempts")
            let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
            try EndToEnd.createAdmin(stack, username: username, password: "s3cret-passphrase")
            let admin = Browser(baseURL: stack.webURL)
            let login = try #require(Browser.csrfToken(in: try admin.get("/admin/login")))
            #expect(
                try admin.post("/admin/login", form: ["csrf_token": login, "username": username, "password": "s3cret-passphrase"]).status
                    == 303)
            let page = try admin.get("/admin/staff")
            #expect(page.status == 200)
            let csrf = try #require(Browser.csrfToken(in: page))

            let discordID = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
            let boundary = "gg-admin-boundary"
            let body = [
                "--\(boundary)", "Content-Disposition: form-data; name=\"csrf_token\"", "", csrf,
                "--\(boundary)", "Content-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"", "Content-Type: text/csv", "",
                "name,rank,discord_id", "=Through Nginx,Lead,\(discordID)", "",
                "--\(boundary)--", "",
            ].joined(separator: "\r\n")
            let imported = try admin.send(
                "POST", "/admin/staff/import", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
                body: Array(body.utf8))
            #expect(imported.status == 303, "\(imported.body.prefix(500))")
            #expect(imported.location?.hasSuffix("/admin/staff?notice=imported&created=1&updated=0") == true)
            let id = try #require(try db.query("SELECT id FROM staff WHERE discord_id = $1", [discordID]).first?.int("id"))

            let export = try admin.get("/api/admin/staff/export")
            #expect(export.status == 200)
            #expect(export.headers["content-type"]?.hasPrefix("text/csv") == true)
            #expect(export.headers["content-disposition"]?.hasPrefix("attachment;") == true)
            #expect(export.body.contains("'=Through Nginx,Lead,\(discordID),true\r\n"))

            let json = ["Content-Type": "application/json", "X-CSRF-Token": csrf]
            let renamed = try admin.send("PUT", "/api/admin/staff/\(id)", headers: json, body: Array(#"{"name":"Renamed"}"#.utf8))
            #expect(renamed.status == 200)
            #expect(renamed.json?["name"] as? String == "Renamed")
            let forged = try admin.send(
                "PUT", "/api/admin/staff/\(id)", headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
            #expect(forged.status == 403)
            #expect(forged.json?["code"] as? String == "forbidden")
            let deactivated = try admin.send("DELETE", "/api/admin/staff/\(id)", headers: ["X-CSRF-Token": csrf], body: [])
            #expect(deactivated.status == 200)
            #expect(deactivated.json?["active"] as? Bool == false)
            #expect(
                try db.query("SELECT action FROM audit_log WHERE target = $1 ORDER BY id", ["staff:\(id)"]).rows.compactMap { $0["action"] }
                    == [
                        "staff.update", "staff.deactivate",
                    ])

            let (member, _) = try EndToEnd.logIn(stack, sandbox, username: "admin_panel_member")
            let refusedPage = try member.get("/admin/staff")
            #expect(refusedPage.status == 403)
            #expect(refusedPage.body.contains("403 Forbidden"))
            #expect(try member.get("/api/admin/users").status == 403)
        }
    }
}
