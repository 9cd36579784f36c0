import JSONSupport
import Logging
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the server should do with a connection after a request.
enum ResponderOutcome: Sendable {
    case respond(SandboxResponse)
    /// Reset the connection without answering (the `reset` fault).
    case dropConnection
}

/// Turns one request into an outcome. For Discord-facing requests, in order: injected fault, body size,
/// `User-Agent` check, routing, rate limits, handler; then the request log. `/_sandbox` requests
/// skip all of that and are not logged.
struct SandboxResponder: Sendable {
    let router: Router
    let state: SandboxState
    let configuration: SandboxConfiguration
    let logger: Logger

    func respond(to aggregated: AggregatedRequest) async -> ResponderOutcome {
        let received = Date()
        let request: SandboxRequest
        do {
            request = try SandboxRequest(head: aggregated.head, body: aggregated.body)
        } catch {
            logger.debug("malformed request target", metadata: ["method": "\(aggregated.head.method.rawValue)"])
            return .respond(error.response)
        }
        let (mount, routePath) = Mount.split(request.path)
        let match = router.match(method: request.method, mount: mount, routePath: routePath)
        if mount == .control {
            guard !aggregated.isTooLarge else {
                return .respond(.json(["error": "request body too large"], status: .payloadTooLarge))
            }
            return .respond(await control(request, match: match))
        }

        let fault = state.withLock { $0.faults.take(method: request.method, path: request.path, routePath: routePath) }
        if let fault {
            logger.info(
                "injecting fault",
                metadata: ["kind": "\(fault.kind.rawValue)", "method": "\(request.method.rawValue)", "path": "\(request.path)"]
            )
        }
        let outcome: ResponderOutcome
        var rateLimitScope: RateLimitRejection.Scope?
        if let fault, let injected = await inject(fault, match: match) {
            outcome = injected
        } else if aggregated.isTooLarge {
            logger.info(
                "request body too large",
                metadata: ["method": "\(request.method.rawValue)", "path": "\(request.path)"]
            )
            outcome = .respond(HTTPError.requestEntityTooLarge.response)
        } else {
            let (response, scope) = await discord(request, mount: mount, match: match)
            if let fault, fault.kind == .lostAnswer {
                outcome = .respond(Self.injectedResponse(status: fault.status, body: fault.body))
            } else {
                outcome = .respond(response)
                rateLimitScope = scope
            }
        }

        var status: Int?
        if case .respond(let response) = outcome { status = Int(response.status.code) }
        state.withLock {
            $0.requestLog.record(
                RequestLogEntry(
                    method: request.method.rawValue,
                    path: request.path,
                    query: request.rawQuery,
                    userAgent: request.userAgent,
                    authorizationKind: request.authorization?.kind,
                    route: match.route?.name,
                    status: status,
                    fault: fault?.kind,
                    rateLimitScope: rateLimitScope,
                    time: received
                )
            )
        }
        logger.debug(
            "handled request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.path)", "status": "\(status.map(String.init) ?? "reset")",
            ]
        )
        return outcome
    }

    /// Applies a fault; `nil` when the request should then be handled normally (`delay`, `lost_answer`).
    private func inject(_ fault: Fault, match: Router.Match) async -> ResponderOutcome? {
        switch fault.kind {
        case .lostAnswer:
            return nil
        case .delay:
            await sleep(milliseconds: fault.delayMilliseconds)
            return nil
        case .status:
            await sleep(milliseconds: fault.delayMilliseconds)
            return .respond(Self.injectedResponse(status: fault.status, body: fault.body))
        case .reset:
            await sleep(milliseconds: fault.delayMilliseconds)
            return .dropConnection
        case .ratelimit:
            return .respond(injectedRateLimit(fault, match: match).response)
        }
    }

    /// A request as Discord would treat it; also returns the scope when the limiter refused it.
    private func discord(
        _ request: SandboxRequest,
        mount: Mount,
        match: Router.Match
    ) async -> (SandboxResponse, RateLimitRejection.Scope?) {
        if mount.isDiscordAPI, match.route?.isBrowserPage != true, !(request.userAgent?.hasPrefix("DiscordBot (") ?? false) {
            return (HTTPError.userAgentBlocked.response, nil)
        }
        let route: Route
        let parameters: [String: String]
        switch match {
        case .route(let matched, let matchedParameters):
            (route, parameters) = (matched, matchedParameters)
        case .methodNotAllowed:
            return (HTTPError.methodNotAllowed.response, nil)
        case .notFound where mount == .openAI:
            return (HTTPError.openAIInvalidURL(request.method, request.path).response, nil)
        case .notFound:
            return (HTTPError.notFound.response, nil)
        }

        var bucketStatus: BucketStatus?
        if let bucket = route.rateLimitBucket {
            let authorization = request.authorization
            let botToken: String? = if case .bot(let token) = authorization { token } else { nil }
            let decision = state.withLock {
                $0.rateLimiter.admit(
                    bucket: bucket,
                    majorParameters: RateLimiter.majorParameterNames.compactMap { parameters[$0] },
                    identity: authorization?.rateLimitIdentity ?? "anonymous",
                    botToken: botToken,
                    now: .now
                )
            }
            switch decision {
            case .allowed(let status):
                bucketStatus = status
            case .unlimited:
                break
            case .limited(let rejection):
                logger.info(
                    "rate limited",
                    metadata: ["route": "\(route.name)", "scope": "\(rejection.scope.rawValue)"]
                )
                return (rejection.response, rejection.scope)
            }
        }

        var response = await run(route, request: request, parameters: parameters)
        bucketStatus?.apply(to: &response.headers)
        return (response, nil)
    }

    private func control(_ request: SandboxRequest, match: Router.Match) async -> SandboxResponse {
        switch match {
        case .route(let route, let parameters):
            return await run(route, request: request, parameters: parameters)
        case .methodNotAllowed:
            return .json(["error": "method not allowed"], status: .methodNotAllowed)
        case .notFound:
            return .json(["error": "no such control route"], status: .notFound)
        }
    }

    private func run(_ route: Route, request: SandboxRequest, parameters: [String: String]) async -> SandboxResponse {
        let context = RequestContext(
            request: request,
            parameters: parameters,
            state: state,
            configuration: configuration,
            logger: logger
        )
        do {
            return try await route.handler(context)
        } catch let error as HTTPError {
            return error.response
        } catch {
            logger.error("handler failed", metadata: ["route": "\(route.name)", "error": "\(error)"])
            return HTTPError.internalServerError.response
        }
    }

    /// The 429 of a `ratelimit` fault: shaped like the limiter's, with the route's bucket headers (a
    /// `shared` one leaves the bot's own bucket with requests to spare, as in the docs' example).
    private func injectedRateLimit(_ fault: Fault, match: Router.Match) -> RateLimitRejection {
        guard fault.scope != .global else {
            return RateLimitRejection(scope: .global, retryAfterMilliseconds: fault.delayMilliseconds, bucket: nil)
        }
        let bucket: BucketStatus? = match.route?.rateLimitBucket.map { bucket in
            state.withLock { parts in
                let limit = parts.rateLimiter.limit(bucket: bucket).limit
                return BucketStatus(
                    limit: limit,
                    remaining: fault.scope == .shared ? limit - 1 : 0,
                    resetAfterMilliseconds: fault.delayMilliseconds,
                    resetEpochMilliseconds: BucketStatus.epochMilliseconds() + fault.delayMilliseconds,
                    hash: parts.rateLimiter.hash(bucket: bucket)
                )
            }
        }
        return RateLimitRejection(scope: fault.scope, retryAfterMilliseconds: fault.delayMilliseconds, bucket: bucket)
    }

    /// The response of a `status` fault: its body verbatim, or Discord's generic error body for a 4xx/5xx.
    private static func injectedResponse(status: HTTPResponseStatus, body: JSON?) -> SandboxResponse {
        if let body { return .json(body, status: status) }
        if status.code >= 400 {
            return .json(["message": .string("\(status.code): \(status.reasonPhrase)"), "code": 0], status: status)
        }
        return SandboxResponse(status: status)
    }

    private func sleep(milliseconds: Int) async {
        guard milliseconds > 0 else { return }
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }
}

extension Router.Match {
    var route: Route? {
        if case .route(let route, _) = self { route } else { nil }
    }
}
