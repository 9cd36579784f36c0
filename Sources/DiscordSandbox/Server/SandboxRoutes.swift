/// Every route the sandbox serves: Discord's (OAuth, REST, CDN, interactions), the OpenAI-compatible backend's and
/// its control API.
enum SandboxRoutes {
    static var all: [Route] {
        OAuthRoutes.routes + OAuthAuthorizationRoutes.routes + UserRoutes.routes + GuildRoutes.routes + MemberRoutes.routes
            + ApplicationRoutes.routes + GatewayRoutes.routes
            + ChannelRoutes.routes + MessageRoutes.routes + CDNRoutes.routes + ApplicationCommandRoutes.routes
            + InteractionRoutes.routes + ControlRoutes.routes + GatewayControlRoutes.routes
            + MemberControlRoutes.routes + RoleControlRoutes.routes + MessageControlRoutes.routes + InteractionControlRoutes.routes
            + GuildPermissionControlRoutes.routes + ChatBackendRoutes.routes + ChatControlRoutes.routes
            + UserMessageControlRoutes.routes + OAuthTokenControlRoutes.routes
    }
}
