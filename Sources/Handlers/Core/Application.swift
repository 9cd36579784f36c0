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
        HomeRoutes.register(on: &router)
        OnboardingRoutes.register(on: &router)
        DiscordAuthRoutes.register(on: &router)
        AdminRoutes.register(on: &router)
        StaffRoutes.register(on: &router)
        FileRoutes.register(on: &router)
        ScriptRoutes.register(on: &router)
        return router
    }

    /// Answers one request; nil when the client left while it was being worked on (nothing to write).
    public func respond(to request: Request, services: Services) -> Response? {
        let context = RequestContext(services: services, request: request)
        var response: Response
        do {
            switch router.match(method: request.method, segments: request.pathSegments) {
            case .found(let route, let parameters):
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
        for cookie in context.cookies { response.addHeader("Set-Cookie", cookie) }
        if !response.headers.contains(where: { $0.0.lowercased() == "cache-control" }) {
            response.addHeader("Cache-Control", "no-store")
        }
        return response
    }

    /// The answer to a request that could not even be parsed.
    public func respond(to error: HTTPError, rawPath: String) -> Response {
        rawPath.hasPrefix("/api/") ? .json(error.json, status: error.status) : plainErrorPage(error)
    }

    private func errorResponse(for error: Error, request: Request, context: RequestContext) -> Response {
        let httpError: HTTPError
        switch error {
        case let known as HTTPError:
            httpError = known
        case let store as StoreError:
            context.logger.error("database failure", metadata: ["error": "\(store)"])
            httpError = .serviceUnavailable("The database is unavailable right now. Please try again shortly.")
        default:
            context.logger.error("unhandled failure", metadata: ["error": "\(error)"])
            httpError = .internalError
        }
        var response: Response
        if request.isAPI {
            response = .json(httpError.json, status: httpError.status)
        } else {
            let page = try? environment.templates.render(
                "error",
                [
                    "status": httpError.status.code, "reason": httpError.status.reason, "message": httpError.message,
                ])
            response = page.map { .html($0, status: httpError.status) } ?? plainErrorPage(httpError)
        }
        for (name, value) in httpError.headers { response.addHeader(name, value) }
        return response
    }

    private func plainErrorPage(_ error: HTTPError) -> Response {
        .text("\(error.status.code) \(error.status.reason): \(error.message)\n", status: error.status)
    }
}
