@testable import DiscordKit
import JSONSupport
import Testing

extension DiscordKitTests {
    /// DiscordKit's role and member calls against the in-process discord-sandbox, through the real rate
    /// limiter and retry policy: what they send, what they decode, and which error a caller can tell apart.
    @Suite struct GuildMemberClientTests {
        let sandbox = InProcessSandbox()
        let guildID = InProcessSandbox.guildID
        let ann = "555000000000000010"

        @Test func rolesAndMembersDecodeFromTheSandbox() async throws {
            let member = await sandbox.createRole("Member")
            await sandbox.addMember(ann, username: "ann_test", roles: [member])
            let (roles, listed, one) = try await sandbox.withDiscordClient { [guildID, ann] client in
                (
                    try client.guildRoles(guildID: guildID), try client.guildMembers(guildID: guildID, limit: 10),
                    try client.guildMember(guildID: guildID, userID: ann)
                )
            }
            #expect(roles.map(\.name) == ["@everyone", "Member", "sandbox_bot"])
            #expect(roles.map(\.position) == [0, 1, 2] && roles.map(\.managed) == [false, false, true])
            #expect(roles.last?.tags == GuildRole.Tags(botID: InProcessSandbox.clientID))
            #expect(roles.last?.permissions == .guildGate)
            #expect(listed.map { $0.user?.id } == [InProcessSandbox.clientID, ann])
            #expect(one.roles == [member] && one.user?.username == "ann_test" && one.nick == nil)
        }

        @Test func rolesAndNicknamesChangeWithTheirReasonInTheAuditLog() async throws {
            await sandbox.setBotRole()
            let member = await sandbox.createRole("Member")
            await sandbox.addMember(ann, username: "ann_test")
            let renamed = try await sandbox.withDiscordClient { [guildID, ann] client in
                try client.addMemberRole(guildID: guildID, userID: ann, roleID: member, reason: "verify groups: Members")
                try client.removeMemberRole(guildID: guildID, userID: ann, roleID: member)
                try client.addMemberRole(guildID: guildID, userID: ann, roleID: member)
                return try client.setNickname(guildID: guildID, userID: ann, nick: GuildMember.nickname("  [Officer]   Ann "))
            }
            #expect(renamed.nick == "[Officer] Ann" && renamed.roles == [member])
            let reset = try await sandbox.withDiscordClient { [guildID, ann] client in
                try client.setNickname(guildID: guildID, userID: ann, nick: nil)
            }
            #expect(reset.nick == nil)
            let changes = await sandbox.changes(of: ann)
            #expect(changes.map { $0["change"] } == ["role_added", "role_removed", "role_added", "nick", "nick"])
            #expect(changes.first?["reason"] == "verify groups: Members" && changes[1]["reason"] == .null)
        }

        @Test func aLeftMemberATooLowBotAndADeletedRoleAreToldApart() async throws {
            await sandbox.setBotRole()
            let moderator = await sandbox.createRole("Moderator", position: 2)
            await sandbox.addMember(ann, username: "ann_test")
            let codes = try await sandbox.withDiscordClient { [guildID, ann] client in
                func code(_ call: () throws -> Void) -> DiscordErrorCode? {
                    do {
                        try call()
                        return nil
                    } catch {
                        return (error as? DiscordError)?.code
                    }
                }
                return [
                    code { try client.addMemberRole(guildID: guildID, userID: ann, roleID: moderator) },
                    code { try client.addMemberRole(guildID: guildID, userID: ann, roleID: "1") },
                    code { try client.addMemberRole(guildID: guildID, userID: "555000000000000099", roleID: moderator) },
                    code { _ = try client.setNickname(guildID: guildID, userID: ann, nick: String(repeating: "x", count: 33)) },
                    code { _ = try client.guildMembers(guildID: "1") },
                ]
            }
            #expect(codes == [.missingPermissions, .unknownRole, .unknownMember, .invalidFormBody, .unknownGuild])
            let isMember = try await sandbox.withDiscordClient { [guildID] client in
                try client.isGuildMember(guildID: guildID, userID: "555000000000000099")
            }
            #expect(!isMember)
            _ = await sandbox.control(.PUT, "/gateway/config", json: #"{"privileged_intents":[]}"#)
            let refused = await #expect(throws: DiscordError.self) {
                try await sandbox.withDiscordClient { [guildID] client in try client.guildMembers(guildID: guildID) }
            }
            #expect(refused?.code == .missingAccess)
        }

        @Test func aNicknameIsWhatDiscordKeepsCutAtACharacter() {
            #expect(GuildMember.nickname("  [Officer]\t  Ann  ") == "[Officer] Ann")
            #expect(GuildMember.nickname(String(repeating: "x", count: 40)) == String(repeating: "x", count: 32))
            let thumbs = String(repeating: "👍🏽", count: 17)
            #expect(GuildMember.nickname(thumbs) == String(repeating: "👍🏽", count: 16), "32 code points, no half emoji")
            #expect(GuildMember.nickname(String(repeating: "a", count: 31) + " bc") == String(repeating: "a", count: 31))
            #expect(GuildMember.nickname("   ") == nil)
        }

        @Test func aLongAuditLogReasonIsCutAtACharacterWithin512Bytes() {
            let header = DiscordClient.auditLogHeader(String(repeating: "é", count: 100))
            #expect(header.utf8.count == 510 && header.hasSuffix("%C3%A9"), "85 whole escapes of 6 bytes")
            #expect(DiscordClient.auditLogHeader("sync: ok") == "sync%3A%20ok")
        }

        @Test func aBulkRunWithTheLimiterNeverMeetsA429() async throws {
            await sandbox.setBotRole()
            let member = await sandbox.createRole("Member")
            let route = "PUT /guilds/{guild.id}/members/{user.id}/roles/{role.id}"
            _ = await sandbox.control(.PUT, "/ratelimits", json: #"{"route":"\#(route)","limit":4,"window_ms":200}"#)
            _ = await sandbox.control(
                .PUT, "/ratelimits", json: #"{"route":"PATCH /guilds/{guild.id}/members/{user.id}","limit":3,"window_ms":200}"#)
            let generated = await sandbox.control(.POST, "/guild/members/generate", json: #"{"count":12}"#)
            let ids = (generated.json?["ids"]?.array ?? []).compactMap(\.string)
            #expect(ids.count == 12)
            try await sandbox.withDiscordClient { [guildID] client in
                for id in ids {
                    try client.addMemberRole(guildID: guildID, userID: id, roleID: member)
                    try client.removeMemberRole(guildID: guildID, userID: id, roleID: member)
                    try client.setNickname(guildID: guildID, userID: id, nick: "Member \(id.suffix(2))")
                }
            }
            let limits = await sandbox.control(.GET, "/ratelimits").json
            #expect(limits?["limited_requests"] == 0, "\(limits.map(\.serialized) ?? "")")
            #expect(await sandbox.control(.GET, "/members/changes").json?["changes"]?.array?.count == 36)
        }
    }
}
