import JSONSupport
import Testing

/// Core REST behaviours of discord-sandbox that GuildGate's tests lean on, byte for byte where Discord's
/// shape matters (key order, `null`s, unescaped mentions), in-process.
@Suite struct SandboxRESTTests {
    let sandbox = InProcessSandbox()
    let channel = InProcessSandbox.channelID

    @Test func discordsAPIWantsABotUserAgentAndAToken() async {
        let noAgent = await sandbox.send(.GET, "/api/v10/users/@me", headers: [("Authorization", "Bot sandbox-bot-token")])
        #expect(noAgent.status == 403 && noAgent.json?["code"]?.wholeNumber == 40333)
        let noToken = await sandbox.send(.GET, "/api/v10/users/@me", headers: [InProcessSandbox.userAgent])
        #expect(noToken.status == 401 && noToken.text == #"{"message":"401: Unauthorized","code":0}"#)
        let me = await sandbox.bot(.GET, "/users/@me")
        #expect(me.json?["id"] == .string(InProcessSandbox.clientID) && me.json?["bot"] == true, "\(me.text)")
        #expect(await sandbox.bot(.GET, "/nowhere").text == #"{"message":"404: Not Found","code":0}"#)
    }

    @Test func aMessageIsWrittenAsDiscordWritesIt() async throws {
        let created = await sandbox.bot(
            .POST, "/channels/\(channel)/messages", json: #"{"content":"<@42> \"hi\"","nonce":"n-1","enforce_nonce":true}"#)
        #expect(created.status == 200)
        #expect(created.text.contains(#""content":"<@42> \"hi\"""#), "mentions unescaped: \(created.text)")
        #expect(created.text.contains(#""edited_timestamp":null"#))
        let id = try #require(created.json?["id"]?.string)
        let again = await sandbox.bot(
            .POST, "/channels/\(channel)/messages", json: #"{"content":"<@42> \"hi\"","nonce":"n-1","enforce_nonce":true}"#)
        #expect(again.json?["id"]?.string == id, "an enforced nonce gives the same message")
        let read = await sandbox.bot(.GET, "/channels/\(channel)/messages/\(id)")
        #expect(read.json?["content"] == "<@42> \"hi\"" && read.json?["channel_id"] == .string(channel))
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: #"{"content":"x","flags":1.5}"#).status == 400)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/messages", json: "{").json?["code"]?.wholeNumber == 50109)
        #expect(await sandbox.bot(.POST, "/channels/1/messages", json: #"{"content":"x"}"#).json?["code"]?.wholeNumber == 10003)
    }

    @Test func attachmentsAreServedByTheCDNWithRangesUntilTheyExpire() async throws {
        let created = await sandbox.postFile("a b.bin", content: "hello world")
        let attachment = try #require(created.json?["attachments"]?.array?.first, "\(created.text)")
        #expect(attachment["size"]?.wholeNumber == 11)
        let url = try #require(attachment["url"]?.string)
        #expect(url.hasPrefix(InProcessSandbox.publicURL + "/attachments/\(channel)/"))
        let path = String(url.dropFirst(InProcessSandbox.publicURL.count))
        let whole = await sandbox.send(.GET, path)
        #expect(whole.status == 200 && whole.text == "hello world")
        let part = await sandbox.send(.GET, path, headers: [("Range", "bytes=6-")])
        #expect(part.status == 206 && part.text == "world" && part.headers.first(name: "Content-Range") == "bytes 6-10/11")
        #expect(await sandbox.send(.GET, path, headers: [("Range", "bytes=20-")]).status == 416)
        let stored = await sandbox.control(.GET, "/channels/\(channel)/messages")
        #expect(
            stored.json?.array?.first?["attachments"]?.array?.first?["sha256"]
                == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")

        _ = await sandbox.control(.POST, "/cdn/expire")
        #expect(await sandbox.send(.GET, path).status == 404)
        let fresh = await sandbox.bot(.GET, "/channels/\(channel)/messages/\(created.json?["id"]?.string ?? "")")
        let renewed = try #require(fresh.json?["attachments"]?.array?.first?["url"]?.string)
        #expect(
            await sandbox.send(.GET, String(renewed.dropFirst(InProcessSandbox.publicURL.count))).status == 200, "a re-read signs again")
    }

    @Test func aTooManyRequestsBodyKeepsDiscordsKeyOrder() async {
        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/gateway/bot","kind":"ratelimit","delay_ms":873,"count":1}"#)
        let limited = await sandbox.bot(.GET, "/gateway/bot")
        #expect(limited.text == #"{"message":"You are being rate limited.","retry_after":0.873,"global":false}"#)
        #expect(limited.headers.first(name: "Retry-After") == "1")
    }
}
