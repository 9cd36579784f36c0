import DiscordKit
import Testing

@testable import GuildGateCore

/// Which of the guild's roles "Sync groups" imports, and which a group may map.
@Suite struct GroupAdministrationRules {
    static let guildID = "300000000000000003"
    static let roles = [
        GuildRole(id: guildID, name: "@everyone", position: 0, permissions: []),
        GuildRole(id: "11", name: "Member", position: 1, permissions: []),
        GuildRole(id: "12", name: "sandbox_bot", position: 2, permissions: [], managed: true, tags: .init(botID: "100000000000000001")),
        GuildRole(id: "13", name: "Twitch Subscriber", position: 3, permissions: [], managed: true, tags: .init(integrationID: "9")),
        GuildRole(id: "14", name: "Moderator", position: 4, permissions: []),
    ]

    @Test func syncImportsEveryRoleButEveryoneAndManagedOnesHighestFirst() {
        let roleImport = RoleImport(guildRoles: Self.roles, guildID: Self.guildID)
        #expect(roleImport.roles.map(\.name) == ["Moderator", "Member"])
        #expect(roleImport.skipped.map(\.role.name) == ["Twitch Subscriber", "sandbox_bot", "@everyone"])
        #expect(
            roleImport.skipped.map(\.reason) == [
                "managed by an integration: nobody can give or take it",
                "managed by the bot 100000000000000001: nobody can give or take it",
                "@everyone is every member's role",
            ])
    }

    @Test func aGroupMapsOnlyARoleOfTheServerThatCanBeGivenAndTaken() throws {
        #expect(try GroupAdministration.assignableRole("14", in: Self.roles, guildID: Self.guildID).name == "Moderator")
        #expect(throws: GroupAdministrationError.everyoneRole) {
            try GroupAdministration.assignableRole(Self.guildID, in: Self.roles, guildID: Self.guildID)
        }
        #expect(throws: GroupAdministrationError.managedRole(name: "Twitch Subscriber")) {
            try GroupAdministration.assignableRole("13", in: Self.roles, guildID: Self.guildID)
        }
        #expect(throws: GroupAdministrationError.unknownRole("99")) {
            try GroupAdministration.assignableRole("99", in: Self.roles, guildID: Self.guildID)
        }
    }
}
