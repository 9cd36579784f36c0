@testable import GuildGateCore
@testable import BotWorker
@testable import DiscordGateway
@testable import DiscordKit
import CurlHTTP
import Foundation
import JSONSupport
import GuildGateTesting
import Testing

/// Discord's documented payloads (`Fixtures/Discord`, each page named in `Fixtures/README.md`), decoded by
/// the code GuildGate runs on them: the gateway payload and READY decoders, the roster mapping, the message
/// decoder, the command parser, `DiscordError.from` and the rate limiter's header parsing.
@Suite struct DiscordContract {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Discord")
    static let botID = "80351110224678912"
    static let guildID = "197038439483310086"
    let seenAt = Date(timeIntervalSince1970: 1_764_979_200)

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name + ".json")))
    }

    static func json(_ name: String) throws -> JSON {
        try #require(JSON.parse(try bytes(name)), "\(name).json is not JSON")
    }

    /// A gateway payload, read as the gateway client reads a text frame.
    static func payload(_ name: String) throws -> GatewayPayload {
        try #require(GatewayPayload(text: String(decoding: try bytes(name), as: UTF8.self)), "\(name).json is not a gateway payload")
    }

    /// An HTTP answer: `{"status", "headers", "body"}`.
    static func response(_ name: String) throws -> HTTPResponse {
        let fixture = try json(name)
        let headers = (fixture["headers"]?.object ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value.string ?? "") }
        return HTTPResponse(
            status: try #require(fixture["status"]?.integer), headers: HTTPHeaders(headers),
            body: Array(try #require(fixture["body"]).serialized.utf8))
    }

    @Test(arguments: ["gateway-bot", "gateway-bot-live"])
    func getGatewayBotGivesAConnectionURL(fixture: String) throws {
        let url = try #require(try Self.json(fixture)["url"]?.string)
        #expect(GatewayURL.connection(url) == "wss://gateway.discord.gg/?v=10&encoding=json")
    }

    @Test func readyStartsASessionThatResumesOnItsOwnURL() throws {
        let payload = try Self.payload("ready")
        #expect(payload.opcode == .dispatch)
        #expect(payload.event == "READY")
        #expect(payload.sequence == 1)
        let ready = try #require(GatewayReady(payload.data))
        #expect(ready.sessionID == "d8a1e4f0c5b2a3e4f5a6b7c8d9e0f1a2")
        #expect(ready.botUserID == Self.botID)
        #expect(ready.applicationID == Self.botID)
        #expect(ready.guildIDs == ["41771983423143937"])
        #expect(GatewayURL.connection(ready.resumeURL) == "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json")
    }

    @Test func guildCreateBecomesRosterRows() throws {
        let payload = try Self.payload("guild-create")
        #expect(payload.event == "GUILD_CREATE")
        let guild = payload.data
        let guildID = try #require(guild["id"]?.string)
        #expect(guild["unavailable"]?.bool != true)
        let records = PresenceMapping.records(
            members: guild["members"]?.array ?? [], presences: guild["presences"]?.array ?? [], guildID: guildID, seenAt: seenAt)
        // The docs' Example Guild Member has `"user": {}`: it is skipped, not a crash or a blank row.
        #expect(records.map(\.discordID) == [Self.botID, "53908099506183680"])
        #expect(records.map(\.status) == ["online", "offline"])
        #expect(records.allSatisfy { $0.guildID == Self.guildID })
        #expect(records.first?.activity == "Playing Rocket League")
        #expect(records.first?.clientStatus == ["desktop": "online"])
    }

    @Test func anUnavailableGuildCreateCarriesNoMembers() throws {
        let guild = try Self.payload("guild-create-unavailable").data
        #expect(guild["unavailable"]?.bool == true)
        #expect(guild["members"] == nil && guild["presences"] == nil)
    }

    @Test func presenceUpdateBecomesARosterRow() throws {
        let payload = try Self.payload("presence-update")
        #expect(payload.event == "PRESENCE_UPDATE")
        let record = try #require(PresenceMapping.record(payload.data, guildID: nil, seenAt: seenAt))
        #expect(record.guildID == Self.guildID)
        #expect(record.discordID == Self.botID)
        #expect(record.status == "dnd")
        #expect(record.activity == "Streaming Twitch")
        #expect(record.customStatus == nil)
        #expect(record.clientStatus == ["mobile": "dnd"])
    }

    @Test func guildMembersChunkMarksMembersWithoutAPresenceOffline() throws {
        let payload = try Self.payload("guild-members-chunk")
        let chunk = payload.data
        #expect(chunk["chunk_index"]?.integer == 0 && chunk["chunk_count"]?.integer == 1)
        #expect(chunk["nonce"]?.string == "roster-1")
        let records = PresenceMapping.records(
            members: chunk["members"]?.array ?? [], presences: try #require(chunk["presences"]?.array),
            guildID: try #require(chunk["guild_id"]?.string), seenAt: seenAt)
        #expect(records.map(\.discordID) == [Self.botID, "53908099506183680"])
        #expect(records.map(\.status) == ["idle", "offline"])
    }

    @Test func messageCreateIsACommandToTheMentionedBot() throws {
        let payload = try Self.payload("message-create")
        #expect(payload.event == "MESSAGE_CREATE")
        let message = try DiscordMessage(payload.data)
        #expect(message.id == "334385199974967042")
        #expect(message.channelID == "290926798999357250")
        #expect(message.authorID == "53908099506183680")
        #expect(message.attachments.isEmpty)
        #expect(payload.data["guild_id"]?.string == Self.guildID)
        #expect((payload.data["mentions"]?.array ?? []).contains { $0["id"]?.string == Self.botID })
        let command = try #require(BotCommand.parse(message.content, botID: Self.botID))
        #expect(command.0 == .download)
        #expect(command.argument == "Meeting notes.txt")
    }

    @Test func aMessageWithAttachmentsGivesSignedURLsAndTheirExpiry() throws {
        let message = try DiscordMessage(try Self.json("message-with-attachments"))
        let attachment = try #require(message.attachments.first)
        #expect(attachment.id == "1234567891233211234")
        #expect(attachment.filename == "my_image.png")
        #expect(attachment.size == 10_485_760)
        #expect(attachment.url.hasSuffix("&hm=2481f30dd67f503f54d020ae3b5533b9987fae4e55f2b4e3926e08a3fa3ee24f&"))
        #expect(CDNURL.expiry(of: attachment.url) == Date(timeIntervalSince1970: 0x65d9_03de))
    }

    @Test func interactionCreateIsASlashCommand() throws {
        let payload = try Self.payload("interaction-create")
        #expect(payload.event == "INTERACTION_CREATE")
        let interaction = try #require(SlashCommand(payload.data))
        #expect(interaction.command == .download)
        #expect(interaction.argument == "Meeting notes.txt")
        #expect(interaction.userID == "53908099506183680")
        #expect(interaction.guildID == Self.guildID)
        #expect(interaction.id == "1162812485932064818")
        #expect(interaction.token == "aW50ZXJhY3Rpb246MTE2MjgxMjQ4NTkzMjA2NDgxODp0b2tlbg")
    }

    @Test func errorBodiesNameTheirCodeAndEveryFieldError() throws {
        guard case .api(401, 50014, let message) = DiscordError.from(try Self.response("error-json")) else {
            Issue.record("the example JSON error was not read as code 50014")
            return
        }
        #expect(message == "Invalid authentication token")

        guard case .api(400, 50035, let array) = DiscordError.from(try Self.response("error-form-array")) else {
            Issue.record("the array error was not read as 50035")
            return
        }
        #expect(array.hasPrefix("Invalid Form Body ("))
        #expect(array.contains("activities.0.platform: Value must be one of ('desktop', 'android', 'ios')."))
        #expect(array.contains("activities.0.type: Value must be one of (0, 1, 2, 3, 4, 5)."))

        let object = DiscordError.from(try Self.response("error-form-object"))
        #expect("\(object)" == "Discord answered 400 (code 50035): Invalid Form Body (access_token: This field is required)")
        let request = DiscordError.from(try Self.response("error-form-request"))
        #expect("\(request)" == "Discord answered 400 (code 50035): Invalid Form Body (Command exceeds maximum size (8000))")
    }

    @Test func tooManyRequestsBodiesAndHeadersSetTheWait() throws {
        let key = RateLimitKey(route: "POST /channels/{id}/messages", major: "channels/1", globalIdentity: 7)
        let other = RateLimitKey(route: "GET /users/@me", major: "", globalIdentity: 7)

        let user = RateLimiter(clock: ManualClock())
        #expect(
            user.record(try Self.response("rate-limit-user"), for: key) == .limited(retryAfter: .seconds(fractional: 64.57), global: false))
        #expect(user.admit(key) == .reject(retryAfter: .seconds(fractional: 64.57), global: false))
        #expect(user.admit(other) == .proceed)

        // A shared (per-resource) limit: its own `retry_after`, not the bucket's reset, and no other route waits.
        let shared = RateLimiter(clock: ManualClock())
        #expect(
            shared.record(try Self.response("rate-limit-shared"), for: key)
                == .limited(retryAfter: .seconds(fractional: 1336.57), global: false))
        #expect(shared.admit(key) == .reject(retryAfter: .seconds(fractional: 1336.57), global: false))
        #expect(shared.admit(other) == .proceed)

        let global = RateLimiter(clock: ManualClock())
        #expect(
            global.record(try Self.response("rate-limit-global"), for: key)
                == .limited(retryAfter: .seconds(fractional: 64.57), global: true))
        #expect(global.admit(other) == .reject(retryAfter: .seconds(fractional: 64.57), global: true))
    }
}
