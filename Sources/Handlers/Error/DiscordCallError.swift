import DiscordKit

/// A call to Discord an admin action needed failed: what was being done, and Discord's reason with its
/// hint (an admin may read them; they carry no secret). 503 with `Retry-After` when Discord asks to wait
/// or cannot be reached, 502 when it refused.
public struct DiscordCallError: HTTPResponseError {
    /// What the call was for: "read the server's roles".
    public let action: String
    public let error: DiscordError

    public init(_ action: String, _ error: DiscordError) {
        self.action = action
        self.error = error
    }

    public var status: HTTPStatus {
        switch error {
        case .rateLimited, .cloudflareBan, .transport: return .serviceUnavailable
        default: return .badGateway
        }
    }

    public var code: String { "discord_failed" }

    public var publicMessage: String { "Could not \(action): \(error.description)" }

    public var headers: [(String, String)] {
        switch error {
        case .rateLimited(let retryAfter, _), .cloudflareBan(let retryAfter):
            return [("Retry-After", String(max(1, Int(retryAfter.components.seconds) + 1)))]
        default:
            return []
        }
    }
}
