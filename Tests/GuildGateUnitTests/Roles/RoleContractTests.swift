@testable import DiscordKit
import Foundation
import JSONSupport
import Testing

/// The docs' role and member payloads (`Fixtures/Discord`, pages in `Fixtures/README.md`) decoded by DiscordKit
/// as GuildGate's role and nickname sync reads them.
extension DiscordContract {
    @Test func theExampleRoleIsAnUnmanagedRoleWithItsPositionAndPermissions() throws {
        let role = try JSONDecoder().decode(GuildRole.self, from: Data(try Self.bytes("role")))
        #expect(role.id == "41771983423143936" && role.name == "WE DEM BOYZZ!!!!!!")
        #expect(role.position == 1 && role.permissions == Permissions(rawValue: 66_321_471))
        #expect(!role.managed && role.tags == nil)
    }

    @Test func managedRolesSayWhoManagesThemWithNullValuedTags() throws {
        let roles = try JSONDecoder().decode([GuildRole].self, from: Data(try Self.bytes("roles-managed")))
        #expect(roles.map(\.managed) == [false, true, true])
        #expect(roles[0].id == Self.guildID && roles[0].position == 0, "@everyone has the guild's id")
        #expect(roles[1].tags == GuildRole.Tags(botID: Self.botID))
        #expect(roles[2].tags == GuildRole.Tags(isPremiumSubscriber: true), "a present null is true")
        #expect(roles[1].permissions.contains(.manageRoles) && roles[1].permissions.contains(.manageNicknames))
    }

    @Test func theExampleGuildMemberHasANicknameAndNoUser() throws {
        let member = try JSONDecoder().decode(GuildMember.self, from: Data(try Self.bytes("guild-member")))
        #expect(member.user == nil, "the docs' example has \"user\": {}")
        #expect(member.nick == "NOT API SUPPORT" && member.avatar == nil && member.roles.isEmpty)
        let withoutRoles = Data(#"{"user":{"id":"1","username":"a"},"nick":null}"#.utf8)
        #expect(throws: DecodingError.self, "roles are always sent") { try JSONDecoder().decode(GuildMember.self, from: withoutRoles) }
    }

    @Test func guildMemberUpdateCarriesTheGuildTheUserAndTheMember() throws {
        let payload = try Self.payload("guild-member-update")
        #expect(payload.event == "GUILD_MEMBER_UPDATE")
        let update = try payload.data.decoded(as: GuildMemberUpdate.self)
        #expect(update.guildID == Self.guildID)
        #expect(update.user.id == Self.botID && update.user.username == "Nelly" && update.user.globalName == nil)
        #expect(update.member.roles == ["41771983423143936"] && update.member.nick == "NOT API SUPPORT")
        #expect(update.member.user == update.user)
    }
}
