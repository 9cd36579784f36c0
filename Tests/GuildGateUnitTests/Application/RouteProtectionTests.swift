import GuildGateTesting
@testable import Handlers
import Testing

/// Walks every registered route: each one that is not public refuses a stranger, and each state change
/// refuses a signed-in browser's cookie without the CSRF token.
@Suite struct RouteProtection {
    let app: TestApplication

    init() async throws {
        app = try await TestApplication()
    }

    static func path(_ route: Router.Route) -> String {
        route.pattern.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{name}", with: "files.js")
    }

    /// A body the route's handler reads far enough to reach its CSRF check.
    static func request(for route: Router.Route) -> (headers: [String: String], body: [UInt8]) {
        switch route.csrf {
        case .formField? where route.pattern.hasSuffix("files"):
            return (
                ["Content-Type": "multipart/form-data; boundary=b"],
                Array("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n".utf8)
            )
        case .formField?:
            return (["Content-Type": "application/x-www-form-urlencoded"], Array("name=x".utf8))
        default:
            return ([:], [])
        }
    }

    @Test func everyProtectedRouteRefusesAStranger() throws {
        let routes = Application.routes.routes.filter { $0.access != .anyone }
        #expect(!routes.isEmpty)
        for route in routes {
            let (headers, body) = Self.request(for: route)
            let page = try app.client().send(route.method, Self.path(route), headers: headers, body: body)
            if route.method == "GET", !route.pattern.hasPrefix("/api/"), route.access != .apiToken {
                #expect(page.status == 302, "\(route.method) \(route.pattern) answered \(page.status)")
                #expect(
                    page.location?.hasPrefix("/login?next=") == true || page.location == "/admin/login",
                    "\(route.method) \(route.pattern) sent a stranger to \(page.location ?? "nowhere")")
            } else {
                #expect(page.status == 401, "\(route.method) \(route.pattern) answered a stranger \(page.status)")
            }
        }
    }

    @Test func everyStateChangeRefusesACookieWithoutItsCSRFToken() throws {
        let admin = app.client()
        try admin.signInAsAdmin()
        let member = app.client()
        _ = try member.signInAsMember(username: "csrf_walker")
        let changes = Application.routes.routes.filter { $0.csrf != nil && $0.csrf != .notNeeded }
        #expect(changes.count >= 6)
        for route in changes {
            let (headers, body) = Self.request(for: route)
            for client in [admin, member] where route.access != .admin || client === admin {
                let page = try client.send(route.method, Self.path(route), headers: headers, body: body)
                #expect(page.status == 403, "\(route.method) \(route.pattern) answered a cookie without CSRF \(page.status)")
            }
        }
    }
}

/// Everything under `/admin` and `/api/admin` (but the sign-in page) is for admins: a signed-in member
/// gets 403 there, pages included, even with their own valid CSRF token.
@Suite struct AdminRouteProtection {
    @Test func aMemberGetsForbiddenEverywhereUnderAdmin() async throws {
        let app = try await TestApplication()
        let member = app.client()
        let (_, csrf) = try member.signInAsMember(username: "not_an_admin")
        let routes = Application.routes.routes.filter {
            ($0.pattern.hasPrefix("/admin") || $0.pattern.hasPrefix("/api/admin")) && $0.pattern != "/admin/login"
        }
        #expect(routes.count >= 30)
        for route in routes {
            var (headers, body) = RouteProtection.request(for: route)
            headers["X-CSRF-Token"] = csrf
            if route.csrf == .formField { body = Array("name=x&csrf_token=\(csrf)".utf8) }
            let page = try member.send(route.method, RouteProtection.path(route), headers: headers, body: body)
            #expect(page.status == 403, "\(route.method) \(route.pattern) answered a member \(page.status)")
            #expect(route.access == .admin, "\(route.method) \(route.pattern) is not declared for admins")
        }
    }
}
