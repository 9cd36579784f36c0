@testable import GuildGateCore
@testable import DiscordKit
@testable import BotWorker
@testable import DiscordGateway
import Foundation
import JSONSupport
import Testing

@Suite struct GatewayProtocol {
    /// Discord hands out `wss://gateway.discord.gg` (no path) from `GET /gateway/bot` and READY's
    /// `resume_gateway_url`; a WebSocket upgrade needs a path.
    @Test(arguments: [
        ("wss://gateway.discord.gg", "wss://gateway.discord.gg/?v=10&encoding=json"),
        ("wss://gateway.discord.gg/", "wss://gateway.discord.gg/?v=10&encoding=json"),
        ("wss://gateway-us-east1-b.discord.gg", "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json"),
        ("wss://gateway.discord.gg?v=9&encoding=etf", "wss://gateway.discord.gg/?v=10&encoding=json"),
        ("wss://gateway.discord.gg/?v=10&encoding=json&compress=zlib-stream", "wss://gateway.discord.gg/?v=10&encoding=json"),
        ("ws://127.0.0.1:8099", "ws://127.0.0.1:8099/?v=10&encoding=json"),
        ("ws://127.0.0.1:8099/gateway-resume#x", "ws://127.0.0.1:8099/gateway-resume?v=10&encoding=json"),
    ])
    func theConnectionURLHasAPathAndOurQuery(given: String, expected: String) {
        #expect(GatewayURL.connection(given) == expected)
    }

    @Test func payloadsDecodeAndEncode() throws {
        let dispatch = try #require(GatewayPayload(text: #"{"op":0,"s":57,"t":"PRESENCE_UPDATE","d":{"status":"idle"}}"#))
        #expect(dispatch.opcode == .dispatch)
        #expect(dispatch.sequence == 57)
        #expect(dispatch.event == "PRESENCE_UPDATE")
        #expect(dispatch.data["status"]?.string == "idle")
        #expect(GatewayPayload(text: #"{"op":10,"d":{"heartbeat_interval":41250}}"#)?.data["heartbeat_interval"]?.integer == 41250)
        #expect(GatewayPayload(text: #"{"op":99,"d":null}"#) == nil)
        #expect(GatewayPayload(text: #"{"d":null}"#) == nil)
        #expect(GatewayPayload(text: "not json") == nil)
        #expect(GatewayPayload.heartbeat(lastSequence: nil).text == #"{"op":1,"d":null}"#)
        #expect(GatewayPayload.heartbeat(lastSequence: 12).text == #"{"op":1,"d":12}"#)
    }

    @Test func identifyResumeAndMemberRequestFollowTheDocs() throws {
        let identify = try #require(JSON.parse(Array(GatewayPayload.identify(token: "abc", intents: .guildGateDefault).text.utf8)))
        #expect(identify["op"]?.integer == 2)
        #expect(identify["d"]?["token"]?.string == "abc")
        #expect(identify["d"]?["intents"]?.integer == 37635)
        #expect(identify["d"]?["properties"]?["os"]?.string == "linux")
        let resume = try #require(JSON.parse(Array(GatewayPayload.resume(token: "abc", sessionID: "s1", sequence: 9).text.utf8)))
        #expect(resume["op"]?.integer == 6)
        #expect(resume["d"]?["session_id"]?.string == "s1")
        #expect(resume["d"]?["seq"]?.integer == 9)
        let request = try #require(JSON.parse(Array(GatewayPayload.requestAllMembers(guildID: "7", nonce: "n").text.utf8)))
        #expect(request["op"]?.integer == 8)
        #expect(request["d"]?["limit"]?.integer == 0)
        #expect(request["d"]?["query"]?.string == "")
        #expect(request["d"]?["presences"]?.bool == true)
    }

    @Test func intentsParseFromNamesOrNumbers() throws {
        #expect(try GatewayIntents(parsing: "37635") == .guildGateDefault)
        #expect(try GatewayIntents(parsing: "GUILDS, guild_members | GUILD_PRESENCES") == [.guilds, .guildMembers, .guildPresences])
        #expect(throws: GatewayIntents.ParseError.unknownName("GUILD_MEMBER")) { try GatewayIntents(parsing: "GUILDS,GUILD_MEMBER") }
        #expect(throws: GatewayIntents.ParseError.self) { try GatewayIntents(parsing: "\(1 << 30)") }
        #expect(GatewayIntents.guildGateDefault.intersection(.privileged).names == ["GUILD_MEMBERS", "GUILD_PRESENCES", "MESSAGE_CONTENT"])
        #expect(GatewayIntents.enabledPrivileged(applicationFlags: 1 << 14 | 1 << 19) == [.guildMembers, .messageContent])
    }

