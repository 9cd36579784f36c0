@testable import DiscordKit
import JSONSupport
import Testing

extension DiscordKitTests {
    /// Discord's permission computation (docs: `topics/permissions`, "Permission Overwrites").
    @Suite struct MemberPermissionsTests {
        static let guildJSON: JSON = [
            "id": "1", "name": "G", "owner_id": "99",
            "roles": [
                ["id": "1", "name": "@everyone", "position": 0, "permissions": "3072", "managed": false],
                ["id": "2", "name": "Bot", "position": 2, "permissions": "402754560", "managed": true],
                ["id": "3", "name": "Admin", "position": 3, "permissions": "8", "managed": false],
            ],
        ]

        static func channel(_ overwrites: JSON) throws -> DiscordChannel {
            try DiscordChannel(["id": "10", "name": "store", "guild_id": "1", "permission_overwrites": overwrites])
        }

        @Test func rolesAddUpAndOverwritesApplyEveryoneThenRolesThenTheMember() throws {
            let guild = try DiscordGuild(Self.guildJSON)
            let bot = MemberPermissions(guild: guild, memberID: "50", roleIDs: ["2"])
            #expect(bot.base == Permissions.guildGate.union([.viewChannel, .sendMessages]))
            #expect(bot.topRole?.name == "Bot")

            // @everyone denies Attach Files; the bot's role allows it back; the member overwrite denies Send.
            let channel = try Self.channel([
                ["id": "1", "type": 0, "allow": "0", "deny": "32768"],
                ["id": "2", "type": 0, "allow": "32768", "deny": "0"],
                ["id": "50", "type": 1, "allow": "0", "deny": "2048"],
            ])
            let granted = bot.in(channel)
            #expect(granted.contains(.attachFiles))
            #expect(!granted.contains(.sendMessages))
            #expect(granted.contains(.readMessageHistory))
        }

        @Test func withoutViewChannelNothingInTheChannelCounts() throws {
            let bot = MemberPermissions(guild: try DiscordGuild(Self.guildJSON), memberID: "50", roleIDs: ["2"])
            let hidden = try Self.channel([
                ["id": "1", "type": 0, "allow": "0", "deny": "1024"], ["id": "2", "type": 0, "allow": "0", "deny": "1024"],
            ])
            #expect(bot.in(hidden).isEmpty)
        }

        @Test func theOwnerAndAdministratorsHaveEverythingWhateverTheOverwrites() throws {
            let guild = try DiscordGuild(Self.guildJSON)
            let denyAll = try Self.channel([["id": "1", "type": 0, "allow": "0", "deny": .string(String(UInt64.max))]])
            #expect(MemberPermissions(guild: guild, memberID: "99", roleIDs: []).in(denyAll) == .all)
            #expect(MemberPermissions(guild: guild, memberID: "51", roleIDs: ["3"]).in(denyAll) == .all)
            #expect(MemberPermissions(guild: guild, memberID: "52", roleIDs: []).base == [.viewChannel, .sendMessages])
        }
    }
}
