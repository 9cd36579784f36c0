import CurlHTTP
import DiscordKit
import GuildGateCore
import Foundation
import Logging
import Store

/// What every thread shares: settings, templates, the process-wide Discord rate limiter.
public struct AppEnvironment: Sendable {
    /// The environment's settings with what the admin panel saved on top, reloaded when that changes.
    public let settings: LiveConfig
    /// The settings in effect now.
    public var config: AppConfig { settings.current }
    public let templates: Templates
    public let rateLimiter: RateLimiter
    public let logger: Logger
    public let clock: @Sendable () -> Date
    /// Signed attachment URLs of stored file parts, until shortly before they expire.
    public let attachmentURLs = AttachmentURLCache()
    /// Who the sync API's Discord access tokens belong to, as Discord said within `tokenCacheSeconds`.
    public let tokenVerifier: TokenVerifier
    /// The sync API's requests per access token: 60 a minute.
    public let tokenRateLimiter = TokenRateLimiter()
    /// Whether the threads' connections last reached PostgreSQL, for `/healthz`.
    let databaseHealth = DatabaseHealth()
    /// How long a request waits for one statement's answer before it is a 503: well within nginx's
    /// `fastcgi_read_timeout` (60 s), so a paused database gets a clear page rather than nginx's 504.
    let databaseAnswerTimeout: Duration
    /// Makes a thread's connection to Discord: a curl handle, or a fake Discord in tests.
    let makeDiscordTransport: @Sendable () -> any HTTPTransport
    /// Sign sessions (the newest) and verify their signatures (any).
    let sessionKeys: [DerivedKey]
    /// Derive each flow's PKCE verifier from its state: new flows with the newest, each with the key it started with.
    let pkceKeys: [DerivedKey]
    var botInviteURL: String { DiscordLinks.botInviteURL(config: config) }

    public init(
        config: AppConfig, templates: Templates, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init,
        discordTransport: @escaping @Sendable () -> any HTTPTransport = { HTTPClient() }, databaseAnswerTimeout: Duration = .seconds(30)
    ) {
        self.databaseAnswerTimeout = databaseAnswerTimeout
        settings = LiveConfig(base: config)
        self.templates = templates
        self.logger = logger
        self.clock = clock
        makeDiscordTransport = discordTransport
        tokenVerifier = TokenVerifier(cacheSeconds: config.tokenCacheSeconds)
        rateLimiter = RateLimiter()
        sessionKeys = config.secretKeys.derived(purpose: Sessions.keyPurpose)
        pkceKeys = config.secretKeys.derived(purpose: DiscordSignIn.pkceKeyPurpose)
    }

    /// Browser sessions on `db`, signed with this environment's newest key.
    public func sessions(_ db: PostgresConnection) -> Sessions {
        Sessions(db: db, keys: sessionKeys)
    }

    /// The settings and templates of a starting process; what is wrong ends it with one line (`Launch`).
    public static func launch(logger: Logger) -> AppEnvironment {
        Launch.reporting(logger) {
            let config = Launch.settings(logger: logger)
            return AppEnvironment(config: config, templates: try Templates(directory: config.templatesDirectory), logger: logger)
        }
    }

    /// A Discord client on `transport` (one per thread: a curl handle is not shared), paced by the
    /// process-wide rate limiter.
    public func discordClient(transport: any HTTPTransport, logger: Logger) -> DiscordClient {
        discordClient(config: config, transport: transport, logger: logger)
    }

    /// A Discord client with the credentials of `config` (settings about to be saved), paced by the
    /// process-wide rate limiter.
    public func discordClient(
        config: AppConfig, transport: any HTTPTransport, logger: Logger, retryPolicy: RetryPolicy = .default
    ) -> DiscordClient {
        DiscordClient(
            configuration: config.discordConfiguration, transport: transport, rateLimiter: rateLimiter, logger: logger,
            retryPolicy: retryPolicy)
    }

    /// Makes a Discord client with a curl handle of its own, for a thread a file transfer starts.
    var discordClientMaker: @Sendable (Logger) -> DiscordClient {
        { [self] logger in discordClient(transport: makeDiscordTransport(), logger: logger) }
    }
}
