import DiscordKit
import Foundation

/// Settings from the environment, then an optional `.env` file (the environment wins).
/// Names follow DESIGN.md; the aliases of the systems GuildGate replaces keep working.
public struct AppConfig: Sendable {
    public var databaseURL: String
    public var webAppBaseURL: String
    public var discordAPIBase: String
    public var discordAuthorizeURL: String
    public var discordGatewayURL: String?
    /// `DISCORD_GATEWAY_INTENTS` as written (names or a number); guildgate-bot parses it.
    public var discordGatewayIntents: String?

    /// `DISCORD_GATEWAY_INTENTS` parsed, or GuildGate's default (37635) when it is not set.
    public func gatewayIntents() throws(ConfigError) -> GatewayIntents {
        guard let text = discordGatewayIntents else { return .guildGateDefault }
        do {
            return try GatewayIntents(parsing: text)
        } catch {
            throw .invalid("DISCORD_GATEWAY_INTENTS", reason: "\(error)")
        }
    }
    /// Discord allows one full member request per guild per 30 s; reconciles in between are coalesced.
    public var memberRequestInterval: Int
    /// How long a claimed job stays locked to its worker before another may retry it.
    public var jobLeaseSeconds: Int
    public var discordClientID: String?
    public var discordClientSecret: String?
    public var discordRedirectURI: String
    public var discordBotToken: String?
    public var discordGuildID: String?
    public var discordStorageChannelIDs: [String]
    public var discordBotInviteURL: String?
    /// A lasting invite to the guild (seed 004's "invite link"), offered to people who are not members yet.
    public var discordServerInviteURL: String?
    /// What the admin panel calls the Discord client.
    public var clientName: String?
    /// Members' nicknames: `%username`, `%global_name`, `%rank`, `%group` (nil: nicknames are left alone).
    public var nicknameTemplate: String?
    public var groupPriority: GroupPriority
    public var discordAttachmentLimit: Int
    /// The largest file `POST /files` accepts (`GUILDGATE_MAX_FILE_SIZE`, default 2 GiB).
    public var maxFileSize: Int
    /// Messages an upload posts at once, to different channels (`GUILDGATE_UPLOAD_PARALLELISM`, default 1).
    /// Each one more costs a message body (about 20 MiB) of memory.
    public var uploadParallelism: Int
    /// Bytes each user may store over complete and in-progress files (`GUILDGATE_USER_QUOTA`; nil = no quota).
    public var userQuota: Int?
    /// Whether people outside `DISCORD_GUILD_ID` may log in to the website (`GUILDGATE_ALLOW_NON_MEMBERS`).
    public var allowNonMembers: Bool
    public var rosterAccess: RosterAccess
    /// Where guildgate-web publishes roster changes for `GET /api/staff/roster/events` (nil: it does not).
    public var eventsPublishTarget: EventsPublishTarget?
    /// Days of presence history kept (`GUILDGATE_PRESENCE_HISTORY_DAYS`); older intervals are pruned hourly.
    public var presenceHistoryDays: Int
    /// guildgate-bot's `GET /metrics` listens on 127.0.0.1 at this port (`GUILDGATE_BOT_METRICS_PORT`; nil: it
    /// does not listen).
    public var botMetricsPort: Int?
    /// Testing only: the loader refuses it unless every Discord URL points at loopback (discord-sandbox).
    public var bypassAuth: Bool
    /// `GUILDGATE_SECRET_KEY`: the master keys, newest first.
    public var secretKeys: SecretKeys
    public var apiToken: String?
    public var templatesDirectory: String
    public var chat: ChatConfig
    /// How long a verified Discord OAuth token is trusted by the sync API before Discord is asked again.
    public var tokenCacheSeconds: Int

    /// Where the OAuth callback is served (seed 004's `/discord/sso/callback` is an alias of it).
    public static let callbackPath = "/api/discord/callback"
    public static let callbackPaths = [callbackPath, "/discord/sso/callback"]

    /// Whether cookies must carry `Secure` (the site is served over https).
    public var usesHTTPS: Bool { webAppBaseURL.lowercased().hasPrefix("https://") }

    /// The session cookie's name: `__Host-` behind https, so the browser refuses it from a sibling domain or
    /// over http.
    public var sessionCookieName: String { usesHTTPS ? "__Host-gg_session" : "gg_session" }

    /// What both processes tell Discord: API base, bot token, OAuth client.
    public var discordConfiguration: DiscordConfiguration {
        DiscordConfiguration(
            apiBase: discordAPIBase, botToken: discordBotToken, clientID: discordClientID, clientSecret: discordClientSecret)
    }

    /// Loads settings from `environment` and the file named by `GUILDGATE_ENV_FILE` (default `.env`; empty = none).
    public static func load(environment: [String: String]) throws(ConfigError) -> AppConfig {
        let path = environment["GUILDGATE_ENV_FILE"] ?? ".env"
        var settings = try DotEnv.load(path: path, required: environment["GUILDGATE_ENV_FILE"] != nil && !path.isEmpty)
        settings.merge(environment) { _, fromEnvironment in fromEnvironment }
        return try AppConfig(settings: settings)
    }

