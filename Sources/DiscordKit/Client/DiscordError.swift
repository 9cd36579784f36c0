import CurlHTTP
import JSONSupport
/// Why a Discord REST call failed.
public enum DiscordError: Error, CustomStringConvertible {
    /// A setting the call needs is missing (the message names it).
    case notConfigured(String)
    /// Discord answered with an error status. `code` is Discord's JSON error code (0 when the body had none,
    /// e.g. an HTML page from a proxy); `message` includes the per-field errors of a 50035 "Invalid Form Body".
    case api(status: Int, code: Int, message: String)
    /// Discord asks to wait `retryAfter` (longer than the limiter's maximum wait, or 429s kept coming).
    /// `global` = the bot token's global limit, every route is paused.
    case rateLimited(retryAfter: Duration, global: Bool)
    /// A 429 without Discord's rate-limit headers: Cloudflare is blocking this IP for too many invalid
    /// requests. Nothing is sent for `retryAfter`.
    case cloudflareBan(retryAfter: Duration)
    /// No response: connection, timeout, size limit.
    case transport(HTTPClientError)
    /// The request could not be built (e.g. a body that does not encode to JSON).
    case invalidRequest(String)
    /// A successful status with a body that is not what the route returns.
    case invalidResponse(status: Int, reason: String)

    public var description: String {
        switch self {
        case .notConfigured(let what):
            return "Discord is not configured: \(what)."
        case .api(let status, let code, let message):
            var text = "Discord answered \(status)"
            if code != 0 { text += " (code \(code))" }
            text += ": \(message)"
            if let hint = Self.hint(status: status, code: code) { text += ". " + hint }
            return text
        case .rateLimited(let retryAfter, let global):
            let scope = global ? "The bot's global rate limit" : "This route's rate limit"
            return "\(scope) is exhausted; try again in \(Self.format(retryAfter)) s."
        case .cloudflareBan(let retryAfter):
            return "Discord's Cloudflare front is blocking this server's IP (too many invalid requests); "
                + "requests are paused for \(Self.format(retryAfter)) s. Look for a loop of failing 401/403/429 calls in the logs."
        case .transport(let error):
            return "Discord could not be reached: \(error.description)"
        case .invalidRequest(let reason):
            return "The Discord request is invalid: \(reason)."
        case .invalidResponse(let status, let reason):
            return "Discord answered \(status) with an unexpected body: \(reason)."
        }
    }

    /// What to do about the errors an operator can fix.
    static func hint(status: Int, code: Int) -> String? {
        switch (status, code) {
        case (401, _), (_, 40001):
            return "The token was refused: check DISCORD_BOT_TOKEN (or that the user's authorization was not revoked)"
        case (_, 40333):
            return "Cloudflare blocked the request: the User-Agent must look like \"DiscordBot (url, version)\""
        case (_, 50013):
            return "Give the bot the missing permission and move its role above the roles and members it manages"
        case (_, 50001):
            return "The bot cannot see that channel or guild: check its channel permissions and that it is in the guild"
        case (_, 10011):
            return "The role was deleted on Discord: import the guild's roles again"
        case (_, 10003), (_, 10004):
            return "Check the configured channel or guild id (DISCORD_STORAGE_CHANNEL_IDS, DISCORD_GUILD_ID)"
        default:
            return nil
        }
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds >= 10 ? String(Int(seconds.rounded(.up))) : String((seconds * 100).rounded(.up) / 100)
    }

    /// The error of a non-2xx response, from Discord's `{"code", "message", "errors"}` body when it has one.
    static func from(_ response: HTTPResponse) -> DiscordError {
        let json = JSON.parse(response.body)
        guard let object = json?.object else {
            return .api(status: response.status, code: 0, message: "HTTP \(response.status) without a Discord error body")
        }
        let code = object["code"]?.integer ?? 0
        var message =
            object["message"]?.string ?? object["error_description"]?.string ?? object["error"]?.string
            ?? "HTTP \(response.status)"
        if let errors = object["errors"] {
            let fields = fieldErrors(errors, path: "")
            if !fields.isEmpty { message += " (" + fields.prefix(5).joined(separator: "; ") + ")" }
        }
        return .api(status: response.status, code: code, message: message)
    }

    /// Flattens `{"content": {"_errors": [{"message": "..."}]}, "embeds": {"0": {...}}}` into
    /// `content: ...`, `embeds.0.title: ...`.
    private static func fieldErrors(_ value: JSON, path: String) -> [String] {
        guard let object = value.object else { return [] }
        var lines: [String] = []
        if case .array(let errors)? = object["_errors"] {
            for error in errors {
                let text = error["message"]?.string ?? error["code"]?.string ?? "invalid"
                lines.append(path.isEmpty ? text : "\(path): \(text)")
            }
        }
        for key in object.keys.sorted() where key != "_errors" {
            lines += fieldErrors(object[key]!, path: path.isEmpty ? key : path + "." + key)
        }
        return lines
    }
}
