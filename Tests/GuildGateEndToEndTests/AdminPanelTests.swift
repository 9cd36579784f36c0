import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// An admin's browser on the stack: a new admin made with `create-admin`, signed in through nginx, and the
    /// session's CSRF token.
    static func adminBrowser(_ stack: TestStack) throws -> (Browser, String) {
        // Every test's browser comes from loopback, which the sign-in throttle counts too.
        try database(stack).query("DELETE FROM login_attempts")
        let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
        try createAdmin(stack, username: username, password: "s3cret-passphrase")
        let browser = Browser(baseURL: stack.webURL)
        let csrf = try #require(Browser.csrfToken(in: try browser.get("/admin/login")))
        let signedIn = try browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": "s3cret-passphrase"])
        #expect(signedIn.status == 303)
        return (browser, try #require(Browser.csrfToken(in: try browser.get("/admin/client"))))
    }

    /// The Discord client's settings saved through the admin API and page, checked by discord-sandbox: each
    /// wrong value refused with its field named and nothing saved; a good set saved with its secrets sealed
    /// (in no dump of the database, in no log), applied at once, announced to the other processes.
    @Suite struct AdminClientSettings {
        let stack: TestStack
        let sandbox: SandboxControl
        let token: String
        let db: PostgresConnection

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            token = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            db = EndToEnd.database(stack)
            try forgetSavedSettings()
        }

        /// Back to the environment's settings, in the database and in the web process (which reloads them
        /// whenever it shows them).
        func forgetSavedSettings() throws {
            try db.query("DELETE FROM client_settings")
            #expect(try api("GET").status == 200)
        }

        func api(_ method: String, _ json: String? = nil) throws -> Page {
            var headers = ["Authorization": "Bearer \(token)"]
            if json != nil { headers["Content-Type"] = "application/json" }
            return try Browser(baseURL: stack.webURL).send(method, "/api/admin/client", headers: headers, body: Array((json ?? "").utf8))
        }

        func refusal(_ json: String, field: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let page = try api("PUT", json)
            #expect(page.status == 422, "\(page.body)", sourceLocation: sourceLocation)
            #expect(page.json?["code"] as? String == "discord_refused", sourceLocation: sourceLocation)
            let fields = page.json?["fields"] as? [String: String] ?? [:]
            #expect(Array(fields.keys) == [field], "\(fields)", sourceLocation: sourceLocation)
            #expect(try db.query("SELECT 1 FROM client_settings").rows.isEmpty, "nothing was saved", sourceLocation: sourceLocation)
            return fields[field] ?? ""
        }

        @Test func aWrongBotTokenIsRefusedAsTheBotTokensProblem() throws {
            let message = try refusal(#"{"bot_token": "not-a-token", "name": "Krypted"}"#, field: "bot_token")
            #expect(message.contains("Discord refused the bot token (401).") && message.contains("Reset Token"), "\(message)")
            #expect(!stack.webLog.contains("not-a-token"))
        }

        @Test func aServerTheBotIsNotInIsRefusedAsTheServerIDsProblem() throws {
            let message = try refusal(#"{"server_id": "399999999999999999"}"#, field: "server_id")
            #expect(message.contains("not in the server 399999999999999999") && message.contains("permissions=402754560"), "\(message)")
        }

        @Test func aWrongClientSecretIsRefusedAsTheSecretsProblem() throws {
            let message = try refusal(#"{"client_secret": "not-the-secret"}"#, field: "client_secret")
            #expect(message.contains("invalid_client"), "\(message)")
            #expect(!stack.webLog.contains("not-the-secret"))
        }

        @Test func aGoodSetIsSavedSealedAppliedAndAnnounced() throws {
            defer { try? forgetSavedSettings() }
            let secrets = [try #require(stack.settings["DISCORD_BOT_TOKEN"]), try #require(stack.settings["DISCORD_CLIENT_SECRET"])]
            let listener = EndToEnd.database(stack)
            try listener.listen(ClientSettingsStore.notificationChannel)
            let callback = stack.webURL + "/discord/sso/callback"
            let saved = try api(
                "PUT",
                """
                {"name": "Krypted", "callback_url": "\(callback)", "server_id": "\(try #require(stack.settings["DISCORD_GUILD_ID"]))",
                 "client_id": "\(try #require(stack.settings["DISCORD_CLIENT_ID"]))", "client_secret": "\(secrets[1])",
                 "bot_token": "\(secrets[0])", "invite_url": "https://discord.gg/krypted", "nickname_template": "[%rank] %username"}
                """)
            #expect(saved.status == 200, "\(saved.body)")
            #expect(
                (saved.json?["saved"] as? [String: Any])?["set"] as? [String]
                    == ["name", "callback_url", "client_secret", "bot_token", "invite_url", "nickname_template"],
                "ids as the environment has them stay the environment's; secrets typed in are saved")
            #expect(try listener.waitForNotifications(timeout: .seconds(5)) == [""], "the trigger tells every process")

            let shown = try api("GET")
            let fields = Dictionary(
                (shown.json?["fields"] as? [[String: Any]] ?? []).map { ($0["field"] as? String ?? "", $0) },
                uniquingKeysWith: { a, _ in a })
            #expect(fields["bot_token"]?["source"] as? String == "saved" && fields["bot_token"]?["value"] == nil)
            #expect(fields["callback_url"]?["value"] as? String == callback)
            #expect(fields["server_id"]?["source"] as? String == "environment")
            for page in [saved, shown] {
                for secret in secrets { #expect(!page.body.contains(secret), "a response showed a secret") }
            }

            // At rest: every text and bytea column of client_settings, then a full dump of the database.
            let row = try #require(
                try db.query("SELECT (SELECT string_agg(c::text, ' ') FROM client_settings c) AS everything").first?["everything"])
            #expect(try db.query("SELECT updated_by FROM client_settings").first?["updated_by"] == "api")
            let dump = try EndToEnd.databaseDump(stack)
            #expect(dump.contains("Krypted"), "the dump has the saved settings")
            for secret in secrets {
                let hex = secret.utf8.map { String(format: "%02x", $0) }.joined()
                for text in [row, dump] {
                    #expect(!text.contains(secret) && !text.contains(hex), "a secret is stored in plain text")
                }
                #expect(!stack.webLog.contains(secret), "a secret is in the web log")
            }
            let audit = try #require(
                try db.query("SELECT actor, detail::text AS detail FROM audit_log WHERE action = 'client.save' ORDER BY id DESC LIMIT 1")
                    .first)
            #expect(audit["actor"] == "api")
            #expect(audit["detail"]?.contains("\"bot_token\"") == true)
            #expect(secrets.allSatisfy { !(audit["detail"] ?? "").contains($0) })

            // Applied at once: Log in with Discord now returns to seed 004's callback path, through nginx.
            try EndToEnd.useFreshDiscordAccount(sandbox, username: "sso_alias_user")
            let browser = Browser(baseURL: stack.webURL)
            var page = try browser.get("/login?next=/files")
            #expect(page.locationQuery["redirect_uri"] == callback, "Discord is asked to send the browser back there")
            for _ in 0..<3 where page.status == 302 && !(page.location ?? "").hasPrefix(callback) {
                page = try browser.get(try #require(page.location))
            }
            let back = try browser.get(try #require(page.location))
            #expect(back.location == stack.webURL + "/files", "\(back.status) \(back.location ?? "")")

            // Given back to the environment: every saved field cleared.
            let cleared = try api(
                "PUT",
                #"{"name": null, "callback_url": null, "client_secret": null, "bot_token": null, "invite_url": null, "nickname_template": null}"#
            )
            #expect(cleared.status == 200, "\(cleared.body)")
            #expect((cleared.json?["saved"] as? [String: Any])?["cleared"] as? [String] != [])
            let after = try api("GET").json?["fields"] as? [[String: Any]] ?? []
            #expect(after.allSatisfy { $0["source"] as? String != "saved" }, "\(after)")
        }

        @Test func theFormNamesTheFieldAndNeverShowsTheTypedSecret() throws {
            let (browser, csrf) = try EndToEnd.adminBrowser(stack)
            let page = try browser.post("/admin/client", form: ["csrf_token": csrf, "bot_token": "typed-wrong-token"])
            #expect(page.status == 422)
            #expect(page.body.contains("Discord did not accept these settings; nothing was saved."))
            #expect(page.body.contains("<div class=\"field-error\">Discord refused the bot token (401)."))
            #expect(!page.body.contains("typed-wrong-token"))
            #expect(try db.query("SELECT 1 FROM client_settings").rows.isEmpty)
        }
    }

    /// The dashboard runs the doctor's checks live, and a slow Discord holds it no longer than its budget.
    @Suite struct AdminDashboard {
        @Test func theChecksRunLiveAndASlowDiscordDoesNotHoldThePage() throws {
            let (stack, sandbox) = try EndToEnd.stack()
            let (browser, _) = try EndToEnd.adminBrowser(stack)
            let healthy = try browser.get("/admin")
            #expect(healthy.status == 200)
            #expect(healthy.body.contains("<tr data-check=\"bot token\"><td>bot token</td><td><span class=\"pill ok\">"), "\(healthy.body)")
            #expect(healthy.body.contains("<tr data-check=\"guild\"><td>guild</td><td><span class=\"pill ok\">"))

            try sandbox.delay(method: "GET", path: "/api/v10/users/@me", milliseconds: 30_000)
            let started = Date()
            let slow = try browser.get("/admin")
            let took = Date().timeIntervalSince(started)
            #expect(slow.status == 200)
            #expect(took < 15, "the page took \(took) s")
            #expect(slow.body.contains("timed out"), "the check says Discord was too slow")
            try sandbox.reset()
        }
    }

    /// Groups against discord-sandbox: "Sync groups" imports exactly the roles a group may map, mapping refuses
    /// the others, and a membership change queues a verify of that member.
    @Suite(.serialized) struct AdminGroups {
        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection
        let token: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            token = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            try db.query("TRUNCATE groups CASCADE")
        }

        func api(_ method: String, _ path: String, _ json: String? = nil) throws -> Page {
            var headers = ["Authorization": "Bearer \(token)"]
            if json != nil { headers["Content-Type"] = "application/json" }
            return try Browser(baseURL: stack.webURL).send(method, path, headers: headers, body: Array((json ?? "").utf8))
        }

        @Test func syncImportsTheServersRolesButEveryoneAndManagedOnes() throws {
            let moderator = try sandbox.createRole(name: "Moderator")
            let member = try sandbox.createRole(name: "Member")
            let twitch = try sandbox.createRole(name: "Twitch Subscriber", managed: true)
            let guild = try #require(stack.settings["DISCORD_GUILD_ID"])

            let synced = try api("POST", "/api/admin/groups/sync")
            #expect(synced.status == 200, "\(synced.body)")
            #expect(synced.json?["created"] as? Int == 2)
            let imported = (synced.json?["imported"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(imported) == [moderator, member])
            let skipped = (synced.json?["skipped"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(skipped) == [guild, twitch, "300000000000000004"], "@everyone, an integration's role, the bot's own")
            let groups = try db.query("SELECT name, role_id, source FROM groups ORDER BY name").rows
            #expect(
                groups.map { [$0["name"], $0["role_id"], $0["source"]] } == [
                    ["Member", member, "discord"], ["Moderator", moderator, "discord"],
                ])
            #expect(try api("POST", "/api/admin/groups/sync").json?["created"] as? Int == 0, "a second sync creates nothing")
            #expect(try db.query("SELECT 1 FROM audit_log WHERE action = 'groups.import' AND actor = 'api'").rows.count >= 2)

            // Mapping: a role has one group, and only a role that can be given and taken.
            let local = try #require(try api("POST", "/api/admin/groups", #"{"name": "Raiders"}"#).json?["id"] as? Int)
            let refusals = [
                (moderator, "role_taken"), (twitch, "role_not_assignable"), (guild, "role_not_assignable"),
                ("399999999999999999", "role_not_assignable"),
            ]
            for (roleID, code) in refusals {
                let refused = try api("PUT", "/api/admin/groups/\(local)/role", #"{"role_id": "\#(roleID)"}"#)
                #expect(refused.json?["code"] as? String == code, "\(roleID): \(refused.body)")
                #expect((refused.json?["fields"] as? [String: String])?["role_id"] != nil)
            }
            let raiders = try sandbox.createRole(name: "Raiders")
            let mapped = try api("PUT", "/api/admin/groups/\(local)/role", #"{"role_id": "\#(raiders)"}"#)
            #expect(mapped.status == 200 && mapped.json?["role_id"] as? String == raiders, "\(mapped.body)")
            #expect(try api("DELETE", "/api/admin/groups/\(local)/role").json?["role_id"] is NSNull)
        }

        @Test func aMembershipChangeQueuesAVerifyOfThatMember() throws {
            let group = try #require(try api("POST", "/api/admin/groups", #"{"name": "Crafters"}"#).json?["id"] as? Int)
            let discordID = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
            _ = try UserStore(db).upsertDiscordLogin(discordID: discordID, discordUsername: "crafter")
            let added = try api("PUT", "/api/admin/groups/\(group)/members/\(discordID)")
            #expect(added.status == 200, "\(added.body)")
            let jobID = try #require(added.json?["job_id"] as? Int)
            let job = try #require(try db.query("SELECT kind, payload->>'discord_id' AS discord_id FROM jobs WHERE id = $1", [jobID]).first)
            #expect(job["kind"] == "groups.verify" && job["discord_id"] == discordID)
            #expect(try api("GET", "/api/jobs/\(jobID)").json?["kind"] as? String == "groups.verify")
            #expect(try api("DELETE", "/api/admin/groups/\(group)/members/\(discordID)").json?["job_id"] is Int)
            #expect(try api("PUT", "/api/admin/groups/\(group)/members/399999999999999999").status == 404)
        }
    }

    /// `pg_dump` of the stack's whole database, as a backup would hold it.
    static func databaseDump(_ stack: TestStack) throws -> String {
        let root = "/usr/lib/postgresql"
        let version = try #require(
            (try FileManager.default.contentsOfDirectory(atPath: root)).filter {
                FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/pg_dump")
            }.max { $0.compare($1, options: .numeric) == .orderedAscending })
        let output = stack.directory + "/logs/pg_dump-\(UUID().uuidString.prefix(8)).sql"
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: "\(root)/\(version)/bin/pg_dump")
        dump.arguments = ["--dbname", stack.databaseURL, "--file", output]
        let errors = Pipe()
        dump.standardError = errors
        try dump.run()
        dump.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: output) }
        #expect(dump.terminationStatus == 0, "\(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        return try String(contentsOfFile: output, encoding: .utf8)
    }
}
