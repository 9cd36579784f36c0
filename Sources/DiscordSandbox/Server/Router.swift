import Logging
import NIOHTTP1
import WireFormats

/// The URL prefix a request arrived under. Discord serves some routes under several of them
/// (`/oauth2/authorize`, `/api/oauth2/authorize`, `/api/v10/oauth2/authorize`).
enum Mount: Sendable, Hashable {
    /// Browser-facing pages on discord.com, outside `/api`.
    case site
    /// `/api/...` without a version.
    case api
    /// `/api/v10/...`.
    case apiV10
    /// `/_sandbox/...`, the sandbox's own control API.
    case control
    /// `/openai/...`, the OpenAI-compatible chat backend the product talks to instead of a model provider.
    case openAI

    /// Splits a decoded path into its mount and the route path below it.
    static func split(_ path: String) -> (mount: Mount, routePath: Substring) {
        for (prefix, mount) in [("/_sandbox", Mount.control), ("/api/v10", .apiV10), ("/api", .api), ("/openai", .openAI)] {
            if path == prefix { return (mount, "/") }
            if path.hasPrefix(prefix + "/") { return (mount, path.dropFirst(prefix.count)) }
        }
        return (.site, path[...])
    }

    var isDiscordAPI: Bool { self == .api || self == .apiV10 }
}

/// A path pattern such as `/channels/{channel.id}/messages`; `{name}` matches one segment.
struct PathTemplate: Sendable, CustomStringConvertible {
    private enum Segment: Sendable {
        case literal(Substring)
        case parameter(String)
    }

    let description: String
    private let segments: [Segment]

    init(_ template: String) {
        description = template
        segments = template.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}")
                ? .parameter(String(segment.dropFirst().dropLast())) : .literal(segment)
        }
    }

    /// The parameters captured from `path`, or `nil` when it does not match.
    func match(_ path: Substring) -> [String: String]? {
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard pathSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = String(value)
            }
        }
        return parameters
    }
}

/// Everything a handler can reach.
struct RequestContext: Sendable {
    let request: SandboxRequest
    let parameters: [String: String]
    let state: SandboxState
    let configuration: SandboxConfiguration
    let logger: Logger
}

struct Route: Sendable {
    typealias Handler = @Sendable (RequestContext) async throws -> SandboxResponse

    /// Request bodies up to this size are read; larger ones are answered 413 without reaching the handler.
    static let defaultMaxBodySize = 8 * 1024 * 1024

    let method: HTTPMethod
    let template: PathTemplate
    let mounts: Set<Mount>
    /// The rate-limit bucket this route counts against; `nil` for routes Discord does not limit this way.
    let rateLimitBucket: String?
    /// The bucket's limit until the control API changes it; `nil` for the limiter's default.
    let rateLimit: RateLimit?
    let maxBodySize: Int
    /// Browser pages are exempt from the bot `User-Agent` check.
    let isBrowserPage: Bool
    let handler: Handler

    /// `GET /users/@me`: how routes are named in the control API and the request log.
    var name: String { "\(method.rawValue) \(template)" }

    /// A Discord REST route under `/api/v10`, in its own rate-limit bucket unless `sharedBucket` names one.
    static func discord(
        _ method: HTTPMethod,
        _ path: String,
        alsoUnversioned: Bool = false,
        sharedBucket: String? = nil,
        rateLimit: RateLimit? = nil,
        maxBodySize: Int = Route.defaultMaxBodySize,
        handler: @escaping Handler
    ) -> Route {
        Route(
            method: method,
            template: PathTemplate(path),
            mounts: alsoUnversioned ? [.apiV10, .api] : [.apiV10],
            rateLimitBucket: sharedBucket ?? "\(method.rawValue) \(path)",
            rateLimit: rateLimit,
            maxBodySize: maxBodySize,
            isBrowserPage: false,
            handler: handler
        )
    }

    /// A file on the CDN host, at the site root: no `User-Agent` check, no rate limits.
    static func cdn(_ method: HTTPMethod, _ path: String, handler: @escaping Handler) -> Route {
        Route(
            method: method,
            template: PathTemplate(path),
            mounts: [.site],
            rateLimitBucket: nil,
            rateLimit: nil,
            maxBodySize: defaultMaxBodySize,
            isBrowserPage: false,
            handler: handler
        )
    }

    /// A page a browser is sent to, served at the site root and under `/api` and `/api/v10`.
    static func browserPage(_ method: HTTPMethod, _ path: String, handler: @escaping Handler) -> Route {
        Route(
            method: method,
            template: PathTemplate(path),
            mounts: [.site, .api, .apiV10],
            rateLimitBucket: nil,
            rateLimit: nil,
            maxBodySize: defaultMaxBodySize,
            isBrowserPage: true,
            handler: handler
        )
    }

    /// A route of the OpenAI-compatible chat backend under `/openai`: no `User-Agent` check, no rate limits;
    /// faults and the request log apply as to Discord's routes.
    static func openAI(_ method: HTTPMethod, _ path: String, handler: @escaping Handler) -> Route {
        Route(
            method: method,
            template: PathTemplate(path),
            mounts: [.openAI],
            rateLimitBucket: nil,
            rateLimit: nil,
            maxBodySize: defaultMaxBodySize,
            isBrowserPage: false,
            handler: handler
        )
    }

    /// A control-API route under `/_sandbox`.
    static func control(_ method: HTTPMethod, _ path: String, handler: @escaping Handler) -> Route {
        Route(
            method: method,
            template: PathTemplate(path),
            mounts: [.control],
            rateLimitBucket: nil,
            rateLimit: nil,
            maxBodySize: defaultMaxBodySize,
            isBrowserPage: false,
            handler: handler
        )
    }
}

struct Router: Sendable {
    enum Match {
        case route(Route, parameters: [String: String])
        case methodNotAllowed
        case notFound
    }

    let routes: [Route]

    /// How large a body the request's route takes; unknown routes get the default.
    func maxBodySize(for head: HTTPRequestHead) -> Int {
        let target = head.uri.prefix { $0 != "?" }
        guard let path = PercentDecoding.decode(target, plusAsSpace: false) else { return Route.defaultMaxBodySize }
        let (mount, routePath) = Mount.split(path)
        return match(method: head.method, mount: mount, routePath: routePath).route?.maxBodySize ?? Route.defaultMaxBodySize
    }

    func match(method: HTTPMethod, mount: Mount, routePath: Substring) -> Match {
        var pathMatched = false
        for route in routes where route.mounts.contains(mount) {
            guard let parameters = route.template.match(routePath) else { continue }
            if route.method == method { return .route(route, parameters: parameters) }
            pathMatched = true
        }
        return pathMatched ? .methodNotAllowed : .notFound
    }
}
