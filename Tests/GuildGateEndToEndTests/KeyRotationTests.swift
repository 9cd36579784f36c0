import CurlHTTP
import DiscordKit
import Foundation
import GuildGateCore
import GuildGateTesting
import Logging
import Store
import Testing

extension EndToEnd {
    /// `GUILDGATE_SECRET_KEY` rotated under running web processes, each on a database of its own (what rotate-keys
    /// seals there never reaches the stack's web), talked to over FastCGI on their own sockets.
    @Suite struct KeyRotation {
        let stack: TestStack
        let sandbox: SandboxControl

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":false}"#)
        }

        static func newKey() -> String {
            Data(FileStorage.randomBytes(32)).base64EncodedString()
        }

        var bearer: String { "Bearer " + (stack.settings["GUILDGATE_API_TOKEN"] ?? "") }

        /// A database of its own in the stack's PostgreSQL, migrated by `guildgate-web migrate`.
        func freshDatabase() throws -> (url: String, drop: () -> Void) {
            let name = "guildgate_keys_\(UUID().uuidString.prefix(8).lowercased())"
            try EndToEnd.database(stack).query("CREATE DATABASE \(name)")
            var components = URLComponents(string: stack.databaseURL)
            components?.path = "/" + name
            let url = try #require(components?.string)
            let migrate = try WebProcess(stack: stack, arguments: ["migrate"], overrides: ["DATABASE_URL": url])
            #expect(migrate.waitForExit(timeout: 60) == 0, "\(migrate.errorOutput.suffix(1000))")
            return (url, { [stack] in _ = try? EndToEnd.database(stack).query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
        }

        /// Settings for a process on `database` with `keys` (newest first); with `savedSecretsOnly`, the bot token and
        /// client secret are only what was saved at /admin/client.
        func overrides(_ keys: [String], database: String, savedSecretsOnly: Bool = false) -> [String: String?] {
            var overrides: [String: String?] = [
                "GUILDGATE_SECRET_KEY": keys.joined(separator: ","), "DATABASE_URL": database, "GUILDGATE_EVENTS_PUBLISH_URL": nil,
            ]
            if savedSecretsOnly {
                overrides["DISCORD_BOT_TOKEN"] = .some(nil)
                overrides["DISCORD_CLIENT_SECRET"] = .some(nil)
            }
            return overrides
        }

        func serve(_ keys: [String], database: String, savedSecretsOnly: Bool = false) throws -> WebProcess {
            let web = try WebProcess(stack: stack, overrides: overrides(keys, database: database, savedSecretsOnly: savedSecretsOnly))
            #expect(web.waitUntilServing(timeout: 30), "\(web.errorOutput.suffix(1500))")
            return web
        }

        func stop(_ web: WebProcess) {
            web.signal(SIGTERM)
            #expect(web.waitForExit(timeout: 20) != nil)
        }

        /// `guildgate-web rotate-keys` with `keys`; its exit status, what it logged and what it printed.
        func rotate(_ keys: [String], database: String, dryRun: Bool = false) throws -> (status: Int32?, log: String, output: String) {
            let rotate = try WebProcess(
                stack: stack, arguments: ["rotate-keys"] + (dryRun ? ["--dry-run"] : []),
                overrides: overrides(keys, database: database, savedSecretsOnly: true))
            let status = rotate.waitForExit(timeout: 120)
            return (status, rotate.errorOutput, rotate.standardOutput)
        }

        /// `guildgate-web doctor --json`'s "secret keys" check with `keys`: its status and detail.
        func secretKeysCheck(_ keys: [String], database: String) throws -> (status: String, detail: String) {
            let doctor = try WebProcess(
                stack: stack, arguments: ["doctor", "--json"], overrides: overrides(keys, database: database, savedSecretsOnly: true))
            _ = doctor.waitForExit(timeout: 60)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(doctor.standardOutput.utf8)) as? [String: Any])
            let check = try #require((json["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "secret keys" })
            return (check["status"] as? String ?? "", check["detail"] as? String ?? "")
        }

