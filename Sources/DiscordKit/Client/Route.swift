/// The HTTP methods Discord's REST API uses.
public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
}

/// One Discord REST call: a method and a path below the API base (`/channels/123/messages`).
///
/// The rate-limit identity is derived from the path: snowflake ids become `{id}` (and webhook or
/// interaction tokens `{token}`) in ``bucketRoute``, and the top-level resource (channel, guild, webhook
/// id + token) is the major parameter, so `/channels/1/messages` and `/channels/2/messages` are limited
/// separately, as Discord does. ``description`` is the template: safe to log, it never holds a token.
public struct Route: Sendable, Equatable, CustomStringConvertible {
    public let method: HTTPMethod
    /// The path with its query, already percent-encoded where needed, starting with `/`.
    public let path: String
    /// `METHOD /template`, the rate-limit route key.
    public let bucketRoute: String
    /// `channels/123`, `guilds/9`, `webhooks/5/<token>`, or empty.
    public let majorParameter: String

    public init(_ method: HTTPMethod, _ path: String) {
        self.method = method
        self.path = path.hasPrefix("/") ? path : "/" + path
        let pathOnly = self.path.prefix { $0 != "?" }
        let segments = pathOnly.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let top = segments.first ?? ""
        let hasToken = top == "webhooks" || top == "interactions"
        var template: [String] = []
        for (index, segment) in segments.enumerated() {
            if Self.isSnowflake(segment) {
                template.append("{id}")
            } else if hasToken, index == 2, !segment.isEmpty {
                template.append("{token}")
            } else {
                template.append(segment)
            }
        }
        bucketRoute = method.rawValue + " /" + template.joined(separator: "/")
        if (top == "channels" || top == "guilds"), segments.count > 1, Self.isSnowflake(segments[1]) {
            majorParameter = top + "/" + segments[1]
        } else if top == "webhooks", segments.count > 1 {
            majorParameter = segments.prefix(3).joined(separator: "/")
        } else {
            majorParameter = ""
        }
    }

    public var description: String { bucketRoute }

    private static func isSnowflake(_ segment: String) -> Bool {
        !segment.isEmpty && segment.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
