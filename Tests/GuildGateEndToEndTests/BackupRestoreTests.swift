import DevStack
import Foundation
import GuildGateTesting
import Testing

extension EndToEnd {
    /// README "Backup and restore", done: `pg_dump -Fc` of the one database, restored with `pg_restore` into a fresh
    /// PostgreSQL cluster, `guildgate-web migrate`, a web process started on it, and a file stored before the backup
    /// downloaded from the same Discord (the storage channels keep the file bodies) with the same secret key.
    @Suite struct BackupAndRestore {
        let stack: TestStack
        let sandbox: SandboxControl

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":false}"#)
        }

        /// Runs a PostgreSQL program of the stack's version; its exit status and output.
        func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try LocalStack.postgresProgram(program))
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }

        @Test func aDumpRestoredIntoAFreshClusterServesAFileStoredBeforeTheBackup() throws {
            let (owner, csrf) = try EndToEnd.logIn(stack, sandbox, username: "backup_owner")
            let bytes = FileStorage.randomBytes((1 << 20) + 4321)
            let created = try EndToEnd.uploadFile(owner, bytes, name: "before-backup.bin", headers: ["X-CSRF-Token": csrf])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json?["id"] as? Int)

            let directory = stack.directory + "/restore-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let dump = directory + "/guildgate.dump"
            let dumped = try run("pg_dump", ["--format=custom", "--file=" + dump, "--dbname=" + stack.databaseURL])
            #expect(dumped.status == 0, "\(dumped.output)")

            let fresh = TestStack.localStack(directory + "/stack")
            defer { fresh.down(purge: true) }
            let restoredURL = try fresh.startDatabase()
            #expect(restoredURL != stack.databaseURL)
            let restored = try run("pg_restore", ["--exit-on-error", "--no-owner", "--dbname=" + restoredURL, dump])
            #expect(restored.status == 0, "\(restored.output)")

            let overrides: [String: String?] = ["DATABASE_URL": restoredURL, "GUILDGATE_EVENTS_PUBLISH_URL": nil]
            let migrate = try WebProcess(stack: stack, arguments: ["migrate"], overrides: overrides)
            #expect(migrate.waitForExit(timeout: 60) == 0, "\(migrate.errorOutput.suffix(1000))")
            let web = try WebProcess(stack: stack, overrides: overrides)
            #expect(web.waitUntilServing(timeout: 30), "\(web.errorOutput.suffix(1500))")
            defer {
                web.signal(SIGTERM)
                _ = web.waitForExit(timeout: 20)
            }
            let download = try #require(
                RawFastCGI.call(
                    socketPath: web.socketPath, "GET", "/api/files/\(id)/content",
                    headers: ["Authorization": "Bearer " + (stack.settings["GUILDGATE_API_TOKEN"] ?? "")], timeout: 60))
            #expect(download.status == 200, "\(download.text.prefix(500))")
            #expect(download.body == bytes)
        }
    }
}