    @Test func closeCodesDecideBetweenResumeIdentifyAndStop() {
        let intents = GatewayIntents.guildGateDefault
        #expect(GatewayCloseCode.decision(for: nil, intents: intents) == .resume)
        #expect(GatewayCloseCode.decision(for: 4000, intents: intents) == .resume)
        #expect(GatewayCloseCode.decision(for: 1001, intents: intents) == .resume)
        #expect(GatewayCloseCode.decision(for: 4007, intents: intents) == .identify)
        #expect(GatewayCloseCode.decision(for: 4009, intents: intents) == .identify)
        #expect(GatewayCloseCode.decision(for: 4004, intents: intents) == .stop(.authenticationFailed))
        guard case .stop(let error) = GatewayCloseCode.decision(for: 4014, intents: [.guilds, .guildPresences]) else {
            Issue.record("4014 must stop")
            return
        }
        #expect("\(error)".contains("GUILD_PRESENCES (\"Presence Intent\")"))
        #expect(!"\(error)".contains("GUILD_MEMBERS"))
        let narrowed = GatewayFatalError.disallowedIntents(requested: .privileged, disabled: [.messageContent])
        #expect("\(narrowed)".contains("MESSAGE_CONTENT (\"Message Content Intent\")"))
        #expect(!"\(narrowed)".contains("GUILD_PRESENCES"))
        if case .stop = GatewayCloseCode.decision(for: 4013, intents: intents) {} else { Issue.record("4013 must stop") }
    }

    @Test func backoffIsImmediateAfterAHealthySessionThenGrowsWithJitter() {
        var backoff = ReconnectBackoff(base: .seconds(1), cap: .seconds(8))
        var generator = SystemRandomNumberGenerator()
        #expect(backoff.nextDelay(using: &generator) == .zero)
        let delays = (0..<6).map { _ in backoff.nextDelay(using: &generator) }
        for (delay, step) in zip(delays, [1, 2, 4, 8, 8, 8]) {
            #expect(delay >= .seconds(step) / 2 && delay <= .seconds(step), "\(delay) for step \(step)")
        }
        backoff.succeeded()
        #expect(backoff.nextDelay(using: &generator) == .zero)
    }
}

@Suite struct PresenceMappingTests {
    let now = Date(timeIntervalSince1970: 1_763_913_600)

    @Test func presenceUpdateBecomesARosterRow() throws {
        let event = try #require(
            JSON.parse(
                Array(
                    """
                    {"user":{"id":"80351110224678912"},"guild_id":"290926798626357999","status":"idle",
                     "activities":[{"name":"Custom Status","type":4,"state":"On call until 5pm","emoji":{"name":"📞"}},
                                   {"name":"Visual Studio Code","type":0,"details":"Editing main.swift"}],
                     "client_status":{"desktop":"idle","mobile":"bogus"}}
                    """.utf8)))
        let record = try #require(PresenceMapping.record(event, guildID: nil, seenAt: now))
        #expect(record.guildID == "290926798626357999")
        #expect(record.discordID == "80351110224678912")
        #expect(record.status == "idle")
        #expect(record.customStatus == "📞 On call until 5pm")
        #expect(record.activity == "Playing Visual Studio Code")
        #expect(record.clientStatus == ["desktop": "idle"])
    }

    @Test func oddPresencesAreSafe() throws {
        let invisible = try #require(
            JSON.parse(Array(#"{"user":{"id":"1"},"status":"invisible","activities":[{"type":2,"name":"Spotify"}]}"#.utf8)))
        let record = try #require(PresenceMapping.record(invisible, guildID: "9", seenAt: now))
        #expect(record.status == "offline")
        #expect(record.activity == "Listening to Spotify")
        #expect(PresenceMapping.record(["status": "online"], guildID: "9", seenAt: now) == nil)
        #expect(PresenceMapping.record(["user": ["id": "1"]], guildID: nil, seenAt: now) == nil)
        let customEmojiOnly = try #require(JSON.parse(Array(#"{"type":4,"name":"Custom Status","emoji":{"name":"blob","id":"123"}}"#.utf8)))
        #expect(PresenceMapping.customStatus(customEmojiOnly) == nil)
    }

    @Test func membersWithoutAPresenceAreOffline() throws {
        let members: [JSON] = [["user": ["id": "1"]], ["user": ["id": "2"]]]
        let presences: [JSON] = [["user": ["id": "1"], "status": "dnd"]]
        let records = PresenceMapping.records(members: members, presences: presences, guildID: "9", seenAt: now)
        #expect(records.map(\.discordID) == ["1", "2"])
        #expect(records.map(\.status) == ["dnd", "offline"])
    }
}