        func upload(_ bytes: [UInt8], name: String, to web: WebProcess) throws -> Int {
            let reply = try #require(
                RawFastCGI.call(
                    socketPath: web.socketPath, "POST", "/api/files",
                    headers: ["Content-Type": "multipart/form-data; boundary=gg-test-boundary", "Authorization": bearer],
                    body: FileStorage.multipart(bytes, name: name), timeout: 60))
            #expect(reply.status == 201, "\(reply.text.prefix(400))")
            return try #require(reply.json?["id"] as? Int)
        }

        func download(_ id: Int, from web: WebProcess) throws -> RawFastCGI.Reply {
            try #require(
                RawFastCGI.call(
                    socketPath: web.socketPath, "GET", "/api/files/\(id)/content", headers: ["Authorization": bearer], timeout: 60))
        }

        /// Where the admin API says each secret of the Discord client comes from.
        func secretSources(_ web: WebProcess) throws -> [String: String] {
            let reply = try #require(
                RawFastCGI.call(socketPath: web.socketPath, "GET", "/api/admin/client", headers: ["Authorization": bearer]))
            #expect(reply.status == 200, "\(reply.text.prefix(400))")
            let fields = try #require(reply.json?["fields"] as? [[String: Any]])
            var sources: [String: String] = [:]
            for field in fields where field["secret"] as? Bool == true {
                sources[field["field"] as? String ?? ""] =
                    (field["set"] as? Bool == true ? "set, " : "unset, ") + (field["source"] as? String ?? "")
            }
            return sources
        }

        /// A file stored as GuildGate stored files before migration 12 (its key derived from the newest key and its
        /// salt, nothing sealed in its row), in this process.
        func legacyUpload(_ bytes: [UInt8], name: String, keys: [String], database: String) throws -> Int {
            var settings = stack.settings
            for (name, value) in overrides(keys, database: database) { settings[name] = value }
            let config = try AppConfig(settings: settings)
            let logger = Logger(label: "legacy-upload") { _ in SwiftLogNoOpLogHandler() }
            let rateLimiter = RateLimiter()
            let upload = try FileUpload(
                config: config, db: PostgresConnection(url: database), ownerUserID: nil, name: name,
                contentType: "application/octet-stream",
                declaredSize: bytes.count, limits: nil, logger: logger,
                discord: { logger in
                    DiscordClient(
                        configuration: config.discordConfiguration, transport: HTTPClient(), rateLimiter: rateLimiter, logger: logger)
                }, legacyDataKey: true)
            try bytes.withUnsafeBytes { try upload.append($0) }
            let file = try upload.finish()
            #expect(file.dataKey == nil)
            return file.id
        }

        @Test func filesAndSettingsWrittenUnderTheOldKeyReadBackAfterRotationAndWithoutTheOldKey() throws {
            let (a, b, c) = (Self.newKey(), Self.newKey(), Self.newKey())
            let (database, drop) = try freshDatabase()
            defer { drop() }
            let db = PostgresConnection(url: database)

            // Under A: the Discord client's secrets saved at /admin/client (the only bot token and client secret the
            // processes get: each download asks Discord with that bot token), a file stored now, and one stored as
            // before migration 12.
            var saved = DiscordClientSettings()
            saved[.botToken] = stack.settings["DISCORD_BOT_TOKEN"]
            saved[.clientSecret] = stack.settings["DISCORD_CLIENT_SECRET"]
            try ClientSettingsStore(db).save(try ClientSettingsVault(keys: try SecretKeys.parse(a)).seal(saved), by: "test")
            let bytes = FileStorage.randomBytes(2 * (1 << 20) + 12_345)
            let oldBytes = FileStorage.randomBytes(1 << 20 + 7)
            var web = try serve([a], database: database, savedSecretsOnly: true)
            let current = try upload(bytes, name: "current.bin", to: web)
            stop(web)
            let legacy = try legacyUpload(oldBytes, name: "legacy.bin", keys: [a], database: database)
            let idA = MasterKey(Array(try #require(Data(base64Encoded: a)))).id
            let idB = MasterKey(Array(try #require(Data(base64Encoded: b)))).id
            #expect(try FileStore(db).file(id: current)?.dataKey?.keyID == idA)

            // [B, A]: everything reads; new data goes under B.
            web = try serve([b, a], database: database, savedSecretsOnly: true)
            #expect(try download(current, from: web).body == bytes)
            #expect(try download(legacy, from: web).body == oldBytes)
            #expect(try secretSources(web) == ["client_secret": "set, saved", "bot_token": "set, saved"])
            let newer = try upload(Array(bytes.prefix(1000)), name: "newer.bin", to: web)
            #expect(try FileStore(db).file(id: newer)?.dataKey?.keyID == idB)
            stop(web)

            let before = try secretKeysCheck([b, a], database: database)
            #expect(before.status == "ok")
            #expect(before.detail.contains("under older keys: 1 file(s), the saved client secret, the saved bot token"), "\(before.detail)")
            #expect(before.detail.contains("1 file(s) stored before key ids were recorded"), "\(before.detail)")

            // A dry run says what it would do and changes nothing.
            let dry = try rotate([b, a], database: database, dryRun: true)
            #expect(dry.status == 0, "\(dry.log.suffix(1500))")
            #expect(dry.output.contains("would be sealed again under the newest key: 2 saved secret(s), 1 file key(s)"), "\(dry.output)")
            #expect(try FileStore(db).file(id: current)?.dataKey?.keyID == idA)

            // rotate-keys seals the two secrets, the file's data key and the older file's key (found by its first
            // chunk on Discord) under B; a second run finds nothing left to do.
            let rotated = try rotate([b, a], database: database)
            #expect(rotated.status == 0, "\(rotated.log.suffix(1500))")
            #expect(
                rotated.output.contains("rotate-keys: newest key \(idB) of 2 listed; sealed again under the newest key: 2 saved"),
                "\(rotated.output)")
            let report = try #require(try AuditLogStore(db).recent(limit: 1).first)
            #expect(report.action == "keys.rotate" && report.target == "key:" + idB)
            #expect(report.detail["secrets_resealed"]?.integer == 2)
            #expect(report.detail["file_keys_resealed"]?.integer == 1)
            #expect(report.detail["legacy_file_keys_sealed"]?.integer == 1)
            #expect(report.detail["already_current"]?.integer == 1)
            #expect(try FileStore(db).files(notSealedUnder: idB).isEmpty)
            let again = try rotate([b, a], database: database)
            #expect(again.status == 0, "\(again.log.suffix(1500))")
            let second = try #require(try AuditLogStore(db).recent(limit: 1).first)
            #expect(second.detail["secrets_resealed"]?.integer == 0 && second.detail["file_keys_resealed"]?.integer == 0)
            #expect(second.detail["legacy_file_keys_sealed"]?.integer == 0 && second.detail["already_current"]?.integer == 5)

            #expect(try secretKeysCheck([b, a], database: database).detail.hasSuffix("everything stored is sealed under the newest"))

            // A removed: every file downloads byte for byte, and the saved secrets open (the downloads use the bot token).
            web = try serve([b], database: database, savedSecretsOnly: true)
            #expect(try download(current, from: web).body == bytes)
            #expect(try download(legacy, from: web).body == oldBytes)
            #expect(try download(newer, from: web).body == Array(bytes.prefix(1000)))
            #expect(try secretSources(web) == ["client_secret": "set, saved", "bot_token": "set, saved"])
            stop(web)

            // Without B, rotate-keys names every row it cannot open and changes nothing; a web process refuses the
            // files with 503 and does not take them for damaged.
            let sealedBefore = try FileStore(db).file(id: current)?.dataKey
            let refused = try rotate([c], database: database)
            #expect(refused.status == 1)
            for row in ["client_settings.client_secret", "client_settings.bot_token", "files \(current):", "files \(legacy):"] {
                #expect(refused.log.contains(row), "\(row) not named: \(refused.log.suffix(2000))")
            }
            #expect(!refused.log.contains(c) && !refused.log.contains(b))
            #expect(try FileStore(db).file(id: current)?.dataKey == sealedBefore)
            let unknown = try secretKeysCheck([c], database: database)
            #expect(unknown.status == "problem")
            #expect(unknown.detail.contains("3 file(s) sealed under key(s) \(idB)"), "\(unknown.detail)")
            web = try serve([c], database: database)
            #expect(try download(current, from: web).status == 503)
            #expect(try FileStore(db).file(id: current)?.state == .complete)
            stop(web)
        }

        @Test func aSignInStartedBeforeARotationCompletesAfterIt() throws {
            let (a, b) = (Self.newKey(), Self.newKey())
            let (database, drop) = try freshDatabase()
            defer { drop() }
            try EndToEnd.useFreshDiscordAccount(sandbox, username: "rotating_login")

            // The flow starts on a process with A: its session cookie is signed, and its PKCE verifier derived, with A.
            var web = try serve([a], database: database)
            let start = try #require(RawFastCGI.call(socketPath: web.socketPath, "GET", "/login?next=/files"))
            #expect(start.status == 302)
            let cookie = try #require(start.header("set-cookie")?.split(separator: ";").first.map(String.init))
            let authorize = try #require(start.header("location"))
            stop(web)
            let approval = try EndToEnd.approve(Browser(baseURL: stack.webURL), url: authorize)
            let location = try #require(approval.location)
            let callback = try #require(URLComponents(string: location))
            let path = callback.path + "?" + (callback.percentEncodedQuery ?? "")

            // The callback reaches a process restarted with [B, A]: the same browser, the code exchanged with the
            // flow's own verifier, a new session signed with B.
            web = try serve([b, a], database: database)
            let done = try #require(RawFastCGI.call(socketPath: web.socketPath, "GET", path, headers: ["Cookie": cookie]))
            #expect(done.status == 302)
            #expect(done.header("location") == stack.webURL + "/files", "\(done.header("location") ?? "")")
            let session = try #require(done.header("set-cookie")?.split(separator: ";").first.map(String.init))
            stop(web)

            web = try serve([b], database: database)
            let files = try #require(RawFastCGI.call(socketPath: web.socketPath, "GET", "/api/files", headers: ["Cookie": session]))
            #expect(files.status == 200)
            stop(web)
        }
    }
}
