import Foundation
import GuildGateCore
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// Group ↔ role sync through guildgate-bot against the sandbox: exactly the mapped roles change, in both
    /// priorities; the hierarchy problem is reported once with its fix; 500 members without a 429; nicknames.
    @Suite final class GroupSync {
        static let memberRolesRoute = "PUT /guilds/{guild.id}/members/{user.id}/roles/{role.id}"

        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection
        let groups: GroupStore

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            groups = GroupStore(db)
            try db.query("TRUNCATE groups, group_members, guild_members, audit_log, sync_problems, jobs")
            try db.query("UPDATE schedules SET enabled = false")
        }

        /// Nothing of a test's guild is left for the bots of later tests to verify against a sandbox since reset.
        deinit {
            _ = try? db.query("TRUNCATE groups, group_members, guild_members, sync_problems, jobs")
        }

        static func freshID() -> String {
            String(UInt64.random(in: 600_000_000_000_000_000...699_999_999_999_999_999))
        }

        /// A user who linked the Discord account `discordID`, in `groupIDs`.
        func linkedUser(_ discordID: String, _ username: String, in groupIDs: [Int]) throws -> Int {
            let user = try UserStore(db).upsertDiscordLogin(discordID: discordID, discordUsername: username)
            for id in groupIDs { _ = try groups.add(userID: user.id, groupID: id) }
            return user.id
        }

        func group(_ name: String, role: String?) throws -> Int {
            try #require(try groups.create(name: name, roleID: role)).id
        }

        /// Queues `job` and waits until the bot has run it; its result.
        func run(_ job: BackgroundJob, timeout: TimeInterval = 30) throws -> Job {
            let queued = try JobStore(db).enqueue(job)
            var finished: Job?
            #expect(
                poll(timeout: timeout) {
                    finished = try JobStore(db).job(id: queued.id)
                    return finished?.state == .succeeded || finished?.state == .failed
                }, "job \(queued.kind) did not finish: \(String(describing: finished))")
            let done = try #require(finished)
            #expect(done.state == .succeeded, "\(done.lastError ?? "")")
            return done
        }

        func changes(_ id: String, by: String = "bot") throws -> [String] {
            try sandbox.changes(of: id).filter { $0["by"] as? String == by }.map {
                "\($0["change"] as? String ?? "?") \($0["role_id"] as? String ?? ($0["to"] as? String ?? "-"))"
            }
        }

        @Test func verifyGivesAndTakesExactlyTheMappedRolesOfLinkedMembers() throws {
            let raider = try sandbox.createRole(name: "Raider")
            let officer = try sandbox.createRole(name: "Officer")
            let unmapped = try sandbox.createRole(name: "Unmapped")
            let (ann, bob, stranger) = (Self.freshID(), Self.freshID(), Self.freshID())
            try sandbox.addMember(id: ann, username: "ann", roles: [officer, unmapped])
            try sandbox.addMember(id: bob, username: "bob", roles: [])
            try sandbox.addMember(id: stranger, username: "stranger", roles: [officer])
            let raiders = try group("Raiders", role: raider)
            _ = try group("Officers", role: officer)
            _ = try linkedUser(ann, "ann", in: [raiders])
            _ = try linkedUser(bob, "bob", in: [raiders])
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())

            let result = try run(.groupsRemoteSync(requestedBy: "api")).result
            #expect(result?["verify"]?["roles_added"]?.integer == 2, "\(String(describing: result))")
            #expect(try changes(ann) == ["role_added \(raider)", "role_removed \(officer)"])
            #expect(try changes(bob) == ["role_added \(raider)"])
            // Not linked: never touched. Unmapped roles stay.
            #expect(try changes(stranger).isEmpty)
            #expect(
                try GuildMemberStore(db).member(guildID: try #require(stack.settings["DISCORD_GUILD_ID"]), discordID: ann)?.roleIDs == [
                    raider, unmapped,
                ])
            let audit = try AuditLogStore(db).recent(limit: 10)
            #expect(audit.filter { $0.action.hasPrefix("role.") }.count == 3)
            #expect(audit.allSatisfy { $0.actor == "api" && $0.result == "ok" })
            // A second run finds nothing to do.
            #expect(try run(.groupsVerify(discordID: nil, requestedBy: "api")).result?["members"]?.integer == 0)
        }

        @Test func underLocalPriorityARoleTakenOnDiscordIsGivenBackWithinSeconds() throws {
            let raider = try sandbox.createRole(name: "Raider")
            let ann = Self.freshID()
            try sandbox.addMember(id: ann, username: "ann", roles: [raider])
            _ = try linkedUser(ann, "ann", in: [try group("Raiders", role: raider)])
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())
            _ = try run(.groupsRemoteSync(requestedBy: "api"))
            try sandbox.setRoles(memberID: ann, [])
            #expect(poll(timeout: 15) { try changes(ann) == ["role_added \(raider)"] }, "\((try? changes(ann)) ?? [])")
        }

        @Test func underRemotePriorityARoleChangedOnDiscordChangesTheGroups() throws {
            let raider = try sandbox.createRole(name: "Raider")
            let officer = try sandbox.createRole(name: "Officer")
            let ann = Self.freshID()
            try sandbox.addMember(id: ann, username: "ann", roles: [raider])
            let raiders = try group("Raiders", role: raider)
            let officers = try group("Officers", role: officer)
            let user = try linkedUser(ann, "ann", in: [raiders])
            let bot = try BotProcess(stack: stack, overrides: ["GUILDGATE_GROUP_PRIORITY": "remote"])
            #expect(bot.waitUntilReady())
            _ = try run(.groupsRemoteSync(requestedBy: "api"))
            try sandbox.setRoles(memberID: ann, [officer])
            #expect(poll(timeout: 15) { try groups.groups(userID: user).map(\.id) == [officers] })
            // Adopted, not reverted: the bot changed nothing on Discord.
            #expect(try changes(ann).isEmpty)
            let audit = try AuditLogStore(db).recent(limit: 10, target: ann)
            #expect(Set(audit.map(\.action)) == ["group.join", "group.leave"])
            #expect(audit.allSatisfy { $0.actor == "discord" })
        }

        @Test func aRoleAboveTheBotStopsTheRunAfterOneRefusalAndSaysHowToFixIt() throws {
            let council = try sandbox.createRole(name: "Council", position: try sandbox.botRolePosition() + 1)
            let members = (0..<3).map { _ in Self.freshID() }
            let councilGroup = try group("Council", role: council)
            for (index, id) in members.enumerated() {
                try sandbox.addMember(id: id, username: "member\(index)", roles: [])
                _ = try linkedUser(id, "member\(index)", in: [councilGroup])
            }
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())
            try sandbox.clearRequests()
            let result = try run(.groupsRemoteSync(requestedBy: "api")).result
            let problem = try #require(result?["verify"]?["problem"]?.string)
            #expect(problem.contains("above Council"), "\(problem)")
            #expect(try SyncProblemStore(db).all().map(\.message) == [problem])
            let attempts = try sandbox.requestedPaths().filter { $0.hasSuffix("/roles/\(council)") }
            #expect(attempts.count == 1, "\(attempts)")
            #expect(try AuditLogStore(db).recent(limit: 10).filter { $0.result != "ok" }.count == 1)
        }

        @Test func fiveHundredMembersAreVerifiedWithoutA429() throws {
            let raider = try sandbox.createRole(name: "Raider")
            _ = try sandbox.control(
                "PUT", "/ratelimits", json: #"{"route":"\#(Self.memberRolesRoute)","limit":50,"window_ms":1000}"#)
            let ids = try sandbox.generateMembers(count: 500)
            #expect(ids.count == 500)
            let raiders = try group("Raiders", role: raider)
            try db.transaction { db in
                for (index, id) in ids.enumerated() {
                    let user = try UserStore(db).upsertDiscordLogin(discordID: id, discordUsername: "member\(index)")
                    _ = try GroupStore(db).add(userID: user.id, groupID: raiders)
                }
            }
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())
            let result = try run(.groupsRemoteSync(requestedBy: "api"), timeout: 120).result
            #expect(result?["verify"]?["roles_added"]?.integer == 500, "\(String(describing: result))")
            #expect(try sandbox.limitedRequests(route: Self.memberRolesRoute) == 0, "\(bot.errorOutput.suffix(2000))")
        }

        @Test func nicknamesFollowTheTemplateAndTheOwnerAndMembersAboveTheBotAreSkipped() throws {
            let council = try sandbox.createRole(name: "Council", position: try sandbox.botRolePosition() + 1)
            let (ann, bob, high) = (Self.freshID(), Self.freshID(), Self.freshID())
            let owner = "300000000000000002"
            try sandbox.addMember(id: ann, username: "ann", roles: [])
            try sandbox.addMember(id: bob, username: "bob", roles: [], nick: "Bobby")
            try sandbox.addMember(id: high, username: "high", roles: [council])
            try sandbox.addMember(id: owner, username: "owner", roles: [])
            let raiders = try group("Raiders", role: nil)
            for (id, name) in [(ann, "ann"), (bob, "bob"), (high, "high"), (owner, "owner")] {
                _ = try linkedUser(id, name, in: id == ann ? [raiders] : [])
            }
            try db.query("DELETE FROM staff WHERE discord_id = $1", [ann])
            try db.query("INSERT INTO staff (name, rank, discord_id) VALUES ('Ann', 'Lead', $1)", [ann])
            let bot = try BotProcess(stack: stack, overrides: ["GUILDGATE_NICKNAME_TEMPLATE": "[%rank] %username of %group"])
            #expect(bot.waitUntilReady())
            let result = try run(.nicknamesUpdate(requestedBy: "api")).result
            #expect(try changes(ann) == ["nick [Lead] ann of Raiders"])
            // Placeholders with nothing to show leave no stray spaces: "[] bob of" collapses as Discord would.
            #expect(try changes(bob) == ["nick [] bob of"])
            #expect(try changes(high).isEmpty && changes(owner).isEmpty)
            let skipped = result?["nicknames"]?["skipped"]?.array?.compactMap(\.string) ?? []
            #expect(Set(skipped) == [high, owner])
            try db.query("DELETE FROM staff WHERE discord_id = $1", [ann])
        }

        @Test func aMemberWhoLeavesTheGuildIsMarkedLeftAndKept() throws {
            let ann = Self.freshID()
            try sandbox.addMember(id: ann, username: "ann", roles: [])
            let user = try linkedUser(ann, "ann", in: [try group("Raiders", role: nil)])
            let bot = try BotProcess(stack: stack)
            #expect(bot.waitUntilReady())
            _ = try run(.groupsRemoteSync(requestedBy: "api"))
            let guildID = try #require(stack.settings["DISCORD_GUILD_ID"])
            try sandbox.removeMember(id: ann)
            #expect(poll(timeout: 10) { try GuildMemberStore(db).member(guildID: guildID, discordID: ann)?.leftAt != nil })
            #expect(try UserStore(db).user(id: user) != nil)
            #expect(try groups.groups(userID: user).count == 1)
        }
    }
}