    public init(settings: [String: String]) throws(ConfigError) {
        let read = SettingValues(settings)
        databaseURL = try read.required("DATABASE_URL")
        let base = try read.required("WEB_APP_BASE_URL")
        guard let parsed = URL(string: base), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host != nil
        else { throw .invalid("WEB_APP_BASE_URL", reason: "must be an absolute http(s) URL such as https://example.com") }
        webAppBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        discordAPIBase = try read.url("DISCORD_API_BASE", default: "https://discord.com/api/v10", schemes: ["https"])
        discordAuthorizeURL = try read.url(
            "DISCORD_OAUTH_AUTHORIZE_URL", default: "https://discord.com/oauth2/authorize", schemes: ["https"])
        discordGatewayURL = try read.value("DISCORD_GATEWAY_URL").map { _ throws(ConfigError) in
            try read.url("DISCORD_GATEWAY_URL", default: "wss://gateway.discord.gg", schemes: ["wss"])
        }
        discordGatewayIntents = read.value("DISCORD_GATEWAY_INTENTS")
        memberRequestInterval =
            try read.positiveInteger("GUILDGATE_MEMBER_REQUEST_INTERVAL") ?? 30
        jobLeaseSeconds = try read.positiveInteger("GUILDGATE_JOB_LEASE_SECONDS") ?? 300
        discordClientID = read.value("DISCORD_CLIENT_ID")
        discordClientSecret = read.value("DISCORD_CLIENT_SECRET")
        discordRedirectURI = read.value("DISCORD_REDIRECT_URI") ?? webAppBaseURL + Self.callbackPath
        discordBotToken = read.value("DISCORD_BOT_TOKEN", "DISCORD_TOKEN")
        discordGuildID = read.value("DISCORD_GUILD_ID", "SERVER_ID")
        discordStorageChannelIDs = (read.value("DISCORD_STORAGE_CHANNEL_IDS", "CHANNEL_ID") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        discordBotInviteURL = read.value("DISCORD_BOT_INVITE_URL")
        discordServerInviteURL = read.value("DISCORD_SERVER_INVITE_URL")
        clientName = read.value("GUILDGATE_CLIENT_NAME")
        nicknameTemplate = read.value("GUILDGATE_NICKNAME_TEMPLATE")
        let priority = read.value("GUILDGATE_GROUP_PRIORITY")?.lowercased() ?? GroupPriority.local.rawValue
        guard let groupPriority = GroupPriority(rawValue: priority) else {
            throw .invalid("GUILDGATE_GROUP_PRIORITY", reason: "must be local or remote")
        }
        self.groupPriority = groupPriority
        discordAttachmentLimit = try read.positiveInteger("DISCORD_ATTACHMENT_LIMIT") ?? 10_485_760
        guard discordAttachmentLimit > FileCipher.tagSize else {
            throw .invalid("DISCORD_ATTACHMENT_LIMIT", reason: "must be more than \(FileCipher.tagSize) bytes")
        }
        maxFileSize = try read.positiveInteger("GUILDGATE_MAX_FILE_SIZE") ?? 2 << 30
        uploadParallelism = try read.positiveInteger("GUILDGATE_UPLOAD_PARALLELISM") ?? 1
        let quota = try read.nonNegativeInteger("GUILDGATE_USER_QUOTA") ?? 10 << 30
        userQuota = quota == 0 ? nil : quota
        allowNonMembers = read.flag("GUILDGATE_ALLOW_NON_MEMBERS")
        let access = read.value("GUILDGATE_ROSTER_ACCESS")?.lowercased() ?? RosterAccess.members.rawValue
        guard let roster = RosterAccess(rawValue: access) else {
            throw .invalid("GUILDGATE_ROSTER_ACCESS", reason: "must be public, members or admins")
        }
        rosterAccess = roster
        eventsPublishTarget = try EventsPublishTarget(setting: read.value("GUILDGATE_EVENTS_PUBLISH_URL"))
        presenceHistoryDays = try read.positiveInteger("GUILDGATE_PRESENCE_HISTORY_DAYS", atMost: 3650) ?? 30
        botMetricsPort = try read.positiveInteger("GUILDGATE_BOT_METRICS_PORT", atMost: 65535)
        bypassAuth = read.flag("BYPASS_AUTH")
        if bypassAuth {
            let remote =
                [("DISCORD_API_BASE", discordAPIBase), ("DISCORD_OAUTH_AUTHORIZE_URL", discordAuthorizeURL)]
                + (discordGatewayURL.map { [("DISCORD_GATEWAY_URL", $0)] } ?? [])
            if let (name, _) = remote.first(where: { !LoopbackURL.isLoopback($0.1) }) {
                throw .invalid("BYPASS_AUTH", reason: "is for tests against discord-sandbox only, but \(name) does not point at loopback")
            }
        }
        let keys = try read.required("GUILDGATE_SECRET_KEY")
        do {
            secretKeys = try SecretKeys.parse(keys)
        } catch {
            throw .invalid("GUILDGATE_SECRET_KEY", reason: error.description)
        }
        apiToken = read.value("GUILDGATE_API_TOKEN")
        templatesDirectory = read.value("GUILDGATE_TEMPLATES") ?? "templates"
        chat = try ChatConfig(read)
        tokenCacheSeconds = try read.nonNegativeInteger("GUILDGATE_TOKEN_CACHE_SECONDS", atMost: 60) ?? 60
    }
}
