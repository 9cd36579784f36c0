import CurlHTTP
import DiscordKit
import Foundation
import GuildGateTesting
import Logging
import Store
import Testing

@testable import GuildGateCore

/// Saving the Discord client, without a database or a Discord: what a change would save, what is wrong
/// with values on their own, and how Discord's answers become the problems of the fields to fix.
@Suite struct ClientSettingsRules {
    typealias Field = DiscordClientSettings.Field

    static let base = try! AppConfig(settings: [
        "DATABASE_URL": "postgresql:///unused", "WEB_APP_BASE_URL": "https://guild.example.org",
        "GUILDGATE_SECRET_KEY": Data(repeating: 1, count: 32).base64EncodedString(), "DISCORD_BOT_TOKEN": "env-token",
        "DISCORD_GUILD_ID": "300000000000000003", "DISCORD_CLIENT_ID": "100000000000000001",
    ])

    static func plan(_ edits: [Field: ClientSettingsChange.Edit], saved: [Field: String] = [:]) -> ClientSettingsPlan {
        ClientSettingsPlan(ClientSettingsChange(edits), base: base, current: DiscordClientSettings(saved))
    }

    @Test func aFormFieldLeftEmptyKeepsASecretAndGivesAnythingElseBackToTheEnvironment() {
        #expect(ClientSettingsChange.edit(for: .botToken, submitted: "  ") == nil)
        #expect(ClientSettingsChange.edit(for: .botToken, submitted: nil) == nil)
        #expect(ClientSettingsChange.edit(for: .name, submitted: "") == .useEnvironment)
        #expect(ClientSettingsChange.edit(for: .name, submitted: "Krypted") == .set("Krypted"))
    }

    @Test func aPlanSavesOnlyWhatChangesAndKnowsWhatChangesInEffect() {
        let plan = Self.plan(
            [
                .name: .set(" Krypted "), .guildID: .set("300000000000000003"), .botToken: .useEnvironment,
                .clientSecret: .set("new-secret"),
            ],
            saved: [.botToken: "saved-token", .inviteURL: "https://discord.gg/abc"])
        #expect(plan.problems.isEmpty)
        #expect(plan.saved == DiscordClientSettings([.name: "Krypted", .clientSecret: "new-secret", .inviteURL: "https://discord.gg/abc"]))
        #expect(plan.assigned == [.name, .clientSecret], "the server id as the environment has it stays the environment's")
        #expect(plan.cleared == [.botToken])
        #expect(plan.changedInEffect == [.name, .clientSecret, .botToken])
        #expect(plan.config.discordBotToken == "env-token")

        let typed = Self.plan([.botToken: .set("env-token")])
        #expect(typed.assigned == [.botToken], "a secret typed in is meant to be saved, even the environment's")
        #expect(typed.changedInEffect.isEmpty && typed.checked == [.botToken], "and Discord is asked about it")

        let same = Self.plan([.botToken: .set("saved-token"), .guildID: .useEnvironment], saved: [.botToken: "saved-token"])
        #expect(same.changesNothing && same.changedInEffect.isEmpty)
    }

