import DiscordKit
import JSONSupport

/// Gateway opcodes (docs: `topics/opcodes-and-status-codes` "Gateway Opcodes").
public enum GatewayOpcode: Int, Sendable {
    case dispatch = 0
    case heartbeat = 1
    case identify = 2
    case presenceUpdate = 3
    case resume = 6
    case reconnect = 7
    case requestGuildMembers = 8
    case invalidSession = 9
    case hello = 10
    case heartbeatAck = 11
}

/// One gateway message: `{"op", "d", "s", "t"}`; `s` and `t` only on dispatches.
public struct GatewayPayload: Sendable, Equatable {
    public let opcode: GatewayOpcode
    public let data: JSON
    public let sequence: Int?
    public let event: String?

    public init(opcode: GatewayOpcode, data: JSON, sequence: Int? = nil, event: String? = nil) {
        self.opcode = opcode
        self.data = data
        self.sequence = sequence
        self.event = event
    }

    /// Decodes a text frame; nil for anything that is not a gateway payload with a known opcode.
    public init?(text: String) {
        guard case .object(let members)? = JSON.parse(Array(text.utf8)) else { return nil }
        var opcode: GatewayOpcode?
        var data: JSON = .null
        var sequence: Int?
        var event: String?
        for (key, value) in members {
            switch key {
            case "op": opcode = value.integer.flatMap(GatewayOpcode.init(rawValue:))
            case "d": data = value
            case "s": sequence = value.integer
            case "t": event = value.string
            default: continue
            }
        }
        guard let opcode else { return nil }
        self.init(opcode: opcode, data: data, sequence: sequence, event: event)
    }

    /// The frame text to send.
    public var text: String {
        var members: [(String, JSON)] = [("op", .int(opcode.rawValue)), ("d", data)]
        if opcode == .dispatch {
            members.append(("s", sequence.map(JSON.int) ?? .null))
            members.append(("t", event.json))
        }
        return JSON.object(members).serialized
    }
}

extension GatewayPayload {
    public static func heartbeat(lastSequence: Int?) -> GatewayPayload {
        GatewayPayload(opcode: .heartbeat, data: lastSequence.map(JSON.int) ?? .null)
    }

    /// IDENTIFY (docs: `events/gateway-events` "Identify"): the token goes without its `Bot ` prefix.
    public static func identify(token: String, intents: GatewayIntents, shard: GatewayShard? = nil, largeThreshold: Int = 250)
        -> GatewayPayload
    {
        var data: [(String, JSON)] = [
            ("token", .string(token)),
            ("intents", .int(Int(intents.rawValue))),
            ("properties", ["os": "linux", "browser": "guildgate", "device": "guildgate"]),
            ("compress", false),
            ("large_threshold", .int(largeThreshold)),
        ]
        if let shard { data.append(("shard", [.int(shard.id), .int(shard.count)])) }
        return GatewayPayload(opcode: .identify, data: .object(data))
    }

    public static func resume(token: String, sessionID: String, sequence: Int?) -> GatewayPayload {
        GatewayPayload(
            opcode: .resume,
            data: [
                "token": .string(token), "session_id": .string(sessionID), "seq": sequence.map(JSON.int) ?? .null,
            ])
    }

    /// Request Guild Members for the whole guild with presences (docs: `events/gateway-events` "Request Guild Members").
    public static func requestAllMembers(guildID: String, nonce: String) -> GatewayPayload {
        GatewayPayload(
            opcode: .requestGuildMembers,
            data: [
                "guild_id": .string(guildID), "query": "", "limit": 0, "presences": true, "nonce": .string(nonce),
            ])
    }
}
