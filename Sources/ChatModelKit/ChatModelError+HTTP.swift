import CurlHTTP
import JSONSupport

extension ChatModelError {
    /// How long an error message from the backend may be, in characters.
    static let messageLength = 300

    /// The error of a transport failure (no HTTP answer).
    init(_ error: HTTPClientError) {
        switch error {
        case .timedOut(_, let seconds, _):
            self = .timedOut(seconds: seconds)
        case .connectionFailed(let host, let reason):
            self = .unreachable("no connection to \(host): \(reason)")
        case .connectionLost(let host, let reason):
            self = .unreachable("the connection to \(host) broke: \(reason)")
        case .invalidRequest(let reason):
            self = .unreachable("the request could not be built: \(reason)")
        case .unavailable(let reason):
            self = .unreachable("the HTTP client is unavailable: \(reason)")
        case .transferFailed(let code, let reason):
            self = .unreachable("curl error \(code): \(reason)")
        case .responseTooLarge(let limit):
            self = .invalidResponse("the answer is larger than the \(limit)-byte limit")
        }
    }

    /// The error of a non-2xx answer. A 429 for an exhausted quota is `failed`: waiting does not help.
    static func from(_ response: HTTPResponse, redacting key: String?) -> ChatModelError {
        let json = JSON.parse(response.body)
        switch response.status {
        case 401, 403:
            return .rejectedKey
        case 429 where json?["error"]?["code"]?.string != "insufficient_quota":
            return .rateLimited(retryAfter: retryAfter(response.headers["Retry-After"]))
        default:
            return .failed(status: response.status, message: json.flatMap { message(in: $0, redacting: key) } ?? "")
        }
    }

    /// The message of an error body: OpenAI's `{"error": {"message"}}`, `{"error": "..."}`, or vLLM's
    /// top-level `{"message"}`; on one line, cut to ``messageLength`` characters, the key masked should the
    /// backend echo it.
    static func message(in json: JSON, redacting key: String?) -> String? {
        guard let found = json["error"]?["message"]?.string ?? json["error"]?.string ?? json["message"]?.string else { return nil }
        var text = found.split(whereSeparator: \.isNewline).joined(separator: " ")
        if let key, !key.isEmpty { text = text.replacing(key, with: "[CHAT_API_KEY]") }
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return nil
        }
        let trimmed = text[first...last]
        return trimmed.count > messageLength ? String(trimmed.prefix(messageLength - 1)) + "…" : String(trimmed)
    }

    /// `Retry-After` in seconds (its HTTP-date form is not used by these APIs and is ignored).
    private static func retryAfter(_ header: String?) -> Double? {
        guard let header, let seconds = Double(header), (0...86_400).contains(seconds) else { return nil }
        return seconds
    }
}
