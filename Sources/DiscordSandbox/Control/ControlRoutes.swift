import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The sandbox's own API under `/_sandbox`: JSON in and out, no authentication (it listens on loopback).
enum ControlRoutes {
    static var routes: [Route] {
        [
            .control(.GET, "/health") { _ in .json(["ok": true]) },
            .control(.POST, "/reset") { context in
                context.state.reset()
                context.logger.info("sandbox reset")
                return .json(["ok": true])
            },
            .control(.GET, "/oauth/user") { context in
                .json(context.state.withLock { $0.oauth.user }.json(includeEmail: true))
            },
            .control(.PUT, "/oauth/user") { context in
                let user = try context.decodeBody(SandboxUser.self)
                context.state.withLock { $0.oauth.user = user }
                return .json(user.json(includeEmail: true))
            },
            .control(.PUT, "/oauth/mode") { context in
                let mode = try context.decodeBody(ModeSetting.self).mode
                context.state.withLock { $0.oauth.consent = mode }
                return .json(["mode": .string(mode.rawValue)])
            },
            .control(.PUT, "/oauth/code-ttl") { context in
                let setting = try context.decodeBody(CodeLifetimeSetting.self)
                context.state.withLock { $0.oauth.codeLifetime = .milliseconds(setting.milliseconds) }
                return .json(["seconds": .seconds(milliseconds: setting.milliseconds)])
            },
            .control(.GET, "/faults") { context in
                .json(faultsJSON(context.state.withLock { $0.faults.faults }))
            },
            .control(.POST, "/faults") { context in
                let fault = try context.decodeBody(Fault.self)
                let faults = context.state.withLock { parts in
                    parts.faults.arm(fault)
                    return parts.faults.faults
                }
                return .json(faultsJSON(faults))
            },
            .control(.DELETE, "/faults") { context in
                context.state.withLock { $0.faults.removeAll() }
                return .json(faultsJSON([]))
            },
            .control(.GET, "/ratelimits") { context in
                .json(context.state.withLock { rateLimitsJSON($0) })
            },
            .control(.PUT, "/ratelimits", handler: setRateLimits),
            .control(.GET, "/requests") { context in
                .json(context.state.withLock { $0.requestLog.json })
            },
            .control(.DELETE, "/requests") { context in
                context.state.withLock { $0.requestLog = RequestLog() }
                return .json(["ok": true])
            },
        ]
    }

    /// `{"route": "GET /users/@me", "limit": N, "window_ms": M}` and/or `{"global_per_second": N}` and/or
    /// `{"enabled": false}` (no limits at all, and no `X-RateLimit-*` headers, until switched on again).
    @Sendable
    static func setRateLimits(_ context: RequestContext) async throws -> SandboxResponse {
        let setting = try context.decodeBody(RateLimitSetting.self)
        guard setting.route != nil || setting.globalPerSecond != nil || setting.enabled != nil else {
            throw HTTPError.control(
                "give \"route\" with \"limit\"/\"window_ms\", \"global_per_second\" or \"enabled\""
            )
        }
        return try context.state.withLock { parts throws(HTTPError) in
            if let route = setting.route {
                guard let bucket = parts.rateLimiter.bucketsByRoute[route] else {
                    let known = parts.rateLimiter.bucketsByRoute.keys.sorted().joined(separator: ", ")
                    throw HTTPError.control("unknown route \"\(route)\"; known routes: \(known)")
                }
                var limit = parts.rateLimiter.limit(bucket: bucket)
                if let newLimit = setting.limit { limit.limit = newLimit }
                if let window = setting.windowMilliseconds { limit.window = .milliseconds(window) }
                parts.rateLimiter.setLimit(limit, bucket: bucket)
            }
            if let global = setting.globalPerSecond {
                parts.rateLimiter.setGlobalPerSecond(global)
            }
            if let enabled = setting.enabled {
                parts.rateLimiter.setEnabled(enabled)
            }
            return .json(rateLimitsJSON(parts))
        }
    }

    private static func faultsJSON(_ faults: [Fault]) -> JSON {
        ["faults": .array(faults.map(\.json))]
    }

    /// The limits, and `limited_requests`: the 429s the limiter (not a fault) sent since the request log was
    /// last cleared, in all and (`limited`) per route.
    private static func rateLimitsJSON(_ parts: SandboxState.Parts) -> JSON {
        let limiter = parts.rateLimiter
        let routes = limiter.bucketsByRoute.sorted { $0.key < $1.key }.map { route, bucket -> JSON in
            let limit = limiter.limit(bucket: bucket)
            return [
                "route": .string(route),
                "bucket": .string(limiter.hash(bucket: bucket)),
                "limit": .int(limit.limit),
                "window_ms": .int(limit.window.wholeMilliseconds),
                "limited": .int(parts.requestLog.rateLimitedByRoute[route, default: 0]),
            ]
        }
        return [
            "enabled": .bool(limiter.isEnabled),
            "global_per_second": .int(limiter.globalPerSecond),
            "limited_requests": .int(parts.requestLog.rateLimited),
            "routes": .array(routes),
        ]
    }
}

// MARK: - Request bodies

private struct ModeSetting: Decodable {
    let mode: ConsentMode
}

private struct CodeLifetimeSetting: Decodable {
    let milliseconds: Int

    private enum CodingKeys: String, CodingKey { case seconds }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let seconds = try container.decode(Double.self, forKey: .seconds)
        guard (0...86_400).contains(seconds) else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: container, debugDescription: "must be 0...86400")
        }
        milliseconds = Int((seconds * 1000).rounded())
    }
}

private struct RateLimitSetting: Decodable {
    let route: String?
    let limit: Int?
    let windowMilliseconds: Int?
    let globalPerSecond: Int?
    let enabled: Bool?

    private enum CodingKeys: String, CodingKey {
        case route, limit, enabled
        case windowMilliseconds = "window_ms"
        case globalPerSecond = "global_per_second"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        route = try container.decodeIfPresent(String.self, forKey: .route)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
        limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        windowMilliseconds = try container.decodeIfPresent(Int.self, forKey: .windowMilliseconds)
        globalPerSecond = try container.decodeIfPresent(Int.self, forKey: .globalPerSecond)
        for (key, value, minimum) in [
            (CodingKeys.limit, limit, 0), (.windowMilliseconds, windowMilliseconds, 1), (.globalPerSecond, globalPerSecond, 1),
        ] {
            if let value, value < minimum {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "must be at least \(minimum)")
            }
        }
    }
}

// MARK: - Helpers

extension HTTPError {
    /// A refused control request: `400 {"error": "..."}`.
    static func control(_ message: String) -> HTTPError {
        HTTPError(.badRequest, json: ["error": .string(message)])
    }
}

extension RequestContext {
    /// Decodes the JSON body, or fails with a 400 that says what is wrong with it.
    func decodeBody<Body: Decodable>(_ type: Body.Type) throws(HTTPError) -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: Data(request.body.readableBytesView))
        } catch let error as DecodingError {
            throw HTTPError.control(Self.describe(error))
        } catch {
            throw HTTPError.control("invalid JSON body")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "body" : codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), got null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "invalid JSON body" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "invalid JSON body"
        }
    }
}
