import JSONSupport
import Testing

/// GUILD_MEMBER_UPDATE and GUILD_ROLE_* as discord-sandbox dispatches them (docs: `events/gateway-events`
/// "Guild Member Update", "Guild Role Create"; `events/gateway` "Gateway Intents"): for every change of a
/// member's roles or nickname, by the bot or by someone on Discord, to the sessions allowed to see it.
@Suite struct SandboxMemberUpdateTests {
    let sandbox = InProcessSandbox()
    let ann = "555000000000000010"
    static let guilds = 1
    static let guildMembers = 2

    @Test func everyChangeOfRolesOrNicknameIsDispatchedWithTheWholeMember() async throws {
        await sandbox.setBotRole()
        await sandbox.addMember(ann, username: "ann_test")
        let session = try InProcessGatewaySession(sandbox, intents: Self.guilds | Self.guildMembers)
        let member = await sandbox.createRole("Member")
        #expect(await sandbox.bot(.PUT, "\(InProcessSandbox.guildPath)/members/\(ann)/roles/\(member)").status == 204)
        #expect(await sandbox.bot(.PUT, "\(InProcessSandbox.guildPath)/members/\(ann)/roles/\(member)").status == 204)
        #expect(await sandbox.bot(.PATCH, "\(InProcessSandbox.guildPath)/members/\(ann)", json: #"{"nick":"Ann"}"#).status == 200)
        _ = await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"roles":[]}"#)

        let dispatches = await session.dispatches()
        #expect(
            dispatches.map(\.name) == [
                "READY", "GUILD_CREATE", "GUILD_ROLE_CREATE", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_UPDATE",
            ], "a role the member had already changes nothing")
        let created = dispatches[2].data
        #expect(created["guild_id"] == .string(InProcessSandbox.guildID) && created["role"]?["id"] == .string(member))
        let updates = dispatches.filter { $0.name == "GUILD_MEMBER_UPDATE" }.map(\.data)
        #expect(updates.map { $0["roles"] } == [[.string(member)], [.string(member)], []])
        #expect(updates.map { $0["nick"] } == [.null, "Ann", "Ann"])
        let first = try #require(updates.first)
        #expect(first["guild_id"] == .string(InProcessSandbox.guildID) && first["user"]?["id"] == .string(ann))
        #expect(first["joined_at"]?.string != nil && first["avatar"] == .null && first["pending"] == false, "the member object's fields")
    }

    @Test func withoutGuildMembersOnlyTheBotsOwnUpdatesArrive() async throws {
        await sandbox.addMember(ann, username: "ann_test")
        let session = try InProcessGatewaySession(sandbox, intents: Self.guilds)
        _ = await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"nick":"Ann"}"#)
        let member = await sandbox.createRole("Member")
        _ = await sandbox.control(
            .PATCH, "/guild/members/\(InProcessSandbox.clientID)", json: #"{"roles":["\#(InProcessSandbox.botRoleID)","\#(member)"]}"#)
        _ = await sandbox.control(.DELETE, "/guild/roles/\(member)")

        let dispatches = await session.dispatches()
        #expect(dispatches.map(\.name) == ["READY", "GUILD_CREATE", "GUILD_ROLE_CREATE", "GUILD_MEMBER_UPDATE", "GUILD_ROLE_DELETE"])
        #expect(dispatches[3].data["user"]?["id"] == .string(InProcessSandbox.clientID))
        #expect(dispatches[4].data == ["guild_id": .string(InProcessSandbox.guildID), "role_id": .string(member)])
        let guildCreate = dispatches[1].data
        #expect(guildCreate["roles"]?.array?.count == 2, "GUILD_CREATE carries the guild's roles")
    }
}
