/// Why a call to the chat backend failed. Descriptions name the setting to check and never contain the
/// API key.
public enum ChatModelError: Error, Equatable, CustomStringConvertible {
    /// No connection could be made, or it broke before the answer was complete (the reason says which).
    case unreachable(String)
    /// No complete answer within `seconds`.
    case timedOut(seconds: Double)
    /// 401 or 403: the backend refused the key (or needs one and none is set).
    case rejectedKey
    /// 429: too many requests; `retryAfter` is the backend's `Retry-After` in seconds, when it sent one.
    case rateLimited(retryAfter: Double?)
    /// Any other non-2xx answer, with the backend's error message (at most 300 characters; empty when the
    /// body was not a JSON error).
    case failed(status: Int, message: String)
    /// A 2xx answer that is not what the endpoint returns (not JSON, no text, no image, ...).
    case invalidResponse(String)

    /// Whether the same request may succeed later: the backend was down, slow, busy or failing.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .timedOut, .rateLimited: return true
        case .failed(let status, _): return status >= 500 || status == 408
        case .rejectedKey, .invalidResponse: return false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let reason):
            return "The chat backend could not be reached (\(reason)). "
                + "Check CHAT_API_BASE and that the server is reachable from this machine."
        case .timedOut(let seconds):
            return "The chat backend did not answer within \(Self.format(seconds)) s. "
                + "Raise CHAT_TIMEOUT_SECONDS or choose a faster CHAT_MODEL."
        case .rejectedKey:
            return "The chat backend refused CHAT_API_KEY (HTTP 401/403): "
                + "check that it is set, valid, and allowed to use the configured models."
        case .rateLimited(let retryAfter):
            let wait = retryAfter.map { "try again in \(Self.format($0)) s" } ?? "try again later"
            return "The chat backend is rate limiting this key (HTTP 429): \(wait), or raise the account's limits."
        case .failed(let status, let message):
            var text = "The chat backend answered HTTP \(status)"
            text += message.isEmpty ? " without an error message." : ": \(message)"
            if let hint = Self.hint(status: status) { text += (text.hasSuffix(".") ? " " : ". ") + hint }
            return text
        case .invalidResponse(let reason):
            return "The chat backend's answer is not usable: \(reason). Check that CHAT_API_BASE points at an OpenAI-compatible API."
        }
    }

    private static func hint(status: Int) -> String? {
        switch status {
        case 300..<400:
            return "CHAT_API_BASE redirects elsewhere (http instead of https?): set it to the final address."
        case 404:
            return "Check CHAT_API_BASE (OpenAI-compatible servers serve under /v1) and that the model named in CHAT_MODEL exists there."
        case 400, 422:
            return "Check CHAT_MODEL (and CHAT_VOICE_MODEL, CHAT_VOICE_NAME, CHAT_IMAGE_MODEL for speech and images)."
        case 500...:
            return "The backend failed; try again later."
        default:
            return nil
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String((seconds * 10).rounded() / 10)
    }
}
