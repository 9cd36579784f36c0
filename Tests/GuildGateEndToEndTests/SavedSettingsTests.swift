import Foundation
import GuildGateCore
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// Settings saved from the admin panel reach running processes without a restart (NOTIFY).
    @Suite struct SavedSettings {
        let stack: TestStack
        let db: PostgresConnection
        let vault: ClientSettingsVault

        init() throws {
            (stack, _) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            vault = ClientSettingsVault(keys: try SecretKeys.parse(try #require(stack.settings["GUILDGATE_SECRET_KEY"])))
            try db.query("DELETE FROM client_settings")
        }

        func save(_ values: [DiscordClientSettings.Field: String]) throws {
            try ClientSettingsStore(db).save(try vault.seal(DiscordClientSettings(values)), by: "test")
        }

        @Test func everyWebInstanceUsesSavedSettingsAtOnce() throws {
            defer { _ = try? db.query("DELETE FROM client_settings") }
            let browser = Browser(baseURL: stack.webURL)
            let before = try #require(browser.get("/api/discord/invite").json?["invite_url"] as? String)
            try save([.clientID: "123456789012345678"])
            #expect(
                poll(timeout: 10) {
                    (try browser.get("/api/discord/invite").json?["invite_url"] as? String)?.contains("client_id=123456789012345678")
                        == true
                })
            try db.query("DELETE FROM client_settings")
            #expect(poll(timeout: 10) { try browser.get("/api/discord/invite").json?["invite_url"] as? String == before })
        }

        @Test func theBotReconnectsWithABotTokenSavedInTheAdminPanel() throws {
            defer { _ = try? db.query("DELETE FROM client_settings") }
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())
            try save([.botToken: "a-token-discord-refuses"])
            #expect(bot.waitForOutput("reconnecting", timeout: 10), "\(bot.errorOutput.suffix(1500))")
            // Discord refuses the new token: the bot says so and waits for other settings instead of exiting.
            #expect(bot.waitForOutput("Waiting for new settings", timeout: 20), "\(bot.errorOutput.suffix(1500))")
            #expect(bot.process.isRunning)
            #expect(!bot.errorOutput.contains("a-token-discord-refuses"))
            // Back to the environment's token: the session comes back.
            let sessions = bot.errorOutput.components(separatedBy: "gateway session ready").count
            try db.query("DELETE FROM client_settings")
            #expect(poll(timeout: 20) { bot.errorOutput.components(separatedBy: "gateway session ready").count > sessions })
            bot.signal(SIGTERM)
            #expect(bot.waitForExit(timeout: 10) == 0)
        }
    }
}
