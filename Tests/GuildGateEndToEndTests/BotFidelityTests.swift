import Foundation
import GuildGateTesting
import Testing

/// guildgate-bot against the parts of Discord's gateway behaviour a kind sandbox would leave out: heartbeat
/// requests, resumable invalid sessions, and a guild outage.
extension EndToEnd.BotWorker {
    @Test func theBotAnswersAHeartbeatRequestAtOnce() throws {
        // A minute between heartbeats: only an answer to op 1 comes within a second of it.
        try sandbox.configureGateway(#"{"heartbeat_interval_ms":60000}"#)
        let bot = try startBot()
        try sandbox.send("POST", "/_sandbox/gateway/heartbeat-request", json: "{}")
        #expect(
            poll(timeout: 2) { try sandbox.gatewaySessions()["heartbeat_answers"] as? Int == 1 },
            "\((try? sandbox.gatewaySessions()) ?? [:]) \(bot.errorOutput.suffix(1500))")
    }

    @Test func aResumableInvalidSessionIsResumedNotIdentifiedAgain() throws {
        let bot = try startBot()
        try sandbox.send("POST", "/_sandbox/gateway/invalidate", json: #"{"resumable":true}"#)
        #expect(poll(timeout: 8) { try sandbox.gatewaySessions()["resumes"] as? Int == 1 }, "\(bot.errorOutput.suffix(2000))")
        let sessions = try sandbox.gatewaySessions()
        #expect(sessions["identifies"] as? Int == 1, "\(sessions)")
        #expect((sessions["connections_opened"] as? [String: Int])?["resume"] == 1, "\(sessions)")
    }

    @Test func anOutageLeavesPresencesAsTheyWereUntilTheGuildIsBack() throws {
        let bot = try startBot()
        #expect(poll(timeout: 15) { try status(of: Self.ann) == "online" })
        try sandbox.send("PUT", "/_sandbox/guild/outage", json: #"{"unavailable":true}"#)
        #expect(bot.waitForOutput("guild unavailable", timeout: 5))
        // A new session during the outage: READY, then the guild as an unavailable guild object, without members.
        try sandbox.send("POST", "/_sandbox/gateway/invalidate", json: #"{"resumable":false}"#)
        #expect(poll(timeout: 20) { try sandbox.gatewaySessions()["identifies"] as? Int == 2 }, "\(bot.errorOutput.suffix(2000))")
        try sandbox.pushPresence(userID: Self.ann, status: "idle")

        let requestsBefore = try sandbox.memberRequests().count
        let reconcile = try sync()
        #expect(
            // Generous: the job waits its turn behind the scheduled reconcile, slow under the full suite's load.
            poll(timeout: 30) { (try job(reconcile)["last_error"] as? String)?.contains("unavailable (an outage)") == true },
            "\((try? job(reconcile)) ?? [:])")
        #expect(try sandbox.memberRequests().count == requestsBefore, "a member request was sent for an unavailable guild")
        #expect(try status(of: Self.ann) == "online", "the outage changed a presence")

        try sandbox.send("PUT", "/_sandbox/guild/outage", json: #"{"unavailable":false}"#)
        #expect(poll(timeout: 15) { try status(of: Self.ann) == "idle" }, "the guild's GUILD_CREATE after the outage was not applied")
        #expect(try status(of: Self.bob) == "offline")
    }
}

extension EndToEnd.BotWorker {
    @Test func aGuildDeleteWithoutUnavailableMeansTheBotLeftTheGuild() throws {
        let bot = try startBot()
        try sandbox.send("POST", "/_sandbox/gateway/dispatch", json: #"{"t":"GUILD_DELETE","d":{"id":"\#(guildID)"}}"#)
        #expect(bot.waitForOutput("the bot was removed from the guild", timeout: 5))
        let reconcile = try sync()
        #expect(
            // Generous: the job waits its turn behind the scheduled reconcile, slow under the full suite's load.
            poll(timeout: 30) { (try job(reconcile)["last_error"] as? String)?.contains("not in guild \(guildID)") == true },
            "\((try? job(reconcile)) ?? [:]) \(bot.errorOutput.suffix(3000))")
    }
}
