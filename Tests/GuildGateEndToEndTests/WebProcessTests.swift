import Foundation
import GuildGateTesting
import Store
import Synchronization
import Testing

extension EndToEnd {
    /// The guildgate-web process itself: start-up checks, signals, settings, and raw FastCGI abuse.
    @Suite struct WebProcessBehaviour {
        @Test func sigtermStopsGracefullyEvenWithAnIdleKeptAliveConnection() throws {
            let (stack, _) = try EndToEnd.stack()
            let web = try WebProcess(stack: stack)
            #expect(web.waitUntilServing())
            // A kept-alive connection that stays open and idle pins one worker thread in FCGX_Accept_r.
            let idle = try #require(RawFastCGI.connect(socketPath: web.socketPath))
            defer { close(idle) }
            let request =
                RawFastCGI.beginRequest(keepConnection: true)
                + RawFastCGI.params([("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/healthz")]) + RawFastCGI.stdin([])
            _ = request.withUnsafeBytes { send(idle, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            usleep(200_000)
            kill(web.process.processIdentifier, SIGTERM)
            #expect(web.waitForExit(timeout: 10) == 0)
        }

        @Test func sigtermFinishesTheRequestInFlight() throws {
            let (stack, sandbox) = try EndToEnd.stack()
            try EndToEnd.useFreshDiscordAccount(sandbox, username: "in_flight")
            let browser = Browser(baseURL: stack.webURL)
            let body = try browser.onboard()
            let verificationURL = try #require(body["verification_url"] as? String)
            let callback = try #require(try EndToEnd.approve(browser, url: verificationURL).location)
            let uri = String(callback.dropFirst(stack.webURL.count))
            let cookies = browser.cookies
            let web = try WebProcess(stack: stack)
            #expect(web.waitUntilServing())
            try sandbox.delay(method: "POST", path: "/api/v10/oauth2/token", milliseconds: 1500)
            let reply = Mutex<[UInt8]?>(nil)
            let socketPath = web.socketPath
            let client = Thread {
                reply.withLock { $0 = RawFastCGI.exchange(socketPath: socketPath, bytes: RawFastCGI.get(uri, cookies: cookies)) }
            }
            client.start()
            usleep(500_000)
            kill(web.process.processIdentifier, SIGTERM)
            #expect(web.waitForExit(timeout: 10) == 0)
            while client.isExecuting { usleep(10_000) }
            let received = reply.withLock { $0 }
            let output = RawFastCGI.stdout(of: try #require(received))
            #expect(output.contains("Location: \(stack.webURL)/discord/success?username="))
        }

        @Test func workStopsForAClientThatLeft() throws {
            let (stack, sandbox) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let body = try browser.onboard()
            let verificationURL = try #require(body["verification_url"] as? String)
            let callback = try #require(try EndToEnd.approve(browser, url: verificationURL).location)
            try sandbox.delay(method: "POST", path: "/api/v10/oauth2/token", milliseconds: 1000)
            try sandbox.clearRequests()
            let client = try #require(RawFastCGI.connect(socketPath: stack.socketPath))
            let request = RawFastCGI.get(String(callback.dropFirst(stack.webURL.count)), cookies: browser.cookies)
            _ = request.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            usleep(300_000)
            close(client)
            usleep(1_500_000)
            let paths = try sandbox.requestedPaths()
            #expect(paths.contains("/api/v10/oauth2/token"))
            #expect(!paths.contains("/api/v10/users/@me"))
            #expect(try browser.get("/healthz").status == 200)
        }

        @Test func refusesToServeWhenTheSchemaIsBehind() throws {
            let (stack, _) = try EndToEnd.stack()
            let name = "empty_\(UUID().uuidString.prefix(8).lowercased())"
            try EndToEnd.database(stack).query("CREATE DATABASE \(name)")
            let url = stack.databaseURL.replacingOccurrences(of: "/guildgate?", with: "/\(name)?")
            let web = try WebProcess(stack: stack, overrides: ["DATABASE_URL": url])
            #expect(web.waitForExit(timeout: 10) == 1)
            #expect(web.errorOutput.contains("run `guildgate-web migrate`"))
        }

        @Test func migrateIsIdempotent() throws {
            let (stack, _) = try EndToEnd.stack()
            for _ in 0..<2 {
                let migrate = try WebProcess(stack: stack, arguments: ["migrate"])
                #expect(migrate.waitForExit(timeout: 20) == 0)
            }
            let version = try EndToEnd.database(stack).query("SELECT max(version) AS v FROM schema_migrations").first?.int("v")
            #expect(version == Migrations.latestVersion)
        }

        @Test func aMissingSettingIsNamedOnOneLine() throws {
            let (stack, _) = try EndToEnd.stack()
            let web = try WebProcess(stack: stack, overrides: ["GUILDGATE_SECRET_KEY": nil])
            #expect(web.waitForExit(timeout: 10) == 1)
            #expect(web.errorOutput.contains("GUILDGATE_SECRET_KEY is not set"))
        }

        @Test(arguments: MalformedStream.allCases)
        func malformedFastCGIStreamsNeverTakeTheAppDown(_ stream: MalformedStream) throws {
            let (stack, _) = try EndToEnd.stack()
            // A stream the app is still waiting on is closed after a second: the app has all of it by then.
            _ = RawFastCGI.exchange(socketPath: stack.socketPath, bytes: stream.bytes, timeout: 1)
            let healthy = try Browser(baseURL: stack.webURL).get("/healthz")
            #expect(healthy.status == 200)
        }
    }
}
