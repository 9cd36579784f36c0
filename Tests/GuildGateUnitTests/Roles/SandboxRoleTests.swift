import JSONSupport
import NIOHTTP1
import Testing

/// discord-sandbox's guild roles, member roles and nicknames as Discord documents them (`resources/guild`,
/// `topics/permissions`), in-process: the shapes byte for byte, each rule's refusal with Discord's error.
@Suite struct SandboxRoleTests {
    let sandbox = InProcessSandbox()
    let guild = InProcessSandbox.guildPath
    let ann = "555000000000000010"

    @Test func rolesAreRoleObjectsWithEveryoneAtZeroAndTheBotsManagedRole() async {
        let roles = await sandbox.bot(.GET, "\(guild)/roles")
        #expect(roles.status == 200)
        let colors =
            #""color":0,"colors":{"primary_color":0,"secondary_color":null,"tertiary_color":null},"hoist":false,"icon":null,"unicode_emoji":null"#
        #expect(
            roles.text == "["
                + #"{"id":"300000000000000003","name":"@everyone",\#(colors),"position":0,"permissions":"0","managed":false,"mentionable":false,"flags":0},"#
                + #"{"id":"300000000000000004","name":"sandbox_bot",\#(colors),"position":1,"permissions":"402754560","managed":true,"mentionable":false,"tags":{"bot_id":"100000000000000001"},"flags":0}"#
                + "]")
        #expect(await sandbox.bot(.GET, guild).json?["roles"] == roles.json, "the guild object lists the same roles")
        #expect(await sandbox.bot(.GET, "/guilds/1/roles").text == #"{"message":"Unknown Guild","code":10004}"#)

