/// Produces the response to one request.
public typealias Handler = (Request, RequestContext) throws -> Response

/// Routes `METHOD /path/{param}` patterns to handlers, each with its declared protection: who may call it
/// and, when it changes state, how a cookie-authenticated browser proves it meant to (CSRF).
public struct Router: Sendable {
    /// A registered route as the route table shows it.
    public struct Route: @unchecked Sendable {
        public let method: String
        public let pattern: String
        public let access: RouteAccess
        /// nil for GET: reading changes nothing.
        public let csrf: CSRFCheck?
        fileprivate let segments: [Segment]
        let handler: Handler
    }

    fileprivate enum Segment: Equatable {
        case literal(String)
        case parameter(String)
    }

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func get(_ pattern: String, _ access: RouteAccess, _ handler: @escaping Handler) {
        add("GET", pattern, access, csrf: nil, handler)
    }

    public mutating func post(_ pattern: String, _ access: RouteAccess, csrf: CSRFCheck, _ handler: @escaping Handler) {
        add("POST", pattern, access, csrf: csrf, handler)
    }

    public mutating func put(_ pattern: String, _ access: RouteAccess, csrf: CSRFCheck, _ handler: @escaping Handler) {
        add("PUT", pattern, access, csrf: csrf, handler)
    }

    public mutating func delete(_ pattern: String, _ access: RouteAccess, csrf: CSRFCheck, _ handler: @escaping Handler) {
        add("DELETE", pattern, access, csrf: csrf, handler)
    }

    private mutating func add(_ method: String, _ pattern: String, _ access: RouteAccess, csrf: CSRFCheck?, _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, access: access, csrf: csrf, segments: segments, handler: handler))
    }

    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Finds the route; HEAD falls back to GET.
    public func match(method: String, segments: [String]) -> Match {
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: segments) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, parameters: parameters)
            }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ pattern: [Segment], to segments: [String]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (part, segment) in zip(pattern, segments) {
            switch part {
            case .literal(let literal): guard literal == segment else { return nil }
            case .parameter(let name): parameters[name] = segment
            }
        }
        return parameters
    }
}
