import JSONSupport
import NIOCore

/// The payloads the sandbox writes that are not dispatches: HELLO, heartbeat ACK, RECONNECT, INVALID SESSION,
/// and the heartbeat request (op 1), which the client must answer with a heartbeat at once.
enum GatewayFrame {
    static func hello(heartbeatIntervalMilliseconds: Int) -> ByteBuffer {
        payload(.hello, ["heartbeat_interval": .int(heartbeatIntervalMilliseconds)])
    }

    static let heartbeatACK = payload(.heartbeatACK, .null)
    static let heartbeatRequest = payload(.heartbeat, .null)
    static let reconnect = payload(.reconnect, .null)

    /// `d` says whether the session may be resumed.
    static func invalidSession(resumable: Bool) -> ByteBuffer {
        payload(.invalidSession, .bool(resumable))
    }

    private static func payload(_ opcode: GatewayOpcode, _ data: JSON) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(JSON.object([("op", .int(opcode.rawValue)), ("d", data), ("s", .null), ("t", .null)]).text)
        return buffer
    }
}

/// A dispatch (op 0) before a session gives it a sequence number: its name and its `d`, encoded once
/// however many sessions receive it.
struct GatewayEvent: Sendable {
    /// The intent a session needs to receive it; empty for events every session gets.
    let requiredIntent: GatewayIntents
    /// Sessions with any of these intents do not receive it (they get another version of the event).
    let excludedIntent: GatewayIntents
    /// Events about the sandbox guild go only to sessions whose shard holds the guild.
    let isAboutGuild: Bool
    /// Events without a guild (DMs) go only to shard 0 (docs: `events/gateway` "Sharding").
    let isDirect: Bool
    /// The frame's text around the sequence number: `{"op":0,"d":...,"s":` and `,"t":"NAME"}`.
    private let head: String
    private let tail: String

    init(
        _ name: String,
        _ data: JSON,
        requires requiredIntent: GatewayIntents = [],
        excluding excludedIntent: GatewayIntents = [],
        isAboutGuild: Bool = true,
        isDirect: Bool = false
    ) {
        self.requiredIntent = requiredIntent
        self.excludedIntent = excludedIntent
        self.isAboutGuild = isAboutGuild
        self.isDirect = isDirect
        head = #"{"op":0,"d":"# + data.text + #","s":"#
        tail = #","t":"# + JSON.string(name).text + "}"
    }

    /// `{"op":0,"d":...,"s":N,"t":"NAME"}`.
    func frame(sequence: Int) -> ByteBuffer {
        ByteBuffer(string: head + String(sequence) + tail)
    }
}
