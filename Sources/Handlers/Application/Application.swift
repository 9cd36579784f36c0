import Foundation
import Logging
import Store

/// The web application: every capability's routes, and the mapping of errors to responses.
public struct Application: Sendable {
    public let environment: AppEnvironment
    private let router: Router

    public init(environment: AppEnvironment) {
        self.environment = environment
        router = Self.routes
    }

    /// Every route with its declared protection (`RouteAccess`, `CSRFCheck`), in one table.
    public static var routes: Router {
        var router = Router()
        HealthRoutes.register(on: &router)
        MetricsRoutes.register(on: &router)
        HomeRoutes.register(on: &router)
        OnboardingRoutes.register(on: &router)
        DiscordAuthRoutes.register(on: &router)
        AdminRoutes.register(on: &router)
        DashboardRoutes.register(on: &router)
        ClientSettingsRoutes.register(on: &router)
        GroupRoutes.register(on: &router)
        AuditRoutes.register(on: &router)
        RosterRoutes.register(on: &router)
        RosterEventRoutes.register(on: &router)
        StaffPresenceRoutes.register(on: &router)
        PresenceCardRoutes.register(on: &router)
        JobRoutes.register(on: &router)
        StaffAdminRoutes.register(on: &router)
        UserAdminRoutes.register(on: &router)
        JobAdminRoutes.register(on: &router)
        ScheduleAdminRoutes.register(on: &router)
        ChatAdminRoutes.register(on: &router)
        FileRoutes.register(on: &router)
        ConversationSyncRoutes.register(on: &router)
        ScriptRoutes.register(on: &router)
        return router
    }

    /// Answers one request; nil when the client left while it was being worked on (nothing to write). Counted
    /// and timed by the route it matched (`HTTPMetrics`); the response carries the request's id.
    public func respond(to request: Request, services: Services) -> Response? {
        let started = ContinuousClock.now
        var matched: Router.Route?
        let response = answer(request, services: services, matched: &matched)
        services.httpMetrics.record(
            method: HTTPMetrics.method(route: matched, request: request.method), route: matched?.pattern ?? HTTPMetrics.unmatched,
            status: response.map { String($0.status.code) } ?? HTTPMetrics.clientGone, duration: ContinuousClock.now - started)
        return response
    }

    private func answer(_ request: Request, services: Services, matched: inout Router.Route?) -> Response? {
        let context = RequestContext(services: services, request: request)
        var response: Response
        do {
            switch router.match(method: request.method, segments: request.pathSegments) {
            case .found(let route, let parameters):
                matched = route
                var routed = request
                routed.parameters = parameters
                response = try RouteGuard.check(route, routed, context) ?? route.handler(routed, context)
            case .methodNotAllowed(let allowed):
                throw HTTPError.methodNotAllowed(allowed: allowed)
            case .notFound:
                throw HTTPError.notFound
            }
        } catch is ClientGone {
            context.logger.notice("client went away; work for it stopped")
            return nil
        } catch {
            response = errorResponse(for: error, request: request, context: context)
        }
        response.addHeader(RequestID.header, request.requestID)
        for cookie in context.cookies { response.addHeader("Set-Cookie", cookie) }
        if !response.headers.contains(where: { $0.0.lowercased() == "cache-control" }) {
            response.addHeader("Cache-Control", "no-store")
        }
        return response
    }

    /// The answer to a request that could not even be parsed, with the id it came with (or a new one).
    public func respond(to error: HTTPError, rawPath: String, requestID: String?, services: Services) -> Response {
        let started = ContinuousClock.now
        var response = rawPath.hasPrefix("/api/") ? Response.json(error.json, status: error.status) : plainErrorPage(error)
        response.addHeader(RequestID.header, RequestID.accepting(requestID))
        services.httpMetrics.record(
            method: HTTPMetrics.otherMethod, route: HTTPMetrics.unmatched, status: String(error.status.code),
            duration: ContinuousClock.now - started)
        return response
    }

    /// An `HTTPResponseError` answers with its own status and message; anything else is a bug whose details
    /// stay in the log. Server failures are logged either way.
    private func errorResponse(for error: Error, request: Request, context: RequestContext) -> Response {
        let answer = (error as? any HTTPResponseError) ?? HTTPError.internalError
        if answer.isServerFailure {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
        }
        var response: Response
        if request.isAPI {
            response = .json(answer.json, status: answer.status)
        } else {
            let page = try? environment.templates.render(
                "error", ["status": answer.status.code, "reason": answer.status.reason, "message": answer.publicMessage])
            response = page.map { .html($0, status: answer.status) } ?? plainErrorPage(answer)
        }
        for (name, value) in answer.headers { response.addHeader(name, value) }
        return response
    }

    private func plainErrorPage(_ error: any HTTPResponseError) -> Response {
        .text("\(error.status.code) \(error.status.reason): \(error.publicMessage)\n", status: error.status)
    }
}
