import GuildGateCore

/// Enforces a route's declared protection before its handler runs: the caller's access, then the CSRF
/// token of a cookie-authenticated state change sent in the header. A page asked for without any credential
/// sends the browser to the matching sign-in page instead of an error; someone signed in who lacks the right
/// (a member on an admin page) is told so with a 403. A `discordToken` route takes nothing but a Discord
/// access token, checked with Discord (`RequestContext.verifyDiscordToken`); an `apiToken` route nothing but the API
/// token.
enum RouteGuard {
    static func check(_ route: Router.Route, _ request: Request, _ context: RequestContext) throws -> Response? {
        if route.access == .discordToken {
            try context.verifyDiscordToken()
            return nil
        }
        guard route.access != .anyone || route.csrf == .header else { return nil }
        let caller = try context.caller()
        if !allows(route.access, caller, context.config.rosterAccess) {
            if route.method == "GET", !request.isAPI, !caller.isMember, route.access != .apiToken {
                return .redirect(to: signInPage(for: route.access, context.config.rosterAccess, request))
            }
            throw caller.isMember
                ? HTTPError.forbidden(refusal(route.access, context.config.rosterAccess))
                : HTTPError.unauthorized(refusal(route.access, context.config.rosterAccess))
        }
        if route.csrf == .header { try context.requireCSRF(caller) }
        return nil
    }

    static func allows(_ access: RouteAccess, _ caller: Caller, _ roster: RosterAccess) -> Bool {
        switch access {
        case .anyone: return true
        case .member: return caller.isMember
        case .admin: return caller.isAdmin
        case .roster:
            switch roster {
            case .public: return true
            case .members: return caller.isMember
            case .admins: return caller.isAdmin
            }
        case .discordToken: return false
        case .apiToken:
            if case .apiToken = caller { return true }
            return false
        }
    }

    private static func needsAdmin(_ access: RouteAccess, _ roster: RosterAccess) -> Bool {
        access == .admin || access == .roster && roster == .admins
    }

    /// `/admin/login`, or `/login?next=PATH` back to the page (a path of plain characters only).
    private static func signInPage(for access: RouteAccess, _ roster: RosterAccess, _ request: Request) -> String {
        guard !needsAdmin(access, roster) else { return "/admin/login" }
        let plain = request.rawPath.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "/-._~".utf8.contains(byte)
        }
        return "/login?next=" + (plain ? request.rawPath : "/")
    }

    private static func refusal(_ access: RouteAccess, _ roster: RosterAccess) -> String {
        guard access != .apiToken else { return "This is for machines: send Authorization: Bearer <GUILDGATE_API_TOKEN>." }
        return needsAdmin(access, roster)
            ? "This is for admins: send Authorization: Bearer <GUILDGATE_API_TOKEN>, or sign in at /admin/login."
            : "Log in with Discord first (GET /login), or send Authorization: Bearer."
    }
}
