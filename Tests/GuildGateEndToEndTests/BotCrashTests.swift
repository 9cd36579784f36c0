import Foundation
import GuildGateTesting
@testable import GuildGateCore
import Store
import Testing

extension EndToEnd {
    /// guildgate-bot killed with SIGKILL in the middle of a job whose side effect on Discord has already
    /// been sent: the job runs again once its lease expires, on another bot, and the side effect is not
    /// repeated (a group sync reads the member list again and finds the role already given).
    @Suite final class BotCrash {
        static let rolesRoute = "/guilds/{id}/members/{id}/roles/{id}"

        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            // Two bots start one after another: no identify window.
            try sandbox.configureGateway(#"{"identify_window_ms":0}"#)
        }

        deinit {
            MembersAwaitingARole.cleanUp(db)
        }

        @Test func aJobKilledAfterItsRoleChangeRunsAgainAfterItsLeaseAndChangesNothingTwice() throws {
            let awaiting = try MembersAwaitingARole(sandbox, db, count: 1)
            // The bot's PUT of the role reaches Discord, which makes the change 3 s later, when the bot is dead.
            try sandbox.arm(#"{"method":"PUT","path":"\#(Self.rolesRoute)","kind":"delay","delay_ms":3000}"#)
            let lease = ["GUILDGATE_JOB_LEASE_SECONDS": "3"]
            let killed = try BotProcess(stack: stack, overrides: lease)
            #expect(killed.waitUntilReady(), "\(killed.errorOutput.suffix(2000))")
            try sandbox.clearRequests()
            let job = try JobStore(db).enqueue(.groupsRemoteSync(requestedBy: "test"))
            #expect(poll(timeout: 10) { try sandbox.armedFaults().isEmpty }, "the role change never reached Discord")
            killed.signal(SIGKILL)
            #expect(killed.waitForExit(timeout: 5) != nil)
            #expect(poll(timeout: 5) { try awaiting.changesByTheBot(sandbox) == awaiting.expectedChanges }, "the change was not made")
            let orphaned = try #require(try JobStore(db).job(id: job.id))
            #expect(orphaned.state == .running && orphaned.attempts == 1, "\(orphaned)")

            let next = try BotProcess(stack: stack, overrides: lease)
            #expect(
                poll(timeout: 15) { try JobStore(db).job(id: job.id)?.state == .succeeded },
                "\(String(describing: try? JobStore(db).job(id: job.id))) \(next.errorOutput.suffix(2000))")
            let done = try #require(try JobStore(db).job(id: job.id))
            #expect(done.attempts == 2)
            #expect(done.result?["verify"]?["roles_added"]?.integer == 0, "\(String(describing: done.result))")
            #expect(try awaiting.changesByTheBot(sandbox) == awaiting.expectedChanges)
            let puts = try sandbox.requests().filter {
                $0["method"] as? String == "PUT" && ($0["path"] as? String)?.contains("/roles/") == true
            }
            #expect(puts.count == 1, "the role was sent again: \(puts)")
            next.signal(SIGTERM)
            #expect(next.waitForExit(timeout: 10) == 0)
        }
    }
}
