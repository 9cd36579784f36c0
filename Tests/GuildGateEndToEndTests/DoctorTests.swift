import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// `guildgate-web doctor` against discord-sandbox: passes on a good configuration, and names each
    /// misconfiguration an operator makes, with its fix.
    @Suite struct Doctor {
        let stack: TestStack
        let sandbox: SandboxControl

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
        }

        /// Runs `doctor --json` and returns its exit code and checks by name.
        func doctor(_ overrides: [String: String?] = [:]) throws -> (status: Int32?, checks: [String: [String: Any]]) {
            let process = try WebProcess(stack: stack, arguments: ["doctor", "--json"], overrides: overrides)
            let status = process.waitForExit(timeout: 60)
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(process.standardOutput.utf8)) as? [String: Any],
                "doctor printed no JSON: \(process.standardOutput) \(process.errorOutput.suffix(1000))")
            #expect((report["ok"] as? Bool) == (status == 0))
            let checks = report["checks"] as? [[String: Any]] ?? []
            return (status, Dictionary(checks.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first }))
        }

        func problem(_ check: [String: Any]?) -> String {
            guard check?["status"] as? String == "problem" else { return "" }
            return "\(check?["detail"] as? String ?? "") \(check?["fix"] as? String ?? "")"
        }

        @Test func aGoodConfigurationPassesEveryCheck() throws {
            let (status, checks) = try doctor()
            #expect(status == 0, "\(checks)")
            for name in ["database", "redirect URI", "OAuth client", "bot token", "privileged intents", "guild", "bot role"] {
                #expect(checks[name]?["status"] as? String == "ok", "\(name): \(checks[name] ?? [:])")
            }
            let channels = checks.keys.filter { $0.hasPrefix("storage channel ") }
            #expect(channels.count == (stack.settings["DISCORD_STORAGE_CHANNEL_IDS"] ?? "").split(separator: ",").count)
            #expect(channels.allSatisfy { checks[$0]?["status"] as? String == "ok" })
            let text = try WebProcess(stack: stack, arguments: ["doctor"])
            #expect(text.waitForExit(timeout: 60) == 0)
            #expect(text.standardOutput.contains("ok       bot token: valid"))
            #expect(text.standardOutput.contains("All checks passed."))
        }

        @Test func aDisabledPrivilegedIntentIsNamedWithItsPortalSwitch() throws {
            try sandbox.configureGateway(#"{"privileged_intents":["GUILD_MEMBERS","MESSAGE_CONTENT"]}"#)
            let (status, checks) = try doctor()
            #expect(status == 1)
            let text = problem(checks["privileged intents"])
            #expect(text.contains("GUILD_PRESENCES (\"Presence Intent\")"), "\(text)")
            #expect(!text.contains("GUILD_MEMBERS"))
            #expect(text.contains("Privileged Gateway Intents"))
        }

        @Test func aChannelWithoutAttachFilesIsNamed() throws {
            let channel = try #require((stack.settings["DISCORD_STORAGE_CHANNEL_IDS"] ?? "").split(separator: ",").first.map(String.init))
            try sandbox.send(
                "PUT", "/_sandbox/channels/\(channel)/permission-overwrites",
                json: #"[{"id":"300000000000000004","type":0,"allow":"0","deny":"32768"}]"#)
            let (status, checks) = try doctor()
            #expect(status == 1)
            let text = problem(checks["storage channel \(channel)"])
            #expect(text.contains("lacks Attach Files"), "\(text)")
            #expect(!text.contains("Send Messages"))
            #expect(text.contains("Permissions"))
        }

        /// What doctor warns about is what Discord would refuse: the sandbox enforces the bot's channel rights.
        @Test func withoutAttachFilesAnUploadFailsWithDiscordsMissingPermissions() throws {
            let channels = (stack.settings["DISCORD_STORAGE_CHANNEL_IDS"] ?? "").split(separator: ",").map(String.init)
            for channel in channels {
                try sandbox.send(
                    "PUT", "/_sandbox/channels/\(channel)/permission-overwrites",
                    json: #"[{"id":"300000000000000004","type":0,"allow":"0","deny":"32768"}]"#)
            }
            let token = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            let refused = try EndToEnd.uploadFile(
                Browser(baseURL: stack.webURL), Array("denied".utf8), name: "denied.bin", headers: ["Authorization": "Bearer \(token)"])
            #expect(refused.status == 503)
            #expect((refused.json?["error"] as? String)?.contains("guildgate-web doctor") == true, "\(refused.body)")
            #expect(!refused.body.contains("50013"), "Discord's answer is for the log, not the caller")
            #expect(stack.webLog.contains("50013"), "the cause is logged")
            try sandbox.reset()
            let stored = try EndToEnd.uploadFile(
                Browser(baseURL: stack.webURL), Array("allowed".utf8), name: "allowed.bin", headers: ["Authorization": "Bearer \(token)"])
            #expect(stored.status == 201, "\(stored.body)")
        }

        @Test func aChannelTheBotCannotSeeIsNamed() throws {
            let channel = try #require((stack.settings["DISCORD_STORAGE_CHANNEL_IDS"] ?? "").split(separator: ",").last.map(String.init))
            let guild = try #require(stack.settings["DISCORD_GUILD_ID"])
            try sandbox.send(
                "PUT", "/_sandbox/channels/\(channel)/permission-overwrites",
                json:
                    #"[{"id":"\#(guild)","type":0,"allow":"0","deny":"1024"},{"id":"300000000000000004","type":0,"allow":"0","deny":"1024"}]"#
            )
            let text = problem(try doctor().checks["storage channel \(channel)"])
            #expect(text.contains("View Channel") && text.contains("Attach Files"), "\(text)")
        }

        @Test func theBotRoleIsReportedWithWhatItMayAssign() throws {
            try sandbox.send("PUT", "/_sandbox/guild/bot-role", json: #"{"permissions":"101376"}"#)
            var detail = try doctor().checks["bot role"]?["detail"] as? String ?? ""
            #expect(detail.contains("at position 1") && detail.contains("without Manage Roles"), "\(detail)")
            try sandbox.send("PUT", "/_sandbox/guild/bot-role", json: #"{"permissions":"268536832"}"#)
            detail = try doctor().checks["bot role"]?["detail"] as? String ?? ""
            #expect(detail.contains("with Manage Roles it can assign the 0 role(s) below it"), "\(detail)")
        }

        @Test func aWrongClientSecretIsNamed() throws {
            let (status, checks) = try doctor(["DISCORD_CLIENT_SECRET": "not-the-secret"])
            #expect(status == 1)
            #expect(problem(checks["OAuth client"]).contains("invalid_client"))
        }

        @Test func aWrongBotTokenIsNamedAndTheBotChecksAreSkipped() throws {
            let (status, checks) = try doctor(["DISCORD_BOT_TOKEN": "not-a-token"])
            #expect(status == 1)
            #expect(problem(checks["bot token"]).contains("Reset Token"))
            #expect(checks["guild"]?["status"] as? String == "skipped")
        }

        @Test func aGuildTheBotIsNotInIsNamedWithTheInvite() throws {
            let (status, checks) = try doctor(["DISCORD_GUILD_ID": "399999999999999999"])
            #expect(status == 1)
            let text = problem(checks["guild"])
            #expect(text.contains("not in the server 399999999999999999") && text.contains("permissions=402754560"), "\(text)")
        }

        @Test func aRedirectURIThatIsNotTheCallbackIsNamed() throws {
            let (status, checks) = try doctor(["DISCORD_REDIRECT_URI": "https://elsewhere.example/callback"])
            #expect(status == 1)
            #expect(problem(checks["redirect URI"]).contains(stack.webURL + "/api/discord/callback"))
            let http = try doctor(["WEB_APP_BASE_URL": "http://guild.example.org", "DISCORD_REDIRECT_URI": nil])
            #expect(problem(http.checks["redirect URI"]).contains("https"))
        }

        @Test func aDatabaseBehindIsNamed() throws {
            let name = "doctor_\(UUID().uuidString.prefix(8).lowercased())"
            try EndToEnd.database(stack).query("CREATE DATABASE \(name)")
            let url = stack.databaseURL.replacingOccurrences(of: "/guildgate?", with: "/\(name)?")
            let (status, checks) = try doctor(["DATABASE_URL": url])
            #expect(status == 1)
            #expect(problem(checks["database"]).contains("guildgate-web migrate"))
        }
    }
}
