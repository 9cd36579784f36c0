import DiscordKit
/// What a gateway close code means for the client (docs: `topics/opcodes-and-status-codes` "Gateway Close Event Codes").
public enum GatewayCloseDecision: Sendable, Equatable {
    /// Reconnect and RESUME the session.
    case resume
    /// Reconnect and IDENTIFY anew: the session is gone.
    case identify
    /// Do not reconnect: only a configuration change can help.
    case stop(GatewayFatalError)
}

/// Close codes after which reconnecting is pointless; each message tells the operator what to change.
public enum GatewayFatalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 4004.
    case authenticationFailed
    /// 4014: `requested` are the privileged intents the bot asked for; `disabled`, when known, those the
    /// Developer Portal has switched off.
    case disallowedIntents(requested: GatewayIntents, disabled: GatewayIntents?)
    /// 4010, 4011, 4012, 4013.
    case refused(code: UInt16, reason: String)

    public var description: String {
        switch self {
        case .authenticationFailed:
            return "Discord closed the gateway with 4004 (Authentication failed): the bot token is invalid. "
                + "Copy a new one from the Developer Portal (Bot → Reset Token) into DISCORD_BOT_TOKEN."
        case .disallowedIntents(let requested, let disabled):
            let missing = (disabled ?? requested).intersection(.privileged)
            return "Discord closed the gateway with 4014 (Disallowed intents): enable "
                + missing.portalLabels.joined(separator: " and ")
                + " in the Developer Portal (your application → Bot → Privileged Gateway Intents), "
                + "or remove \(missing.names.count == 1 ? "it" : "them") from DISCORD_GATEWAY_INTENTS."
        case .refused(let code, let reason):
            return "Discord closed the gateway with \(code) (\(reason)); reconnecting cannot help."
        }
    }
}

public enum GatewayCloseCode {
    /// What to do after the server closed with `code`, or dropped the connection (nil).
    public static func decision(for code: UInt16?, intents: GatewayIntents) -> GatewayCloseDecision {
        switch code {
        case 4004: return .stop(.authenticationFailed)
        case 4007, 4009: return .identify
        case 4010: return .stop(.refused(code: 4010, reason: "Invalid shard"))
        case 4011: return .stop(.refused(code: 4011, reason: "Sharding required"))
        case 4012: return .stop(.refused(code: 4012, reason: "Invalid API version"))
        case 4013: return .stop(.refused(code: 4013, reason: "Invalid intent(s): check DISCORD_GATEWAY_INTENTS"))
        case 4014: return .stop(.disallowedIntents(requested: intents.intersection(.privileged), disabled: nil))
        default: return .resume
        }
    }
}
