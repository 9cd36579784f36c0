@testable import DiscordSandbox
import Foundation
import JSONSupport
import NIOCore
import NIOHTTP1

/// The guild of the in-process sandbox as the role and member tests arrange it.
extension InProcessSandbox {
    static let botRoleID = "300000000000000004"
    static let ownerID = "300000000000000002"
    /// VIEW_CHANNEL, SEND_MESSAGES, ATTACH_FILES, READ_MESSAGE_HISTORY, MANAGE_NICKNAMES and MANAGE_ROLES.
    static let syncPermissions = "402754560"
    static let guildPath = "/guilds/\(guildID)"

    /// Gives the bot's role `permissions` (by default what role and nickname sync need).
    func setBotRole(permissions: String = syncPermissions) async {
        _ = await control(.PUT, "/guild/bot-role", json: #"{"permissions":"\#(permissions)"}"#)
    }

    /// Creates a role through the control API and returns its id.
    func createRole(_ name: String, position: Int = 1, extra: String = "") async -> String {
        let created = await control(.POST, "/guild/roles", json: #"{"name":"\#(name)","position":\#(position)\#(extra)}"#)
        return created.json?["id"]?.string ?? "no role: \(created.text)"
    }

    /// Adds a member (`username` on Discord) with these roles.
    func addMember(_ id: String, username: String, roles: [String] = []) async {
        let roleList = roles.map { #""\#($0)""# }.joined(separator: ",")
        _ = await control(
            .POST, "/guild/members", json: #"{"members":[{"id":"\#(id)","username":"\#(username)","roles":[\#(roleList)]}]}"#)
    }

    /// What `GET /_sandbox/members/{id}/changes` lists.
    func changes(of id: String) async -> [JSON] {
        await control(.GET, "/members/\(id)/changes").json?["changes"]?.array ?? []
    }

    /// A call of Discord's API as the bot with more headers (`X-Audit-Log-Reason`).
    func bot(_ method: NIOHTTP1.HTTPMethod, _ path: String, headers: [(String, String)], json: String? = nil) async -> Answer {
        let contentType = json == nil ? [] : [("Content-Type", "application/json")]
        return await send(method, "/api/v10" + path, headers: Self.botHeaders + contentType + headers, body: Array((json ?? "").utf8))
    }
}

/// A gateway session on the in-process sandbox, without a socket: identified with `intents` on a connection
/// whose frames are kept until `dispatches()` ends it.
struct InProcessGatewaySession {
    private let link: GatewayLink
    private let frames: AsyncStream<GatewayLink.Output>

    init(_ sandbox: InProcessSandbox, intents: Int) throws {
        let identify = try JSONDecoder().decode(Identify.self, from: Data(#"{"token":"sandbox-bot-token","intents":\#(intents)}"#.utf8))
        let (frames, outputs) = AsyncStream<GatewayLink.Output>.makeStream()
        let configuration = sandbox.responder.configuration
        link = try sandbox.responder.state.withLock { parts throws(GatewayCloseCode) in
            let link = parts.gateway.connect(endpoint: .gateway, outputs: outputs)
            _ = try parts.gateway.identify(identify, on: link, currentSessionID: nil, configuration: configuration, now: .now)
            return link
        }
        self.frames = frames
    }

    /// Closes the connection and returns the dispatches it got, in order: `t` and `d`.
    func dispatches() async -> [(name: String, data: JSON)] {
        link.finish()
        var dispatches: [(name: String, data: JSON)] = []
        for await output in frames {
            guard case .payloads(let payloads) = output else { continue }
            for payload in payloads {
                guard let frame = JSON.parse(Array(payload.readableBytesView)), let name = frame["t"]?.string else { continue }
                dispatches.append((name, frame["d"] ?? .null))
            }
        }
        return dispatches
    }
}