    @Test func aRequiredFieldGoesBackToTheEnvironmentOnlyWhenTheEnvironmentHasOne() {
        let plan = Self.plan([.clientSecret: .useEnvironment, .botToken: .useEnvironment], saved: [.clientSecret: "s", .botToken: "t"])
        #expect(
            plan.problems == [
                ClientSettingsProblem(
                    .clientSecret, "has no value in the environment (DISCORD_CLIENT_SECRET) to fall back to: enter one instead.")
            ])
        #expect(Self.plan([.inviteURL: .useEnvironment], saved: [.inviteURL: "https://discord.gg/abc"]).problems.isEmpty, "optional")
    }

    @Test func valuesAreCheckedOnTheirOwnBeforeDiscordIsAsked() {
        let plan = Self.plan([
            .guildID: .set("30000000000000000x"), .clientID: .set("1234"), .botToken: .set("two words"), .clientSecret: .set(" "),
            .inviteURL: .set("discord.gg/abc"), .nicknameTemplate: .set("%rank %nick 100%"),
            .name: .set(String(repeating: "n", count: 101)),
            .callbackURL: .set("https://guild.example.org/callback"),
        ])
        let fields = Dictionary(plan.problems.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        #expect(Set(fields.keys) == Set(Field.allCases))
        #expect(fields[.guildID]?.contains("17 to 20 digits") == true)
        #expect(fields[.clientSecret] == "is empty.")
        #expect(fields[.nicknameTemplate] == "%nick is not a placeholder: use %username, %global_name, %rank or %group.")
        #expect(fields[.name] == "must be at most 100 characters.")
        #expect(
            fields[.callbackURL]
                == "The callback URL is https://guild.example.org/callback, but the callback is served at https://guild.example.org/api/discord/callback and https://guild.example.org/discord/sso/callback. Set the callback URL to https://guild.example.org/api/discord/callback (or leave it empty) and register exactly that URL in the Developer Portal → OAuth2 → Redirects."
        )
        #expect(Self.plan([.callbackURL: .set("https://guild.example.org/discord/sso/callback")]).problems.isEmpty, "seed 004's path")
        #expect(Self.plan([.nicknameTemplate: .set("[%rank] %username%group 100%")]).problems.isEmpty)
    }

    @Test func settingNamesSayWhatToEdit() {
        #expect(SettingNames.environment[.botToken] == "DISCORD_BOT_TOKEN")
        #expect(SettingNames.form[.callbackURL] == "the callback URL")
        #expect(SettingNames.form[.guildID] == "the server ID")
    }

    // MARK: - Discord's answers

    static func check(_ script: [Result<HTTPResponse, HTTPClientError>], config: AppConfig = base) -> (ClientSettingsCheck, FakeTransport) {
        let transport = FakeTransport(script)
        let discord = DiscordClient(
            configuration: config.discordConfiguration, transport: transport, rateLimiter: RateLimiter(),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, retryPolicy: .never)
        let doctor = Doctor(config: config, discord: discord, db: PostgresConnection(url: config.databaseURL), names: .form)
        return (ClientSettingsCheck(doctor: doctor), transport)
    }

    static func answer(_ status: Int, _ body: String) -> Result<HTTPResponse, HTTPClientError> {
        .success(HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8)))
    }

    static let botUser = answer(200, #"{"id":"100000000000000001","username":"GuildGate","discriminator":"0"}"#)

    @Test func aRefusedBotTokenIsTheBotTokensProblemAndAskedNoFurther() {
        let (check, transport) = Self.check([Self.answer(401, #"{"message":"401: Unauthorized","code":0}"#)])
        let problems = check.problems(changed: [.botToken])
        #expect(problems.map(\.field) == [.botToken])
        #expect(problems.first?.message.hasPrefix("Discord refused the bot token (401).") == true)
        #expect(problems.first?.message.contains("Reset Token") == true)
        #expect(transport.requests.count == 1)
    }

    @Test func aServerTheBotIsNotInIsTheServerIDsProblem() {
        let (check, transport) = Self.check([Self.botUser, Self.answer(404, #"{"message":"Unknown Guild","code":10004}"#)])
        let problems = check.problems(changed: [.guildID])
        #expect(problems.map(\.field) == [.guildID])
        #expect(problems.first?.message.contains("The bot is not in the server 300000000000000003 (or the server ID is wrong).") == true)
        #expect(transport.requests.map(\.url).last?.hasSuffix("/guilds/300000000000000003") == true)
    }

    @Test func aRefusedClientIsTheChangedFieldsProblem() {
        let refusal = Self.answer(401, #"{"error":"invalid_client"}"#)
        var config = Self.base
        config.discordClientSecret = "wrong"
        #expect(Self.check([refusal], config: config).0.problems(changed: [.clientSecret]).map(\.field) == [.clientSecret])
        #expect(
            Self.check([refusal], config: config).0.problems(changed: [.clientSecret, .clientID]).map(\.field) == [
                .clientSecret, .clientID,
            ])
        let message = Self.check([refusal], config: config).0.problems(changed: [.clientID]).first?.message ?? ""
        #expect(message.contains("invalid_client") && message.contains("Copy the client ID and the client secret again"), "\(message)")
        #expect(Self.check([], config: config).0.problems(changed: [.name, .inviteURL]).isEmpty, "nothing Discord knows changed")
    }

    /// A slow Discord costs an admin the budget and no more: every request gets what is left of it.
    @Test func aDeadlineTransportGivesEachRequestWhatIsLeftAndThenSendsNothing() throws {
        let fake = FakeTransport([.success(HTTPResponse(status: 200)), .success(HTTPResponse(status: 200))])
        let transport = DeadlineTransport(fake, budget: .seconds(5))
        _ = try transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/a"))
        _ = try transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/b", timeout: .seconds(60)))
        #expect(fake.requests.allSatisfy { ($0.timeout ?? .seconds(99)) <= .seconds(5) })
        let spent = DeadlineTransport(fake, budget: .zero)
        #expect(throws: HTTPClientError.timedOut(host: "127.0.0.1:9", seconds: 0, requestSent: false)) {
            try spent.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/c?token=secret"))
        }
        #expect(fake.requests.count == 2)
    }
}
