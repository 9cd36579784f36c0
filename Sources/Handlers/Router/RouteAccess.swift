/// Who may call a route: declared where the route is registered, enforced by `Application` before the
/// handler runs (`RouteGuard`), so that no handler decides its own authentication.
public enum RouteAccess: String, Sendable, Equatable {
    /// Anyone, strangers included.
    case anyone
    /// Someone who may use the website: a signed-in user (only guild members get a user session), an
    /// admin, or the API token.
    case member
    /// An admin session or the API token.
    case admin
    /// As `GUILDGATE_ROSTER_ACCESS` says (public, members or admins).
    case roster
    /// A Discord OAuth2 access token of GuildGate's own application with the `identify` scope, in
    /// `Authorization: Bearer` (the conversation sync API: the app signs in with Discord, not with the
    /// website). Cookies, sessions and the API token count for nothing here.
    case discordToken
    /// Only `Authorization: Bearer $GUILDGATE_API_TOKEN`: a machine's endpoint (`/metrics`) that no session, admin
    /// or client address opens, and that sends nobody to a sign-in page.
    case apiToken
}

/// How a state-changing route knows that a browser sending the session cookie meant it (CSRF). Callers
/// authenticated by a Bearer credential owe no token: no browser adds that header by itself.
public enum CSRFCheck: String, Sendable, Equatable {
    /// The session's token in `X-CSRF-Token`, checked by `RouteGuard` before the handler runs.
    case header
    /// The form's `csrf_token` field (or the header), checked by the handler as it reads the body.
    case formField
    /// Nothing a cookie lends is used: the route changes no signed-in user's data (JSON onboarding, whose
    /// `application/json` body a page on another site cannot send without a CORS preflight), or it ignores
    /// cookies altogether (`discordToken` routes).
    case notNeeded
}
