import CurlHTTP
import Foundation
import GuildGateCore
import Handlers
import Store

/// `Handlers.Application` as guildgate-web runs it, in this process: the test stack's settings (its
/// discord-sandbox, secrets and templates) on a database of the in-process tests' own, a manual clock and
/// a log a test can read. Each test makes its own, so its clock and settings are its own.
///
/// The discord-sandbox is the end-to-end suite's, which steers it (users, faults) while in-process tests
/// run: an in-process test must not lead the application to call Discord.
public final class TestApplication: Sendable {
    public let application: Application
    public let clock: ManualClock
    /// Everything the application logged, at every level.
    public let log: LogCapture

    public var environment: AppEnvironment { application.environment }
    public var config: AppConfig { environment.config }

    /// Discord's API on a closed port of loopback, the credentials kept: for pages that ask Discord as they
    /// are shown (the admin dashboard runs the doctor's checks), which an in-process test must not let reach
    /// the end-to-end suite's sandbox. Every call fails at once with "could not connect".
    public static let unreachableDiscord: [String: String?] = ["DISCORD_API_BASE": "http://127.0.0.1:9/api/v10"]

    /// The stack's settings changed by `overrides` (nil removes), as `WebProcess` takes them; `discord`
    /// answers every call the application makes to Discord instead of the stack's sandbox (a fake Discord:
    /// `FakeDiscordOAuth`); a request waits `databaseAnswerTimeout` for a statement's answer.
    public init(
        overrides: [String: String?] = [:], discord: (any HTTPTransport & Sendable)? = nil, databaseAnswerTimeout: Duration = .seconds(30)
    ) async throws {
        let (stack, databaseURL) = try await TestDatabase.prepare()
        var settings = stack.settings
        settings["DATABASE_URL"] = databaseURL
        for (name, value) in overrides { settings[name] = value }
        let config = try AppConfig(settings: settings)
        ProcessMetrics.bootstrap()
        let clock = ManualClock()
        let log = LogCapture()
        application = Application(
            environment: AppEnvironment(
                config: config, templates: try Templates(directory: config.templatesDirectory), logger: log.logger,
                clock: { clock.date }, discordTransport: { discord.map { $0 as any HTTPTransport } ?? HTTPClient() },
                databaseAnswerTimeout: databaseAnswerTimeout))
        self.clock = clock
        self.log = log
    }

    /// A browser of its own on this application: its own cookies and client address.
    public func client() -> TestClient {
        TestClient(self)
    }

    /// Creates an admin account, or resets its password and ends its sessions, as `create-admin` does.
    public func createAdmin(username: String, password: String) throws {
        try AdminStore(database()).upsert(username: username, passwordHash: try PasswordHasher.hash(password))
    }

    /// A new connection to the application's database.
    public func database() -> PostgresConnection {
        PostgresConnection(url: config.databaseURL)
    }
}
