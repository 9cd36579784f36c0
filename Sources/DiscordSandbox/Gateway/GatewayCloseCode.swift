/// Why the sandbox ends a gateway connection: Discord's close event codes (docs: `topics/opcodes-and-status-codes` "Gateway Close Event Codes").
/// Only the codes the sandbox sends by itself are here; `POST /_sandbox/gateway/drop` can send any code.
enum GatewayCloseCode: UInt16, Error, Sendable {
    case unknownError = 4000
    case unknownOpcode = 4001
    case decodeError = 4002
    case notAuthenticated = 4003
    case authenticationFailed = 4004
    case alreadyAuthenticated = 4005
    case invalidSequence = 4007
    case rateLimited = 4008
    case invalidShard = 4010
    case shardingRequired = 4011
    case invalidAPIVersion = 4012
    case invalidIntents = 4013
    case disallowedIntents = 4014

    /// The close frame's reason text, worded like Discord's.
    var reason: String {
        switch self {
        case .unknownError: "Unknown error."
        case .unknownOpcode: "Unknown opcode."
        case .decodeError: "Decode error."
        case .notAuthenticated: "Not authenticated."
        case .authenticationFailed: "Authentication failed."
        case .alreadyAuthenticated: "Already authenticated."
        case .invalidSequence: "Invalid seq."
        case .rateLimited: "Rate limited."
        case .invalidShard: "Invalid shard."
        case .shardingRequired: "Sharding required."
        case .invalidAPIVersion: "Invalid API version."
        case .invalidIntents: "Invalid intent(s)."
        case .disallowedIntents: "Disallowed intent(s)."
        }
    }
}
