import JSONSupport
import Testing

/// Trigger Typing Indicator (docs: `resources/channel`): 204 without a body, the bot's token and channel rights
/// as for creating a message, counted for tests.
@Suite struct SandboxTypingTests {
    let sandbox = InProcessSandbox()
    let channel = InProcessSandbox.channelID

    @Test func typingIsNoContentCountedPerChannel() async {
        let typed = await sandbox.bot(.POST, "/channels/\(channel)/typing")
        #expect(typed.status == 204 && typed.body.isEmpty)
        _ = await sandbox.bot(.POST, "/channels/\(channel)/typing")
        #expect(await sandbox.control(.GET, "/channels/\(channel)/typing").text == #"{"count":2}"#)
        #expect(await sandbox.control(.GET, "/channels/300000000000000011/typing").text == #"{"count":0}"#)
        #expect(await sandbox.control(.GET, "/channels/999/typing").status == 404)
    }

    @Test func typingNeedsTheBotTokenAKnownChannelAndTheRightToSend() async {
        let anonymous = await sandbox.send(.POST, "/api/v10/channels/\(channel)/typing", headers: [InProcessSandbox.userAgent])
        #expect(anonymous.status == 401)
        let unknown = await sandbox.bot(.POST, "/channels/300000000000000099/typing")
        #expect(unknown.status == 404 && unknown.json?["code"] == 10003)
        let sendDenied = #"[{"id":"\#(InProcessSandbox.guildID)","type":0,"allow":"0","deny":"2048"}]"#
        _ = await sandbox.control(.PUT, "/channels/\(channel)/permission-overwrites", json: sendDenied)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/typing").json?["code"] == 50013)
        let hidden = #"[{"id":"\#(InProcessSandbox.guildID)","type":0,"allow":"0","deny":"1024"}]"#
        _ = await sandbox.control(.PUT, "/channels/\(channel)/permission-overwrites", json: hidden)
        #expect(await sandbox.bot(.POST, "/channels/\(channel)/typing").json?["code"] == 50001)
        #expect(await sandbox.control(.GET, "/channels/\(channel)/typing").text == #"{"count":0}"#)
    }
}
