import JSONSupport
import Testing

/// The control API the role and nickname tests steer discord-sandbox with (docs/SANDBOX.md): roles arranged
/// as in Server Settings, members in bulk, changes made by someone on Discord, the change log, and reset.
@Suite struct SandboxMemberControlTests {
    let sandbox = InProcessSandbox()
    let ann = "555000000000000010"

    @Test func rolesAreCreatedMovedAndDeletedAsInServerSettings() async {
        let first = await sandbox.createRole("First")
        let second = await sandbox.createRole("Second")
        func order() async -> [JSON?] {
            (await sandbox.control(.GET, "/guild/roles").json?.array ?? []).map { $0["name"] }
        }
        #expect(await order() == ["@everyone", "Second", "First", "sandbox_bot"])
        let moved = await sandbox.control(.PATCH, "/guild/roles/\(first)", json: #"{"position":3,"permissions":"8","hoist":true}"#)
        #expect(moved.json?["position"] == 3 && moved.json?["permissions"] == "8" && moved.json?["hoist"] == true, "\(moved.text)")
        #expect(await order() == ["@everyone", "Second", "sandbox_bot", "First"])
        #expect(await sandbox.control(.GET, "/guild/roles").json == (await sandbox.bot(.GET, "\(InProcessSandbox.guildPath)/roles")).json)

        await sandbox.addMember(ann, username: "ann_test", roles: [second, first])
        #expect(await sandbox.control(.DELETE, "/guild/roles/\(second)").status == 200)
        #expect(await order() == ["@everyone", "sandbox_bot", "First"])
        let annNow = await sandbox.bot(.GET, "\(InProcessSandbox.guildPath)/members/\(ann)")
        #expect(annNow.json?["roles"] == [.string(first)], "a deleted role leaves its members")

        let integration = await sandbox.control(.POST, "/guild/roles", json: #"{"name":"Twitch","managed":true}"#)
        #expect(integration.json?["managed"] == true && integration.json?["tags"]?["integration_id"]?.string != nil)
        let otherBot = await sandbox.control(.POST, "/guild/roles", json: #"{"name":"Other Bot","bot_id":"700000000000000001"}"#)
        #expect(otherBot.json?["tags"] == ["bot_id": "700000000000000001"] && otherBot.json?["managed"] == true)
        #expect(await sandbox.control(.DELETE, "/guild/roles/\(InProcessSandbox.guildID)").status == 400)
        #expect(await sandbox.control(.DELETE, "/guild/roles/\(InProcessSandbox.botRoleID)").status == 400)
        #expect(await sandbox.control(.DELETE, "/guild/roles/1").status == 404)
        #expect(await sandbox.control(.PATCH, "/guild/roles/\(InProcessSandbox.guildID)", json: #"{"position":2}"#).status == 400)
        #expect(await sandbox.control(.PATCH, "/guild/roles/\(InProcessSandbox.guildID)", json: #"{"permissions":"1024"}"#).status == 200)
        #expect(await sandbox.control(.POST, "/guild/roles", json: #"{"position":1}"#).status == 400, "a name is needed")
        #expect(await sandbox.control(.POST, "/guild/roles", json: #"{"name":"X","permissions":"all"}"#).status == 400)
    }

    @Test func fiveHundredMembersArriveInOneCallWithTheirRoles() async {
        let member = await sandbox.createRole("Member")
        let generated = await sandbox.control(.POST, "/guild/members/generate", json: #"{"count":500,"roles":["\#(member)"]}"#)
        #expect(generated.json?["count"] == 501 && generated.json?["ids"]?.array?.count == 500)
        let listed = await sandbox.bot(.GET, "\(InProcessSandbox.guildPath)/members?limit=1000").json?.array ?? []
        #expect(listed.count == 501 && listed.dropFirst().allSatisfy { $0["roles"] == [.string(member)] })

        let named = await sandbox.control(
            .POST, "/guild/members",
            json: #"{"members":[{"id":"\#(ann)","username":"ann_test","global_name":"Ann","nick":"Annie","roles":["\#(member)"]}]}"#)
        #expect(named.json?["count"] == 502)
        let ann = await sandbox.bot(.GET, "\(InProcessSandbox.guildPath)/members/\(ann)")
        #expect(ann.json?["nick"] == "Annie" && ann.json?["user"]?["global_name"] == "Ann" && ann.json?["roles"] == [.string(member)])
        let unknownRole = #"{"members":[{"id":"555000000000000011","username":"bob_test","roles":["1"]}]}"#
        #expect(await sandbox.control(.POST, "/guild/members", json: unknownRole).status == 400)
        #expect(await sandbox.control(.POST, "/guild/members/generate", json: #"{"count":1,"roles":["1"]}"#).status == 400)
    }

    @Test func someoneOnDiscordChangesRolesAndNicknamesAndTheLogSaysWho() async {
        let member = await sandbox.createRole("Member")
        await sandbox.addMember(ann, username: "ann_test")
        let edited = await sandbox.control(
            .PATCH, "/guild/members/\(ann)", json: #"{"roles":["\#(member)"],"nick":" The  Boss ","reason":"promoted by hand"}"#)
        #expect(edited.json?["roles"] == [.string(member)] && edited.json?["nick"] == "The Boss", "\(edited.text)")
        #expect(await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"nick":null}"#).json?["nick"] == .null)
        let changes = await sandbox.changes(of: ann)
        #expect(changes.map { $0["change"] } == ["role_added", "nick", "nick"])
        #expect(changes.allSatisfy { $0["by"] == "control" })
        #expect(changes.first?["reason"] == "promoted by hand" && changes.last?["to"] == .null)

        #expect(await sandbox.control(.PATCH, "/guild/members/555000000000000099", json: #"{"nick":"X"}"#).status == 404)
        #expect(await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"roles":["1"]}"#).status == 400)
        #expect(
            await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"nick":"\#(String(repeating: "x", count: 33))"}"#).status == 400
        )
        let bot = await sandbox.control(
            .PATCH, "/guild/members/\(InProcessSandbox.clientID)", json: #"{"roles":["\#(InProcessSandbox.botRoleID)","\#(member)"]}"#)
        #expect(bot.json?["roles"] == [.string(InProcessSandbox.botRoleID), .string(member)], "the bot's roles too")
    }

    @Test func theChangeLogListsEveryChangeAndResetRestoresTheGuild() async {
        await sandbox.setBotRole()
        let member = await sandbox.createRole("Member")
        await sandbox.addMember(ann, username: "ann_test")
        await sandbox.addMember("555000000000000011", username: "bob_test")
        _ = await sandbox.bot(.PUT, "\(InProcessSandbox.guildPath)/members/\(ann)/roles/\(member)")
        _ = await sandbox.control(.PATCH, "/guild/members/555000000000000011", json: #"{"nick":"Bob"}"#)
        let all = await sandbox.control(.GET, "/members/changes").json?["changes"]?.array ?? []
        #expect(all.map { $0["user_id"] } == [.string(ann), "555000000000000011"] && all.map { $0["by"] } == ["bot", "control"])
        #expect(await sandbox.control(.DELETE, "/members/changes").text == #"{"changes":[]}"#)
        #expect(await sandbox.changes(of: ann).isEmpty)

        _ = await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"nick":"Ann"}"#)
        #expect(await sandbox.control(.POST, "/reset").status == 200)
        #expect(await sandbox.control(.GET, "/guild/roles").json?.array?.map { $0["permissions"] } == ["0", "402754560"])
        #expect(await sandbox.control(.GET, "/guild/members").json?["count"] == 1)
        #expect(await sandbox.control(.GET, "/members/changes").text == #"{"changes":[]}"#)
    }
}
