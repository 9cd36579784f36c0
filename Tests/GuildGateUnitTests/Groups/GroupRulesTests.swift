import Foundation
import Store
import Testing

@testable import GuildGateCore

@Suite struct GroupRulesTests {
    static func member(_ id: String, _ roles: Set<String>) -> GuildMemberRecord {
        GuildMemberRecord(guildID: "1", discordID: id, username: "u\(id)", globalName: nil, nick: nil, roleIDs: roles)
    }

    @Test func driftTouchesOnlyMappedRolesOfLinkedMembersPresentInTheGuild() {
        let members = [
            Self.member("10", ["mod", "unmapped"]),  // lacks "vip", holds "mod" no group gives
            Self.member("11", ["vip"]),  // exactly right
            Self.member("12", ["unmapped"]),  // not linked: never touched
        ]
        let linked = [
            LinkedMember(userID: 1, discordID: "10", roleIDs: ["vip"]),
            LinkedMember(userID: 2, discordID: "11", roleIDs: ["vip"]),
            LinkedMember(userID: 3, discordID: "13", roleIDs: ["vip"]),  // not in the guild
        ]
        let drift = RoleDrift.compute(members: members, linked: linked, mappedRoles: ["vip", "mod"])
        #expect(drift == [RoleDrift(discordID: "10", userID: 1, add: ["vip"], remove: ["mod"])])
    }

    @Test func aGroupWhoseRoleIsNoLongerMappedAsksForNothing() {
        let drift = RoleDrift.compute(
            members: [Self.member("10", [])], linked: [LinkedMember(userID: 1, discordID: "10", roleIDs: ["gone"])], mappedRoles: ["vip"])
        #expect(drift.isEmpty)
    }

    @Test func nicknamesFillEveryPlaceholderAndStayWithinDiscordsLimit() {
        let template = NicknameTemplate("[%rank] %global_name of %group")
        let member = NicknameTemplate.Member(username: "alice", globalName: "Alice A.", rank: "Mod", group: "Raiders")
        #expect(template.nickname(for: member) == "[Mod] Alice A. of Raiders")
        let plain = NicknameTemplate.Member(username: "bob", globalName: nil, rank: nil, group: nil)
        #expect(NicknameTemplate("%rank %global_name").nickname(for: plain) == "bob")
        #expect(NicknameTemplate("%rank").nickname(for: plain) == nil)
        #expect(NicknameTemplate("100% %username").nickname(for: plain) == "100% bob")
        let long = NicknameTemplate.Member(username: String(repeating: "x", count: 40), globalName: nil, rank: nil, group: nil)
        #expect(NicknameTemplate("%username").nickname(for: long)?.count == 32)
        // Discord counts code points: 40 emoji become 32, none split.
        let emoji = NicknameTemplate.Member(username: String(repeating: "😀", count: 40), globalName: nil, rank: nil, group: nil)
        #expect(NicknameTemplate("%username").nickname(for: emoji) == String(repeating: "😀", count: 32))
    }

    @Test func secretsAreSealedPerFieldAndOnlyOpenWithTheSameKey() throws {
        let key = Array(repeating: UInt8(7), count: 32)
        let vault = ClientSettingsVault(keys: SecretKeys([key]))
        var settings = DiscordClientSettings()
        settings[.botToken] = "bot-token-value"
        settings[.clientSecret] = "client-secret-value"
        settings[.guildID] = "123"
        let stored = try vault.seal(settings)
        let sealedToken = try #require(stored.botTokenSealed)
        #expect(!String(decoding: sealedToken, as: UTF8.self).contains("bot-token-value"))
        #expect(vault.open(stored) == settings)
        // A sealed token moved into the secret's column does not open as the secret.
        var swapped = stored
        swapped.clientSecretSealed = stored.botTokenSealed
        #expect(vault.open(swapped)[.clientSecret] == nil)
        // Another GUILDGATE_SECRET_KEY opens nothing.
        let other = ClientSettingsVault(keys: SecretKeys([Array(repeating: UInt8(8), count: 32)]))
        #expect(other.open(stored)[.botToken] == nil)
        #expect(other.open(stored)[.guildID] == "123")
    }

    @Test func savedFieldsOverrideTheEnvironmentAndEmptyOnesFallBack() throws {
        let base = try AppConfig(settings: [
            "DATABASE_URL": "postgresql:///x", "WEB_APP_BASE_URL": "https://example.com",
            "GUILDGATE_SECRET_KEY": Data(repeating: 1, count: 32).base64EncodedString(), "DISCORD_BOT_TOKEN": "env-token",
            "DISCORD_GUILD_ID": "1",
        ])
        var saved = DiscordClientSettings()
        saved[.botToken] = "saved-token"
        saved[.guildID] = ""
        let config = base.overridden(by: saved)
        #expect(config.discordBotToken == "saved-token")
        #expect(config.discordGuildID == "1")
        #expect(config.discordRedirectURI == "https://example.com/api/discord/callback")
        #expect(config.groupPriority == .local)
    }
}
