import JSONSupport
import Testing

/// Messages from users (`POST /_sandbox/users/{id}/messages`) as MESSAGE_CREATE delivers them (docs:
/// `events/gateway-events` "Message Create", `resources/message` "Message Object", `events/gateway`
/// "Message Content Intent"), and the bot's replies to them.
@Suite struct SandboxUserMessageTests {
    let sandbox = InProcessSandbox()
    let ann = "555000000000000010"
    let bot = InProcessSandbox.clientID
    let channel = InProcessSandbox.channelID
    static let guilds = 1
    static let guildMessages = 1 << 9
    static let directMessages = 1 << 12
    static let messageContent = 1 << 15

    @Test func aDirectMessageOpensTheDMChannelAndArrivesWithAFullAuthor() async throws {
        let session = try InProcessGatewaySession(sandbox, intents: Self.directMessages)
        let posted = await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"hello bot","username":"ann_test"}"#)
        #expect(posted.status == 200, "\(posted.text)")
        let dmChannel = try #require(posted.json?["channel_id"]?.string)
        #expect(dmChannel != channel && posted.json?["id"]?.string != nil)
        let again = await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"still there?"}"#)
        #expect(again.json?["channel_id"]?.string == dmChannel, "the same DM channel")
        let opened = await sandbox.bot(.POST, "/users/@me/channels", json: #"{"recipient_id":"\#(ann)"}"#)
        #expect(opened.json?["id"]?.string == dmChannel, "the bot finds the channel the user wrote in")

        let created = await session.dispatches().filter { $0.name == "MESSAGE_CREATE" }.map(\.data)
        #expect(created.count == 2)
        let first = try #require(created.first)
        #expect(first["content"] == "hello bot" && first["channel_type"] == 1 && first["guild_id"] == nil && first["member"] == nil)
        #expect(first["id"] == posted.json?["id"] && first["channel_id"] == .string(dmChannel) && first["mentions"] == [])
        let author = try #require(first["author"])
        #expect(author["id"] == .string(ann) && author["username"] == "ann_test" && author["discriminator"] == "0")
        #expect(author["global_name"] == .null && author["avatar"] == .null && author["bot"] == nil)
        #expect(first["timestamp"]?.string?.contains("T") == true && first["type"] == 0)
    }

    @Test func withoutMessageContentGuildMessagesArriveEmptyUnlessTheyMentionTheBot() async throws {
        await sandbox.addMember(ann, username: "ann_test")
        _ = await sandbox.control(.PUT, "/gateway/config", json: #"{"identify_window_ms":0}"#)
        let reader = try InProcessGatewaySession(sandbox, intents: Self.guilds | Self.guildMessages | Self.messageContent)
        let blind = try InProcessGatewaySession(sandbox, intents: Self.guilds | Self.guildMessages | Self.directMessages)
        let onlyDMs = try InProcessGatewaySession(sandbox, intents: Self.directMessages)
        _ = await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"plain","channel_id":"\#(channel)"}"#)
        _ = await sandbox.control(
            .POST, "/users/\(ann)/messages", json: #"{"content":"ping","channel_id":"\#(channel)","mention_bot":true}"#)
        _ = await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"private"}"#)

        let read = await reader.dispatches().filter { $0.name == "MESSAGE_CREATE" }.map(\.data)
        let unread = await blind.dispatches().filter { $0.name == "MESSAGE_CREATE" }.map(\.data)
        #expect(read.map { $0["content"] } == ["plain", .string("<@\(bot)> ping")], "GUILD_MESSAGES only: no DM")
        #expect(unread.map { $0["content"] } == ["", .string("<@\(bot)> ping"), "private"])
        #expect(unread[0]["embeds"] == [] && unread[0]["attachments"] == [] && unread[0]["id"] == read[0]["id"])
        #expect(await onlyDMs.dispatches().filter { $0.name == "MESSAGE_CREATE" }.map { $0.data["content"] } == ["private"])

        let mention = read[1]
        #expect(mention["guild_id"] == .string(InProcessSandbox.guildID) && mention["channel_type"] == 0)
        #expect(mention["member"]?["roles"] == [] && mention["member"]?["user"] == nil, "a partial member")
        #expect(mention["mentions"]?.array?.map { $0["id"] } == [.string(bot)] && mention["mentions"]?.array?.first?["bot"] == true)
    }

    @Test func aGuildChannelNeedsAMemberAndBodiesAreChecked() async {
        let stranger = await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"hi","channel_id":"\#(channel)"}"#)
        #expect(stranger.status == 400 && stranger.text.contains("not a member"))
        #expect(await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":" "}"#).status == 400)
        #expect(await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"x","channel_id":"1"}"#).status == 400)
        #expect(await sandbox.control(.POST, "/users/\(bot)/messages", json: #"{"content":"x"}"#).status == 400)
    }

    @Test func theBotsReplyReferencesTheUsersMessageInTheListing() async throws {
        let posted = await sandbox.control(.POST, "/users/\(ann)/messages", json: #"{"content":"question","username":"ann_test"}"#)
        let dmChannel = try #require(posted.json?["channel_id"]?.string)
        let userMessage = try #require(posted.json?["id"]?.string)
        let reply = await sandbox.bot(
            .POST, "/channels/\(dmChannel)/messages", json: #"{"content":"answer","message_reference":{"message_id":"\#(userMessage)"}}"#)
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json?["type"] == 19 && reply.json?["message_reference"]?["message_id"] == .string(userMessage))
        #expect(reply.json?["message_reference"]?["channel_id"] == .string(dmChannel))

        let stored = try #require(await sandbox.control(.GET, "/channels/\(dmChannel)/messages").json?.array)
        #expect(stored.map { $0["author_id"] } == [.string(ann), .string(bot)])
        #expect(stored[0]["message_reference"] == .null && stored[1]["message_reference"]?["message_id"] == .string(userMessage))
        #expect(stored[1]["type"] == 19 && stored[1]["content"] == "answer" && stored[1]["nonce"] == .null)

        let unknown = #"{"content":"x","message_reference":{"message_id":"300000000000000099"}}"#
        let refused = await sandbox.bot(.POST, "/channels/\(dmChannel)/messages", json: unknown)
        #expect(refused.status == 400 && refused.json?["errors"]?["message_reference"] != nil, "\(refused.text)")
        let lenient = #"{"content":"x","message_reference":{"message_id":"300000000000000099","fail_if_not_exists":false}}"#
        let plain = await sandbox.bot(.POST, "/channels/\(dmChannel)/messages", json: lenient)
        #expect(plain.status == 200 && plain.json?["type"] == 0 && plain.json?["message_reference"] == nil)
    }

    @Test func manyUsersAtOnceAreDispatchedInEachChannelsOrder() async throws {
        let session = try InProcessGatewaySession(sandbox, intents: Self.directMessages)
        let users = (0..<8).map { "5550000000000001\($0)0" }
        await withTaskGroup(of: Void.self) { group in
            for user in users {
                group.addTask {
                    for index in 0..<10 {
                        _ = await sandbox.control(.POST, "/users/\(user)/messages", json: #"{"content":"\#(index)"}"#)
                    }
                }
            }
        }
        let created = await session.dispatches().filter { $0.name == "MESSAGE_CREATE" }.map(\.data)
        #expect(created.count == 80)
        for user in users {
            let mine = created.filter { $0["author"]?["id"] == .string(user) }
            #expect(mine.map { $0["content"] } == (0..<10).map { .string("\($0)") }, "\(user)")
            let ids = mine.compactMap { $0["id"]?.string.flatMap(UInt64.init) }
            #expect(ids == ids.sorted())
        }
    }
}
