import JSONSupport

/// The roster's event stream, `GET /api/staff/roster/events`. nginx serves the stream itself (nchan,
/// nginx/guildgate.conf.in) from what `RosterPublisher` publishes; before it holds a subscriber it asks the app
/// here, in a subrequest with the subscriber's headers and URI, whether the caller may see the roster. The route
/// guard answers 401 or 403 as it does for the roster; a caller it lets through gets 200.
enum RosterEventRoutes {
    static func register(on router: inout Router) {
        router.get("/api/staff/roster/events", .roster, access)
    }

    private static func access(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(["success": .bool(true)])
    }
}
