import JSONSupport
/// The guild and its members (docs: `developers/resources/guild`, "Get Guild" and "Get Guild Member").
enum GuildRoutes {
    static var routes: [Route] {
        [
            .discord(.GET, "/guilds/{guild.id}", handler: guild),
            .discord(.GET, "/guilds/{guild.id}/members/{user.id}", handler: member),
        ]
    }

    /// The guild object: owner, roles (`@everyone` and the bot's managed role) and the usual nulls.
    @Sendable
    static func guild(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        let guildID = context.configuration.guildID
        guard context.parameters["guild.id"] == guildID else { throw HTTPError.unknownGuild }
        let roles = context.state.withLock { $0.permissions.rolesJSON(guildID: guildID, botName: context.configuration.botUser.username) }
        return .json([
            "id": .string(guildID), "name": .string(SandboxGuild.name), "icon": .null, "icon_hash": .null, "splash": .null,
            "discovery_splash": .null, "owner_id": .string(GuildPermissions.ownerID), "afk_channel_id": .null, "afk_timeout": 300,
            "widget_enabled": false, "widget_channel_id": .null, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "roles": roles, "emojis": [], "features": [], "mfa_level": 0,
            "application_id": .null, "system_channel_id": .null, "system_channel_flags": 0, "rules_channel_id": .null,
            "max_presences": .null, "max_members": 500_000, "vanity_url_code": .null, "description": .null, "banner": .null,
            "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US", "public_updates_channel_id": .null,
            "max_video_channel_users": 25, "max_stage_video_channel_users": 50, "nsfw_level": 0, "stickers": [],
            "premium_progress_bar_enabled": false, "safety_alerts_channel_id": .null,
        ])
    }

    /// The guild member object; 404 with 10004 Unknown Guild for another guild, 10007 Unknown Member for a
    /// user who is not in it (what GuildGate's sign-in checks for). The bot has its managed role.
    @Sendable
    static func member(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        guard context.parameters["guild.id"] == context.configuration.guildID else { throw HTTPError.unknownGuild }
        let userID = context.parameters["user.id"] ?? ""
        guard Snowflake.value(userID) != nil else {
            throw HTTPError.invalidFormBody(field: "user_id", code: "NUMBER_TYPE_COERCE", message: "Value \"\(userID)\" is not snowflake.")
        }
        guard let member = context.state.withLock({ $0.gateway.guild.member(id: userID) }) else {
            throw HTTPError.unknownGuildMember
        }
        guard userID == context.configuration.botUser.id, case .object(let fields) = member.json else { return .json(member.json) }
        return .json(.object(fields.map { $0.0 == "roles" ? ("roles", [.string(GuildPermissions.botRoleID)]) : $0 }))
    }
}
