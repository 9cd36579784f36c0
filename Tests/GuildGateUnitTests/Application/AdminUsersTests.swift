import Foundation
import GuildGateCore
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// `/admin/users` and `/api/admin/users`: listing and searching with groups, unlinking a Discord account,
/// deleting a user (sessions end, files go in a cleanup job), and the audit log.
@Suite struct AdminUsers {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        app = try await TestApplication()
        db = app.database()
    }

    /// A member who logged in with Discord, signed in on a browser of their own.
    private func member(_ username: String) throws -> (user: User, browser: TestClient) {
        let browser = app.client()
        let (userID, _) = try browser.signInAsMember(username: username)
        return (try #require(try UserStore(db).user(id: userID)), browser)
    }

    private func users(_ admin: AdminClient, _ query: String) throws -> [[String: Any]] {
        let page = try admin.get("/api/admin/users?" + query)
        #expect(page.status == 200)
        return try #require(page.json?["users"] as? [[String: Any]])
    }

    @Test func listsOnboardedVerifiedAndLinkedUsersWithTheirGroupsAndSearches() throws {
        let admin = try AdminClient.apiToken(app)
        let tag = "srch\(UUID().uuidString.prefix(8).lowercased())"
        let (linked, _) = try member("\(tag)_linked")
        let onboarded = try UserStore(db).createUnlinked(name: "\(tag) Onboarded", personality: "friendly", communicationChannel: "email")
        let group = try #require(try GroupStore(db).create(name: "\(tag) Moderators", roleID: nil))
        #expect(try GroupStore(db).add(userID: linked.id, groupID: group.id))

        let found = try users(admin, "q=\(tag)")
        #expect(found.map { $0["id"] as? Int } == [onboarded.id, linked.id], "newest first")
        let linkedJSON = try #require(found.last)
        #expect(linkedJSON["linked"] as? Bool == true)
        #expect(linkedJSON["verified"] as? Bool == true)
        #expect(linkedJSON["discord_id"] as? String == linked.discordID)
        #expect((linkedJSON["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == ["\(tag) Moderators"])
        #expect(found.first?["linked"] as? Bool == false)
        #expect(found.first?["email"] is NSNull)

        #expect(try users(admin, "q=\(tag.uppercased())_LINKED").map { $0["id"] as? Int } == [linked.id], "case-insensitive")
        #expect(try users(admin, "q=\(try #require(linked.discordID))").map { $0["id"] as? Int } == [linked.id])
        #expect(try users(admin, "q=\(tag)%25").isEmpty, "% is matched literally")

        let first = try #require(try admin.get("/api/admin/users?q=\(tag)&limit=1").json)
        #expect((first["users"] as? [[String: Any]])?.count == 1)
        let next = try #require(first["next_before"] as? Int)
        let second = try #require(try admin.get("/api/admin/users?q=\(tag)&limit=1&before=\(next)").json)
        #expect((second["users"] as? [[String: Any]])?.first?["id"] as? Int == linked.id)
        #expect(second["next_before"] is NSNull)

        #expect(try admin.get("/api/admin/users?limit=0").status == 400)
        #expect(try admin.get("/api/admin/users?limit=201").status == 400)
        #expect(try admin.get("/api/admin/users?before=x").json?["fields"] as? [String: String] != nil)
        #expect(try admin.get("/api/admin/users?q=" + String(repeating: "a", count: 101)).status == 400)
        #expect(try admin.get("/api/admin/users/\(linked.id)").json?["name"] as? String == "\(tag)_linked")
        #expect(try admin.get("/api/admin/users/999999999").status == 404)

        let signedIn = try AdminClient.signedIn(app)
        let page = try signedIn.get("/admin/users?q=\(tag)")
        #expect(page.status == 200)
        #expect(page.body.contains("\(tag) Moderators"))
        #expect(page.body.contains("onboarded"))
        #expect(page.body.contains("value=\"\(tag)\""))
        let paged = try signedIn.get("/admin/users?q=\(tag)&limit=1")
        #expect(paged.body.contains("href=\"/admin/users?q=\(tag)&amp;before=\(next)\""))
        #expect(try signedIn.get("/admin/users?limit=zero").status == 400)
    }

    @Test func unlinkingFollowsTheCommandLineRuleAndIsAudited() throws {
        let admin = try AdminClient.apiToken(app)
        let (user, browser) = try member("to_unlink")
        let discordID = try #require(user.discordID)
        #expect(try browser.get("/files").status == 200)

        let unlinked = try admin.send("POST", "/api/admin/users/\(user.id)/unlink")
        #expect(unlinked.status == 200)
        #expect(unlinked.json?["linked"] as? Bool == false)
        #expect(unlinked.json?["verified"] as? Bool == false)
        #expect(try UserStore(db).user(discordID: discordID) == nil)
        #expect(try browser.get("/files").status == 302, "the user was signed out everywhere")
        let audit = try #require(try auditRows(db, target: "user:\(user.id)").first)
        #expect(audit.action == "user.unlink_discord")
        #expect(audit.actor == "api")
        #expect(audit.detail["discord_id"]?.string == discordID)

        let again = try admin.send("POST", "/api/admin/users/\(user.id)/unlink")
        #expect(again.status == 409)
        #expect(again.json?["code"] as? String == "not_linked")
        #expect(try admin.send("POST", "/api/admin/users/999999999/unlink").status == 404)

        let signedIn = try AdminClient.signedIn(app)
        let (other, _) = try member("to_unlink_by_form")
        #expect(try signedIn.submit("/admin/users/\(other.id)/unlink").location == "/admin/users?notice=unlinked")
        #expect(try UserStore(db).user(id: other.id)?.discordID == nil)
        #expect(try auditRows(db, target: "user:\(other.id)").first?.actor == signedIn.actor)
        let refused = try signedIn.submit("/admin/users/\(other.id)/unlink")
        #expect(refused.status == 409)
        #expect(refused.body.contains("has no Discord account linked"))
    }

    @Test func deletingAUserEndsTheirSessionsAndQueuesTheCleanupOfTheirFiles() throws {
        let admin = try AdminClient.signedIn(app)
        let (user, browser) = try member("to_delete")
        let files = FileStore(db)
        let stored = try files.create(
            ownerUserID: user.id, name: "a.txt", contentType: "text/plain", salt: [1], dataKey: nil, partSize: 1024)
        #expect(try files.complete(fileID: stored, size: 0, sha256: [], parts: 0))
        let uploading = try files.create(
            ownerUserID: user.id, name: "b.txt", contentType: "text/plain", salt: [1], dataKey: nil, partSize: 1024)
        #expect(try browser.get("/api/files").status == 200)

        #expect(try admin.submit("/admin/users/\(user.id)/delete").status == 400, "the box must be ticked")
        #expect(try UserStore(db).user(id: user.id) != nil)

        let deleted = try admin.send("DELETE", "/api/admin/users/\(user.id)")
        #expect(deleted.status == 200)
        #expect(deleted.json?["files_marked"] as? Int == 2)
        #expect(deleted.json?["sessions_ended"] as? Int == 1)
        let jobID = try #require(deleted.json?["cleanup_job_id"] as? Int)
        let job = try #require(try JobStore(db).job(id: jobID))
        #expect(job.kind == "files.cleanup")
        #expect(job.state == .queued)
        #expect(try UserStore(db).user(id: user.id) == nil)
        #expect(try files.file(id: stored)?.state == .deleting)
        #expect(try files.file(id: uploading)?.state == .failed)
        #expect(try browser.get("/api/files").status == 401, "their sessions ended")
        let audit = try #require(try auditRows(db, target: "user:\(user.id)").first)
        #expect(audit.action == "user.delete")
        #expect(audit.actor == admin.actor)
        #expect(audit.detail["cleanup_job_id"]?.wholeNumber == jobID)
        #expect(try admin.send("DELETE", "/api/admin/users/\(user.id)").status == 404)

        let (other, _) = try member("to_delete_by_form")
        let byForm = try admin.submit("/admin/users/\(other.id)/delete", ["confirm": "yes"])
        #expect(byForm.location == "/admin/users?notice=deleted")
        #expect(try UserStore(db).user(id: other.id) == nil)
        #expect(try auditRows(db, target: "user:\(other.id)").first?.detail["cleanup_job_id"] == .null, "no files, no job")
    }
}
