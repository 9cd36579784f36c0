@testable import DiscordSandbox
import DiscordSandboxDefaults
import JSONSupport
import Logging
import NIOCore
import NIOHTTP1

/// discord-sandbox's responder without a socket: each request takes the same steps as over HTTP (faults,
/// `User-Agent`, routing, rate limits, handler, request log), in microseconds and with state of its own.
struct InProcessSandbox {
    static let clientID = SandboxDefaults.clientID
    static let guildID = SandboxDefaults.guildID
    static let channelID = SandboxDefaults.textChannelIDs[0]
    static let publicURL = "http://127.0.0.1:8190"
    static let userAgent = ("User-Agent", "DiscordBot (https://guildgate.test, 1)")
    static let botHeaders = [("Authorization", "Bot \(SandboxDefaults.botToken)"), userAgent]

    /// What the sandbox answered; `status` 0 when it reset the connection instead.
    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]

        var json: JSON? { JSON.parse(body) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let responder: SandboxResponder

    init() {
        let configuration = SandboxConfiguration(
            clientID: Self.clientID,
            clientSecret: SandboxDefaults.clientSecret,
            botToken: SandboxDefaults.botToken,
            chatAPIKey: SandboxDefaults.chatAPIKey,
            guildID: Self.guildID,
            textChannelIDs: SandboxDefaults.textChannelIDs,
            publicURL: Self.publicURL,
            resumeAuthority: "127.0.0.1:8191"
        )
        let routes = SandboxRoutes.all
        responder = SandboxResponder(
            router: Router(routes: routes),
            state: SandboxState(routes: routes, configuration: configuration),
            configuration: configuration,
            logger: Logger(label: "discord-sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    func send(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) async -> Answer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target)
        head.headers = HTTPHeaders(headers)
        let request = AggregatedRequest(head: head, body: ByteBuffer(bytes: body), isTooLarge: false)
        guard case .respond(let response) = await responder.respond(to: request) else {
            return Answer(status: 0, headers: [:], body: [])
        }
        return Answer(status: Int(response.status.code), headers: response.headers, body: Array(response.body.readableBytesView))
    }

    /// A call of the control API (`/_sandbox…`) with a JSON body.
    func control(_ method: HTTPMethod, _ path: String, json: String = "") async -> Answer {
        await send(method, "/_sandbox" + path, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    /// A call of Discord's API (`/api/v10…`) as the bot, with a JSON body if one is given.
    func bot(_ method: HTTPMethod, _ path: String, json: String? = nil) async -> Answer {
        let contentType = json == nil ? [] : [("Content-Type", "application/json")]
        return await send(method, "/api/v10" + path, headers: Self.botHeaders + contentType, body: Array((json ?? "").utf8))
    }

    /// A call of the OpenAI-compatible backend (`/openai/v1…`) with a JSON body and the chat API key (or `key`).
    func openAI(_ path: String, json: String, key: String? = SandboxDefaults.chatAPIKey) async -> Answer {
        let authorization = key.map { [("Authorization", "Bearer \($0)")] } ?? []
        return await send(
            .POST, "/openai/v1" + path, headers: authorization + [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    /// A message with one file `name` holding `content`, posted as the bot.
    func postFile(_ name: String, content: String, channel: String = channelID) async -> Answer {
        let boundary = "sandbox-test-boundary"
        let body = """
            --\(boundary)\r
            Content-Disposition: form-data; name="files[0]"; filename="\(name)"\r
            Content-Type: application/octet-stream\r
            \r
            \(content)\r
            --\(boundary)\r
            Content-Disposition: form-data; name="payload_json"\r
            \r
            {"content":"","attachments":[{"id":0,"filename":"\(name)"}]}\r
            --\(boundary)--\r

            """
        return await send(
            .POST, "/api/v10/channels/\(channel)/messages",
            headers: Self.botHeaders + [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: Array(body.utf8))
    }
}