        let moderator = await sandbox.createRole("Moderator", position: 2)
        let member = await sandbox.createRole("Member")
        let positions = await sandbox.bot(.GET, "\(guild)/roles").json?.array?.map { [$0["id"], $0["position"]] }
        #expect(
            positions == [
                [.string(InProcessSandbox.guildID), 0], [.string(member), 1], [.string(InProcessSandbox.botRoleID), 2],
                [.string(moderator), 3],
            ], "a new role goes in at its position and the ones above move up")
        let bot = await sandbox.bot(.GET, "\(guild)/members/\(InProcessSandbox.clientID)")
        #expect(bot.json?["roles"] == [.string(InProcessSandbox.botRoleID)], "the bot holds its role: \(bot.text)")
    }

    @Test func aRoleBelowTheBotIsAddedAndRemovedWithNoContentAndLogged() async throws {
        await sandbox.setBotRole()
        let member = await sandbox.createRole("Member")
        await sandbox.addMember(ann, username: "ann_test")
        let path = "\(guild)/members/\(ann)/roles/\(member)"
        let added = await sandbox.bot(.PUT, path, headers: [("X-Audit-Log-Reason", "group%20sync%3A%20%C3%A9t%C3%A9")])
        #expect(added.status == 204 && added.body.isEmpty)
        #expect(added.headers.first(name: "X-RateLimit-Limit") == "10" && added.headers.first(name: "X-RateLimit-Remaining") == "9")
        #expect(await sandbox.bot(.GET, "\(guild)/members/\(ann)").json?["roles"] == [.string(member)])
        #expect(await sandbox.bot(.PUT, path).status == 204, "a role the member has is no error")

        let removed = await sandbox.bot(.DELETE, path)
        #expect(removed.status == 204)
        #expect(removed.headers.first(name: "X-RateLimit-Bucket") == added.headers.first(name: "X-RateLimit-Bucket"), "one bucket")
        #expect(removed.headers.first(name: "X-RateLimit-Remaining") == "7")
        #expect(await sandbox.bot(.DELETE, path).status == 204, "a role the member lacks is no error")
        #expect(await sandbox.bot(.GET, "\(guild)/members/\(ann)").json?["roles"] == [])

        let changes = await sandbox.changes(of: ann)
        #expect(changes.map { $0["change"] } == ["role_added", "role_removed"], "what changed nothing is not logged")
        #expect(changes.allSatisfy { $0["role_id"] == .string(member) && $0["by"] == "bot" && $0["user_id"] == .string(ann) })
        #expect(changes.map { $0["reason"] } == ["group sync: été", .null])

        let unencoded = await sandbox.bot(.PUT, path, headers: [("X-Audit-Log-Reason", "100%")])
        #expect(unencoded.status == 400, "a reason that does not percent-decode")
        let long = await sandbox.bot(.PUT, path, headers: [("X-Audit-Log-Reason", String(repeating: "a", count: 513))])
        #expect(long.json?["errors"]?["reason"]?["_errors"]?.array?.first?["code"] == "BASE_TYPE_BAD_LENGTH", "\(long.text)")
    }

    @Test func theBotAssignsOnlyUnmanagedRolesBelowItsOwnWithManageRoles() async {
        let missing = #"{"message":"Missing Permissions","code":50013}"#
        let member = await sandbox.createRole("Member")
        let moderator = await sandbox.createRole("Moderator", position: 3)
        let twitch = await sandbox.createRole("Twitch Subscriber", extra: #","managed":true"#)
        await sandbox.addMember(ann, username: "ann_test")
        let roles = "\(guild)/members/\(ann)/roles/"
        await sandbox.setBotRole(permissions: "101376")
        #expect(await sandbox.bot(.PUT, roles + member).text == missing, "no MANAGE_ROLES")

        await sandbox.setBotRole()
        #expect(await sandbox.bot(.PUT, roles + moderator).text == missing, "a role above the bot's")
        #expect(await sandbox.bot(.DELETE, roles + moderator).text == missing, "removing one too")
        #expect(await sandbox.bot(.PUT, roles + twitch).text == missing, "an integration's role")
        #expect(await sandbox.bot(.PUT, roles + InProcessSandbox.botRoleID).text == missing, "the bot's own role")
        #expect(await sandbox.bot(.PUT, roles + member).status == 204)

        _ = await sandbox.control(.PUT, "/guild/bot-role", json: #"{"position":4}"#)
        #expect(await sandbox.bot(.PUT, roles + moderator).status == 204, "once the bot's role is moved above it")
        _ = await sandbox.control(.PUT, "/guild/bot-role", json: #"{"permissions":"8","position":1}"#)
        #expect(await sandbox.bot(.PUT, roles + member).text == missing, "ADMINISTRATOR does not lift the hierarchy")
        #expect(await sandbox.changes(of: ann).count == 2, "refusals change nothing")
    }

    @Test func unknownGuildsMembersAndRolesHaveTheirCodes() async {
        await sandbox.setBotRole()
        let member = await sandbox.createRole("Member")
        await sandbox.addMember(ann, username: "ann_test")
        #expect(await sandbox.bot(.PUT, "/guilds/1/members/\(ann)/roles/\(member)").text == #"{"message":"Unknown Guild","code":10004}"#)
        let unknownMember = #"{"message":"Unknown Member","code":10007}"#
        #expect(await sandbox.bot(.PUT, "\(guild)/members/555000000000000099/roles/\(member)").text == unknownMember)
        #expect(await sandbox.bot(.PUT, "\(guild)/members/555000000000000099/roles/1").text == unknownMember, "the member first")
        #expect(await sandbox.bot(.PUT, "\(guild)/members/\(ann)/roles/1").text == #"{"message":"Unknown Role","code":10011}"#)
        #expect(await sandbox.bot(.PUT, "\(guild)/members/\(ann)/roles/\(InProcessSandbox.guildID)").json?["code"] == 10011, "@everyone")
        let notSnowflake = await sandbox.bot(.DELETE, "\(guild)/members/ann/roles/\(member)")
        #expect(notSnowflake.status == 400 && notSnowflake.json?["errors"]?["user_id"] != nil, "\(notSnowflake.text)")
        #expect(await sandbox.bot(.PUT, "\(guild)/members/\(ann)/roles/x").json?["errors"]?["role_id"] != nil)

        #expect(await sandbox.control(.DELETE, "/guild/members/\(ann)").status == 200)
        let calls: [(HTTPMethod, String)] = [(.PUT, "/roles/\(member)"), (.DELETE, "/roles/\(member)"), (.GET, "")]
        for (method, path) in calls {
            #expect(await sandbox.bot(method, "\(guild)/members/\(ann)\(path)").text == unknownMember, "a member who left")
        }
        #expect(await sandbox.bot(.PATCH, "\(guild)/members/\(ann)", json: #"{"nick":"Ann"}"#).text == unknownMember)
    }

    @Test func nicknamesAreLimitedSanitizedAndOnlyForMembersBelowTheBot() async {
        let missing = #"{"message":"Missing Permissions","code":50013}"#
        _ = await sandbox.control(.PUT, "/ratelimits", json: #"{"enabled":false}"#)  // more than 10 renames in 10 s
        await sandbox.addMember(ann, username: "ann_test")
        let annPath = "\(guild)/members/\(ann)"
        await sandbox.setBotRole(permissions: "101376")
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":"Ann"}"#).text == missing, "no MANAGE_NICKNAMES")
        await sandbox.setBotRole()

        let renamed = await sandbox.bot(
            .PATCH, annPath, headers: [("X-Audit-Log-Reason", "nicknames")], json: #"{"nick":"  Ann   the  Brave "}"#)
        #expect(renamed.status == 200 && renamed.json?["nick"] == "Ann the Brave", "trimmed as Discord does: \(renamed.text)")
        #expect(renamed.json?["user"]?["username"] == "ann_test")
        let thirtyTwo = String(repeating: "é", count: 32)
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":"\#(thirtyTwo)"}"#).json?["nick"] == .string(thirtyTwo))
        let tooLong =
            #"{"message":"Invalid Form Body","code":50035,"errors":{"nick":{"_errors":[{"code":"BASE_TYPE_BAD_LENGTH","message":"Must be between 1 and 32 in length."}]}}}"#
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":"\#(thirtyTwo)e"}"#).text == tooLong)
        let thumbs = String(repeating: "👍🏽", count: 17)
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":"\#(thumbs)"}"#).text == tooLong, "17 characters, 34 code points")
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":""}"#).text == tooLong)
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":null}"#).json?["nick"] == .null, "null removes it")
        let changes = await sandbox.changes(of: ann)
        #expect(changes.first?["change"] == "nick" && changes.first?["from"] == .null && changes.first?["to"] == "Ann the Brave")
        #expect(changes.first?["reason"] == "nicknames" && changes.count == 3)

        await sandbox.addMember(InProcessSandbox.ownerID, username: "sandbox_owner")
        #expect(await sandbox.bot(.PATCH, "\(guild)/members/\(InProcessSandbox.ownerID)", json: #"{"nick":"Boss"}"#).text == missing)
        let bot = "\(guild)/members/\(InProcessSandbox.clientID)"
        #expect(await sandbox.bot(.PATCH, bot, json: #"{"nick":"Gate"}"#).text == missing, "not below itself")
        let moderator = await sandbox.createRole("Moderator", position: 2)
        _ = await sandbox.control(.PATCH, "/guild/members/\(ann)", json: #"{"roles":["\#(moderator)"]}"#)
        #expect(
            await sandbox.bot(.PATCH, annPath, json: #"{"nick":"Ann"}"#).text == missing, "a member whose highest role is above the bot's")
        _ = await sandbox.control(.PUT, "/guild/bot-role", json: #"{"position":2}"#)
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"nick":"Ann"}"#).status == 200)
    }

    @Test func modifyGuildMemberReplacesRolesWithinTheSameRules() async {
        await sandbox.setBotRole()
        let member = await sandbox.createRole("Member")
        let veteran = await sandbox.createRole("Veteran")
        let moderator = await sandbox.createRole("Moderator", position: 4)
        await sandbox.addMember(ann, username: "ann_test", roles: [moderator, member])
        let annPath = "\(guild)/members/\(ann)"
        let patched = await sandbox.bot(.PATCH, annPath, json: #"{"roles":["\#(moderator)","\#(veteran)"]}"#)
        #expect(patched.status == 200 && patched.json?["roles"] == [.string(moderator), .string(veteran)], "a role kept is not checked")
        #expect(await sandbox.changes(of: ann).map { $0["change"] } == ["role_added", "role_removed"])
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"roles":[]}"#).json?["code"] == 50013, "removing the role above the bot")
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"roles":["\#(moderator)","1"]}"#).json?["code"] == 10011)
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"roles":["x"]}"#).json?["errors"]?["roles"]?["0"] != nil)
        #expect(await sandbox.bot(.PATCH, annPath, json: #"{"mute":true}"#).status == 400, "what the sandbox does not model")
        #expect(await sandbox.bot(.PATCH, annPath, json: "[]").json?["code"] == 50035)
        let form = await sandbox.send(
            .PATCH, "/api/v10" + annPath, headers: InProcessSandbox.botHeaders, body: Array(#"{"nick":"A"}"#.utf8))
        #expect(form.json?["errors"]?["_errors"] != nil, "a JSON body needs its Content-Type: \(form.text)")
    }

    @Test func listGuildMembersPagesByUserIDAndNeedsTheMembersIntent() async {
        let ids = (100..<125).map { "555000000000000\($0)" }
        for id in ids.shuffled() { await sandbox.addMember(id, username: "user_\(id.suffix(3))") }
        let all = [InProcessSandbox.clientID] + ids
        #expect(await sandbox.bot(.GET, "\(guild)/members").json?.array?.map { $0["user"]?["id"] } == [.string(all[0])], "limit 1")
        var pages: [[JSON?]] = []
        var after = "0"
        while true {
            let page = await sandbox.bot(.GET, "\(guild)/members?limit=10&after=\(after)").json?.array ?? []
            pages.append(page.map { $0["user"]?["id"] })
            guard page.count == 10, let last = page.last?["user"]?["id"]?.string else { break }
            after = last
        }
        #expect(pages.map(\.count) == [10, 10, 6])
        #expect(pages.flatMap { $0 } == all.map { .string($0) })

        let tooFew = await sandbox.bot(.GET, "\(guild)/members?limit=0")
        #expect(
            tooFew.text
                == #"{"message":"Invalid Form Body","code":50035,"errors":{"limit":{"_errors":[{"code":"NUMBER_TYPE_MIN","message":"int value should be greater than or equal to 1."}]}}}"#
        )
        #expect(
            await sandbox.bot(.GET, "\(guild)/members?limit=1001").json?["errors"]?["limit"]?["_errors"]?.array?.first?["code"]
                == "NUMBER_TYPE_MAX")
        #expect(await sandbox.bot(.GET, "\(guild)/members?limit=1000").json?.array?.count == 26)
        #expect(await sandbox.bot(.GET, "\(guild)/members?after=me").json?["errors"]?["after"] != nil)

        _ = await sandbox.control(.PUT, "/gateway/config", json: #"{"privileged_intents":["GUILD_PRESENCES","MESSAGE_CONTENT"]}"#)
        let refused = await sandbox.bot(.GET, "\(guild)/members?limit=10")
        #expect(refused.status == 403 && refused.text == #"{"message":"Missing Access","code":50001}"#)
    }

    @Test func memberRoleChangesHaveABucketPerGuildThatAnswers429() async throws {
        await sandbox.setBotRole()
        let member = await sandbox.createRole("Member")
        await sandbox.addMember(ann, username: "ann_test")
        let path = "\(guild)/members/\(ann)/roles/\(member)"
        for index in 0..<10 {
            let answer = await sandbox.bot(index.isMultiple(of: 2) ? .PUT : .DELETE, path)
            #expect(answer.status == 204 && answer.headers.first(name: "X-RateLimit-Remaining") == String(9 - index))
        }
        let limited = await sandbox.bot(.PUT, path)
        #expect(limited.status == 429 && limited.headers.first(name: "X-RateLimit-Scope") == "user")
        #expect(limited.json?["message"] == "You are being rate limited." && limited.json?["global"] == false)
        #expect(limited.json?["retry_after"]?.number.map { $0 > 0 && $0 <= 10 } == true, "\(limited.text)")
        #expect(await sandbox.bot(.PATCH, "\(guild)/members/\(ann)", json: #"{"nick":"Ann"}"#).status == 200, "another bucket")

        let routes = try #require(await sandbox.control(.GET, "/ratelimits").json?["routes"]?.array)
        let put = try #require(routes.first { $0["route"] == "PUT /guilds/{guild.id}/members/{user.id}/roles/{role.id}" })
        let delete = try #require(routes.first { $0["route"] == "DELETE /guilds/{guild.id}/members/{user.id}/roles/{role.id}" })
        #expect(put["limit"] == 10 && put["window_ms"] == 10_000 && put["limited"] == 1)
        #expect(delete["bucket"] == put["bucket"] && delete["limited"] == 0)
    }
}
