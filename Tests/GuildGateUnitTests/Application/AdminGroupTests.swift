import Foundation
import GuildGateCore
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// Groups in-process: local groups, membership changes (audited, each queuing a verify of that member),
/// the drift preview from rows the bot would have written, verify, and the page's forms. Each test has a
/// guild, users and roles of its own; importing and mapping the server's roles asks Discord, and runs end
/// to end (`EndToEnd.AdminGroups`).
@Suite struct AdminGroups {
    let app: TestApplication
    let db: PostgresConnection
    let token: String
    let guildID = Self.snowflake()

    init() async throws {
        app = try await TestApplication(overrides: TestApplication.unreachableDiscord.merging(["DISCORD_GUILD_ID": guildID]) { $1 })
        db = app.database()
        token = try #require(app.config.apiToken)
    }

    static func snowflake() -> String {
        String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix) \(UUID().uuidString.prefix(8))"
    }

    func api(_ method: String, _ path: String, json: String? = nil, client: TestClient? = nil, headers: [String: String] = [:]) throws
        -> Page
    {
        var headers = headers
        if client == nil { headers["Authorization"] = "Bearer \(token)" }
        if json != nil { headers["Content-Type"] = "application/json" }
        return try (client ?? app.client()).send(method, path, headers: headers, body: Array((json ?? "").utf8))
    }

    /// A user who linked a Discord account of their own.
    func linkedUser(_ username: String) throws -> User {
        try UserStore(db).upsertDiscordLogin(discordID: Self.snowflake(), discordUsername: username)
    }

    func createGroup(_ name: String) throws -> Int {
        let created = try api("POST", "/api/admin/groups", json: #"{"name": "\#(name)"}"#)
        #expect(created.status == 201, "\(created.body)")
        return try #require(created.json?["id"] as? Int)
    }

    @Test func localGroupsHaveUniqueNamesAndAskDiscordOnlyForARole() throws {
        let name = Self.uniqueName("Raiders")
        let id = try createGroup(name)
        let taken = try api("POST", "/api/admin/groups", json: #"{"name": "\#(name)"}"#)
        #expect(taken.status == 409)
        #expect((taken.json?["fields"] as? [String: String])?["name"]?.contains("already exists") == true)
        #expect(
            (try api("POST", "/api/admin/groups", json: #"{"name": " "}"#).json?["fields"] as? [String: String])?["name"] == "is required")
        let badRole = try api("POST", "/api/admin/groups", json: #"{"name": "x", "role_id": "moderator"}"#)
        #expect(badRole.status == 400 && (badRole.json?["fields"] as? [String: String])?["role_id"] != nil)
        let unreachable = try api(
            "POST", "/api/admin/groups", json: #"{"name": "\#(Self.uniqueName("Mapped"))", "role_id": "\#(Self.snowflake())"}"#)
        #expect(unreachable.status == 503, "the role is checked with Discord, here out of reach: \(unreachable.body)")
        #expect(
            (unreachable.json?["error"] as? String)?.hasPrefix("Could not read the server's roles: Discord could not be reached") == true)

        let listed = try #require(try api("GET", "/api/admin/groups").json?["groups"] as? [[String: Any]])
        let group = try #require(listed.first { $0["id"] as? Int == id })
        #expect(group["name"] as? String == name && group["source"] as? String == "local" && group["role_id"] is NSNull)
        #expect(try api("GET", "/api/admin/groups/\(id)").json?["members"] as? [Any] != nil)
        #expect(try api("GET", "/api/admin/groups/999999999").status == 404)
        let audit = try AuditLogStore(db).recent(limit: 5, target: AuditTarget.group(id))
        #expect(audit.map(\.action) == ["group.create"] && audit.first?.actor == "api")

        #expect(try api("DELETE", "/api/admin/groups/\(id)").status == 200)
        #expect(try api("GET", "/api/admin/groups/\(id)").status == 404)
        #expect(try api("DELETE", "/api/admin/groups/\(id)").json?["code"] as? String == "unknown_group")
    }

    @Test func eachMembershipChangeIsAuditedAndQueuesAVerifyOfThatMember() throws {
        let groupID = try createGroup(Self.uniqueName("Crafters"))
        let user = try linkedUser("crafter")
        let discordID = try #require(user.discordID)
        let path = "/api/admin/groups/\(groupID)/members/\(discordID)"

        let added = try api("PUT", path)
        #expect(added.status == 200, "\(added.body)")
        #expect(added.json?["changed"] as? Bool == true)
        let jobID = try #require(added.json?["job_id"] as? Int)
        let job = try #require(try JobStore(db).job(id: jobID))
        #expect(job.kind == "groups.verify")
        #expect(job.payload == ["discord_id": .string(discordID), "requested_by": "api"])
        #expect(try GroupStore(db).groups(userID: user.id).map(\.id) == [groupID])

        let again = try api("PUT", path)
        #expect(again.json?["changed"] as? Bool == false && again.json?["job_id"] is NSNull, "nothing to change, nothing queued")

        let admin = app.client()
        let csrf = try admin.signInAsAdmin()
        let removed = try api("DELETE", path, client: admin, headers: ["X-CSRF-Token": csrf])
        #expect(removed.status == 200 && removed.json?["changed"] as? Bool == true)
        #expect(try GroupStore(db).groups(userID: user.id).isEmpty)

        let audit = try AuditLogStore(db).recent(limit: 10, target: discordID)
        #expect(audit.map(\.action) == ["group.leave", "group.join"])
        #expect(audit.first?.actor.hasPrefix("admin:") == true && audit.last?.actor == "api")
        #expect(audit.last?.detail["job_id"] == .int(jobID))

        #expect(try api("PUT", "/api/admin/groups/999999999/members/\(discordID)").json?["code"] as? String == "unknown_group")
        let nobody = try api("PUT", "/api/admin/groups/\(groupID)/members/\(Self.snowflake())")
        #expect(nobody.status == 404 && nobody.json?["code"] as? String == "unknown_member")
        #expect(try api("PUT", "/api/admin/groups/\(groupID)/members/someone").status == 400)
        #expect(try api("PUT", "/api/admin/groups/abc/members/\(discordID)").status == 404)
        #expect(try AuditLogStore(db).recent(limit: 10, target: discordID).count == 2, "refusals change nothing")
    }

    @Test func theDriftPreviewShowsExactlyWhatAVerifyWouldChange() throws {
        let vip = Self.snowflake()
        let mod = Self.snowflake()
        let unmapped = Self.snowflake()
        let groups = GroupStore(db)
        let vips = try #require(try groups.create(name: Self.uniqueName("VIP"), roleID: vip))
        let mods = try #require(try groups.create(name: Self.uniqueName("Mods"), roleID: mod))
        let drifting = try linkedUser("drifting")
        let fine = try linkedUser("fine")
        let gone = try linkedUser("gone")
        _ = try groups.add(userID: drifting.id, groupID: vips.id)
        _ = try groups.add(userID: fine.id, groupID: vips.id)
        _ = try groups.add(userID: gone.id, groupID: mods.id)
        let stranger = Self.snowflake()
        func member(_ id: String?, _ name: String, _ roles: Set<String>) throws -> GuildMemberRecord {
            GuildMemberRecord(guildID: guildID, discordID: try #require(id), username: name, globalName: nil, nick: nil, roleIDs: roles)
        }
        try GuildMemberStore(db).upsert([
            try member(drifting.discordID, "drifting", [mod, unmapped]),  // lacks vip; holds mod, which no group of theirs gives
            try member(fine.discordID, "fine", [vip, unmapped]),
            try member(stranger, "stranger", [mod]),  // not linked: never touched
            try member(gone.discordID, "gone", []),
        ])
        try GuildMemberStore(db).markLeft(guildID: guildID, discordID: try #require(gone.discordID))

        let drift = try #require(try api("GET", "/api/admin/groups/drift").json)
        #expect(drift["guild_id"] as? String == guildID)
        let members = try #require(drift["members"] as? [[String: Any]])
        #expect(members.count == 1 && drift["count"] as? Int == 1, "\(members)")
        let entry = try #require(members.first)
        #expect(entry["discord_id"] as? String == drifting.discordID && entry["username"] as? String == "drifting")
        #expect((entry["add"] as? [[String: Any]])?.map { [$0["id"] as? String, $0["group"] as? String] } == [[vip, vips.name]])
        #expect((entry["remove"] as? [[String: Any]])?.map { [$0["id"] as? String, $0["group"] as? String] } == [[mod, mods.name]])

        let admin = app.client()
        try admin.signInAsAdmin()
        let page = try admin.get("/admin/groups")
        #expect(page.status == 200)
        #expect(page.body.contains("adds \(vips.name) (\(vip))") && page.body.contains("removes \(mods.name) (\(mod))"), "\(page.body)")
        #expect(!page.body.contains("data-member=\"\(stranger)\""))
    }

    @Test func withoutAServerIDThereIsNoDriftToShow() async throws {
        let app = try await TestApplication(
            overrides: TestApplication.unreachableDiscord.merging(["DISCORD_GUILD_ID": nil, "SERVER_ID": nil]) { $1 })
        let token = try #require(app.config.apiToken)
        let answer = try app.client().get("/api/admin/groups/drift", headers: ["Authorization": "Bearer \(token)"])
        #expect(answer.status == 409 && answer.json?["code"] as? String == "no_guild")
        let sync = try app.client().send("POST", "/api/admin/groups/sync", headers: ["Authorization": "Bearer \(token)"], body: [])
        #expect(sync.status == 409, "\(sync.body)")
        let admin = app.client()
        try admin.signInAsAdmin()
        #expect(try admin.get("/admin/groups").body.contains("Set the server id at"))
    }

    @Test func verifyQueuesAJobForEveryLinkedMember() throws {
        let accepted = try api("POST", "/api/admin/groups/verify")
        #expect(accepted.status == 202)
        let jobID = try #require(accepted.json?["job_id"] as? Int)
        #expect(accepted.location == "/api/jobs/\(jobID)")
        #expect(try JobStore(db).job(id: jobID)?.payload == ["discord_id": .null, "requested_by": "api"])
        #expect(try AuditLogStore(db).recent(limit: 50).contains { $0.action == "groups.verify" && $0.detail["job_id"] == .int(jobID) })
    }

    @Test func thePagesFormsChangeGroupsAndComeBackWithWhatTheyDid() throws {
        let admin = app.client()
        try admin.signInAsAdmin()
        let csrf = try #require(TestClient.csrfToken(in: try admin.get("/admin/groups")))
        let name = Self.uniqueName("Form <group>")
        let created = try admin.post("/admin/groups", form: ["csrf_token": csrf, "name": name, "role_id": ""])
        #expect(created.status == 303 && created.location == "/admin/groups?notice=created")
        let group = try #require(try GroupStore(db).all().first { $0.name == name })
        let user = try linkedUser("form_member")
        let discordID = try #require(user.discordID)

        let added = try admin.post("/admin/groups/\(group.id)/members", form: ["csrf_token": csrf, "discord_id": discordID])
        #expect(added.location == "/admin/groups?notice=added")
        let page = try admin.get(try #require(added.location))
        #expect(page.body.contains("Member added; a verify of them is queued"))
        #expect(page.body.contains("form_member <code>\(discordID)</code>"))
        #expect(page.body.contains("Form &lt;group&gt;"))

        let refused = try admin.post("/admin/groups/\(group.id)/members", form: ["csrf_token": csrf, "discord_id": "not-an-id"])
        #expect(refused.status == 400)
        #expect(refused.body.contains("<strong>discord_id</strong> is not a Discord id"))
        #expect(refused.body.contains("<li>Some fields are invalid.</li>"), "the refusal's own message, with no field")
        let unknown = try admin.post("/admin/groups/\(group.id)/members", form: ["csrf_token": csrf, "discord_id": Self.snowflake()])
        #expect(unknown.status == 404 && unknown.body.contains("No user has linked the Discord account"))

        let removed = try admin.post("/admin/groups/\(group.id)/members/remove", form: ["csrf_token": csrf, "discord_id": discordID])
        #expect(removed.location == "/admin/groups?notice=removed")
        let verify = try admin.post("/admin/groups/verify", form: ["csrf_token": csrf])
        #expect(verify.location == "/admin/groups?notice=verifying")
        #expect(try admin.post("/admin/groups/\(group.id)/delete", form: ["csrf_token": csrf]).location == "/admin/groups?notice=deleted")
        #expect(try GroupStore(db).group(id: group.id) == nil)
        let unknownNotice = try admin.get("/admin/groups?notice=forged")
        #expect(unknownNotice.status == 200 && !unknownNotice.body.contains("forged"), "a notice is a key, never text from the URL")
    }
}
