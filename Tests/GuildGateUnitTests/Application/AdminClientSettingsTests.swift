import DiscordKit
import Foundation
import GuildGateCore
import GuildGateTesting
import Store
import Testing

/// `/admin/client` and `/api/admin/client` in-process: what is shown (secrets never), every refusal that
/// needs no Discord (bad values are refused before Discord is asked; Discord itself is out of reach here), and
/// saving what Discord has no say in. Saving what Discord checks runs end to end (`EndToEnd.AdminClientSettings`).
/// One at a time: they share the one row of saved settings.
@Suite(.serialized) struct AdminClientSettings {
    let app: TestApplication
    let token: String
    let secrets: [String]

    init() async throws {
        app = try await TestApplication(overrides: TestApplication.unreachableDiscord)
        token = try #require(app.config.apiToken)
        secrets = [try #require(app.config.discordBotToken), try #require(app.config.discordClientSecret)]
    }

    /// When the settings were last saved (nil: never); a refusal leaves it as it was.
    func savedVersion() throws -> Date? {
        try ClientSettingsStore(app.database()).load()?.updatedAt
    }

    func put(_ json: String, contentType: String = "application/json") throws -> Page {
        try app.client().send(
            "PUT", "/api/admin/client", headers: ["Authorization": "Bearer \(token)", "Content-Type": contentType], body: Array(json.utf8))
    }

    func expectNoSecret(in text: String, _ typed: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets + typed {
            #expect(!text.contains(secret), "a secret was echoed", sourceLocation: sourceLocation)
        }
    }

    @Test func eachFieldShowsItsValueAndSourceAndSecretsOnlyWhetherTheyAreSet() throws {
        let page = try app.client().get("/api/admin/client", headers: ["Authorization": "Bearer \(token)"])
        #expect(page.status == 200)
        expectNoSecret(in: page.body)
        let fields = try #require(page.json?["fields"] as? [[String: Any]])
        #expect(
            fields.map { $0["field"] as? String }
                == ["name", "callback_url", "server_id", "client_id", "client_secret", "bot_token", "invite_url", "nickname_template"])
        let byName = Dictionary(fields.map { ($0["field"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for secret in ["client_secret", "bot_token"] {
            #expect(byName[secret]?["value"] == nil, "a secret has no value, not even masked")
            #expect(byName[secret]?["secret"] as? Bool == true)
            #expect(byName[secret]?["set"] as? Bool == true)
            #expect(byName[secret]?["source"] as? String == "environment")
        }
        #expect(byName["server_id"]?["value"] as? String == app.config.discordGuildID)
        #expect(byName["server_id"]?["environment_variable"] as? String == "DISCORD_GUILD_ID")
        #expect(byName["invite_url"]?["source"] as? String == "unset")

        let admin = app.client()
        try admin.signInAsAdmin()
        let form = try admin.get("/admin/client")
        #expect(form.status == 200)
        expectNoSecret(in: form.body)
        #expect(form.body.contains("set, from the environment (DISCORD_BOT_TOKEN)"))
        #expect(form.body.contains("name=\"bot_token\" type=\"password\" value=\"\""))
        #expect(form.body.contains("<a href=\"/admin/client\" aria-current=\"page\">"))
    }

    @Test func badValuesAreRefusedFieldByFieldBeforeDiscordIsAskedAndChangeNothing() throws {
        let version = try savedVersion()
        let typedSecret = "typed secret \(UUID().uuidString)"
        let shapes = try put(#"{"name": 5, "colour": "blue"}"#)
        #expect(shapes.status == 400)
        let shapeFields = try #require(shapes.json?["fields"] as? [String: String])
        #expect(shapeFields["name"]?.contains("must be a string") == true)
        #expect(shapeFields["colour"]?.contains("is not a setting") == true)

        let refused = try put(
            """
            {"server_id": "abc", "client_id": "12", "callback_url": "https://elsewhere.example/callback",
             "invite_url": "not a link", "nickname_template": "[%rnk] %username", "bot_token": "\(typedSecret)"}
            """)
        #expect(refused.status == 400, "\(refused.body)")
        #expect(refused.json?["code"] as? String == "validation_failed")
        let fields = try #require(refused.json?["fields"] as? [String: String])
        #expect(Set(fields.keys) == ["server_id", "client_id", "callback_url", "invite_url", "nickname_template", "bot_token"])
        #expect(fields["server_id"]?.contains("17 to 20 digits") == true)
        #expect(fields["callback_url"]?.contains(app.config.webAppBaseURL + "/api/discord/callback") == true, "\(fields)")
        #expect(fields["nickname_template"]?.contains("%rnk is not a placeholder") == true)
        #expect(fields["bot_token"]?.contains("spaces") == true)
        expectNoSecret(in: refused.body, [typedSecret])
        expectNoSecret(in: app.log.text, [typedSecret])
        #expect(!app.log.text.contains("127.0.0.1:9"), "Discord was not asked")

        #expect(try put("{", contentType: "application/json").status == 400)
        #expect(try put("[]").status == 400)
        #expect(try put("{}", contentType: "text/plain").status == 415)
        #expect(try savedVersion() == version, "nothing was saved")
    }

    @Test func whenDiscordCannotBeAskedNothingIsSaved() throws {
        let version = try savedVersion()
        let refused = try put(#"{"bot_token": "a-token-nobody-can-check"}"#)
        #expect(refused.status == 422, "\(refused.body)")
        #expect(refused.json?["code"] as? String == "discord_refused")
        let message = try #require((refused.json?["fields"] as? [String: String])?["bot_token"])
        #expect(message.contains("Discord could not be reached"), "\(message)")
        expectNoSecret(in: refused.body, ["a-token-nobody-can-check"])
        expectNoSecret(in: app.log.text, ["a-token-nobody-can-check"])
        #expect(try savedVersion() == version)
    }

    @Test func aValueAsTheEnvironmentHasItChangesNothing() throws {
        let version = try savedVersion()
        let same = try put(#"{"server_id": "\#(try #require(app.config.discordGuildID))", "client_secret": ""}"#)
        #expect(same.status == 200, "\(same.body)")
        #expect((same.json?["saved"] as? [String: Any])?["set"] as? [String] == [])
        #expect(try savedVersion() == version)
    }

    /// The name, the invite link and the nickname template are the site's own: Discord is not asked.
    @Test func whatDiscordHasNoSayInIsSavedAuditedAndGivenBack() throws {
        defer { _ = try? app.database().query("DELETE FROM client_settings") }
        let saved = try put(#"{"name": "Krypted", "invite_url": "https://discord.gg/krypted", "nickname_template": "[%rank] %username"}"#)
        #expect(saved.status == 200, "\(saved.body)")
        #expect((saved.json?["saved"] as? [String: Any])?["set"] as? [String] == ["name", "invite_url", "nickname_template"])
        let fields = saved.json?["fields"] as? [[String: Any]] ?? []
        #expect(fields.first { $0["field"] as? String == "name" }?["source"] as? String == "saved")
        #expect(app.environment.settings.current.nicknameTemplate == "[%rank] %username", "applied in this process at once")
        #expect(try ClientSettingsStore(app.database()).load()?.updatedBy == "api")
        let entry = try #require(try AuditLogStore(app.database()).recent(limit: 1, target: "client").first)
        #expect(entry.action == "client.save" && entry.actor == "api")
        #expect(entry.detail == ["set": ["name", "invite_url", "nickname_template"], "cleared": []])

        let admin = app.client()
        try admin.signInAsAdmin()
        let form = try admin.get("/admin/client")
        #expect(form.body.contains("name=\"use_environment_name\""), "a saved field can be given back to the environment")
        let csrf = try #require(TestClient.csrfToken(in: form))
        let back = try admin.post("/admin/client", form: ["csrf_token": csrf, "use_environment_name": "on", "invite_url": ""])
        #expect(back.status == 303 && back.location == "/admin/client?notice=saved")
        #expect(try admin.get("/admin/client?notice=saved").body.contains("Saved. Every process picks the new settings up by itself."))
        #expect(app.environment.settings.saved == DiscordClientSettings([.nicknameTemplate: "[%rank] %username"]))
        #expect(try AuditLogStore(app.database()).recent(limit: 1, target: "client").first?.detail["cleared"] == ["name", "invite_url"])
    }

    @Test func aSaveThatWouldUndoOneMadeMeanwhileIsRefused() throws {
        defer { _ = try? app.database().query("DELETE FROM client_settings") }
        let settings = app.environment.settings
        let logger = app.log.logger
        let discord = { (config: AppConfig) in
            app.environment.discordClient(config: config, transport: FakeTransport([]), logger: logger)
        }
        var theirs: (() throws -> Void)? = {
            // Another admin saves while this save is being checked.
            try ClientSettingsUpdate(settings: LiveConfig(base: settings.base), db: app.database(), logger: logger, discord: discord)
                .apply(ClientSettingsChange([.name: .set("Theirs")]), by: .admin("other"))
        }
        let mine = ClientSettingsUpdate(settings: settings, db: app.database(), logger: logger) { config in
            if let save = theirs {
                theirs = nil
                try? save()
            }
            return discord(config)
        }
        #expect(throws: ClientSettingsRefusal.changedMeanwhile(by: "admin:other")) {
            try mine.apply(ClientSettingsChange([.name: .set("Mine")]), by: .admin("me"))
        }
        #expect(try ClientSettingsStore(app.database()).load()?.name == "Theirs")
    }

    @Test func theFormShowsEachErrorAtItsFieldKeepsWhatWasTypedButNeverASecret() throws {
        let admin = app.client()
        try admin.signInAsAdmin()
        let csrf = try #require(TestClient.csrfToken(in: try admin.get("/admin/client")))
        let typedSecret = "typed-\(UUID().uuidString)"
        var form = [
            "csrf_token": csrf, "name": "Krypted <Guild>", "server_id": "abc", "bot_token": typedSecret,
            "callback_url": app.config.discordRedirectURI,
        ]
        let page = try admin.post("/admin/client", form: form)
        #expect(page.status == 400)
        #expect(page.body.contains("Some fields are invalid; nothing was saved."))
        #expect(page.body.contains("<div class=\"field-error\">must be a Discord id"))
        #expect(page.body.contains("value=\"Krypted &lt;Guild&gt;\""), "what was typed is kept, escaped")
        #expect(page.body.contains("Secrets are never sent back: type them again."))
        #expect(page.body.components(separatedBy: "class=\"field-error\"").count == 2, "one field, one error")
        expectNoSecret(in: page.body, [typedSecret])

        let version = try savedVersion()
        form["csrf_token"] = "forged"
        #expect(try admin.post("/admin/client", form: form).status == 403)
        #expect(try savedVersion() == version)
    }
}
