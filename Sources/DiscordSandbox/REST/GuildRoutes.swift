import JSONSupport
/// The guild and its roles (docs: `developers/resources/guild`, "Get Guild", "Get Guild Roles";
/// `topics/permissions` "Role Object").
enum GuildRoutes {
    static var routes: [Route] {
        [
            .discord(.GET, "/guilds/{guild.id}", handler: guild),
            .discord(.GET, "/guilds/{guild.id}/roles") { context in
                try context.requireBotToken()
                try context.requireSandboxGuild()
                return .json(context.state.withLock { $0.gateway.guild.roles.json })
            },
        ]
    }

    /// The guild object: owner, roles (`@everyone`, the bot's managed role and those the tests made) and the
    /// usual nulls.
    @Sendable
    static func guild(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        try context.requireSandboxGuild()
        let roles = context.state.withLock { $0.gateway.guild.roles.json }
        return .json([
            "id": .string(context.configuration.guildID), "name": .string(SandboxGuild.name), "icon": .null, "icon_hash": .null,
            "splash": .null, "discovery_splash": .null, "owner_id": .string(SandboxGuild.ownerID), "afk_channel_id": .null,
            "afk_timeout": 300, "widget_enabled": false, "widget_channel_id": .null, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "roles": roles, "emojis": [], "features": [],
            "mfa_level": 0, "application_id": .null, "system_channel_id": .null, "system_channel_flags": 0,
            "rules_channel_id": .null, "max_presences": .null, "max_members": 500_000, "vanity_url_code": .null,
            "description": .null, "banner": .null, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": "en-US", "public_updates_channel_id": .null, "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50, "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": false,
            "safety_alerts_channel_id": .null,
        ])
    }
}
