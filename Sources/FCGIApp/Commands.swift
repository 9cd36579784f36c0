import ArgumentParser
import CFastCGI
import Foundation
import Handlers
import Logging
import Store
import GuildGateCore

/// `guildgate-web serve`: answers FastCGI requests from nginx.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve FastCGI requests.")

    @Option(help: "A unix socket path, or host:port for TCP (loopback or a private network only: FastCGI has no authentication).")
    var listen: String = "/run/guildgate/web.sock"

    @Option(help: "Worker threads; keep it above nginx's upstream keepalive × worker processes.")
    var threads: Int = 16

    @Option(
        help:
            "A second socket for file uploads and downloads, with its own threads, so that long transfers never hold the threads pages need (nginx sends /files and /api/files there)."
    )
    var transferListen: String?

    @Option(
        help: "Worker threads of --transfer-listen: the most transfers at once, plus nginx's keepalive × worker processes of that upstream."
    )
    var transferThreads: Int = 8

    @Option(help: "Bytes a second a request body must average; a slower one is cut off (408; an upload is abandoned).")
    var minBodyRate: Int = 1024

    @Option(help: "Seconds of slack for --min-body-rate; also how long a response write waits for nginx to take any of it.")
    var slowClientTimeout: Int = 20

    @Option(help: "Group that may connect to the unix sockets (nginx's worker group).")
    var socketGroup: String?

    func validate() throws {
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be between 1 and 1024") }
        guard (1...1024).contains(transferThreads) else { throw ValidationError("--transfer-threads must be between 1 and 1024") }
        guard transferListen != listen else { throw ValidationError("--transfer-listen must differ from --listen") }
        guard minBodyRate >= 1 else { throw ValidationError("--min-body-rate must be at least 1 (bytes a second)") }
        guard (1...3600).contains(slowClientTimeout) else {
            throw ValidationError("--slow-client-timeout must be between 1 and 3600 seconds")
        }
    }

    func run() throws {
        let logger = Launch.logger("guildgate-web")
        FastCGIServer.blockShutdownSignals()
        MemoryPolicy.returnLargeBuffersToTheSystem()
        let environment = AppEnvironment.launch(logger: logger)
        Launch.checkDatabase(environment.config, logger: logger)
        Launch.reporting(logger) { try environment.settings.reload(from: PostgresConnection(url: environment.config.databaseURL)) }
        SettingsWatcher(settings: environment.settings, logger: logger).start()
        if let target = environment.config.eventsPublishTarget {
            RosterPublisher(settings: environment.settings, target: target, logger: logger).start()
        } else {
            logger.notice("roster events are not published (GUILDGATE_EVENTS_PUBLISH_URL is not set)")
        }
        var pools = [
            WorkerPool(
                name: "fcgi", listener: Launch.reporting(logger) { try FastCGIListener(address: listen, socketGroup: socketGroup) },
                threads: threads)
        ]
        if let transferListen {
            pools.append(
                WorkerPool(
                    name: "transfer",
                    listener: Launch.reporting(logger) { try FastCGIListener(address: transferListen, socketGroup: socketGroup) },
                    threads: transferThreads))
        }
        let server = FastCGIServer(
            pools: pools, pace: BodyPace(minimumRate: minBodyRate, window: .seconds(slowClientTimeout)),
            application: Application(environment: environment), logger: logger)
        server.run()
    }
}

/// `guildgate-web migrate`: brings the database schema up to date.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    func run() throws {
        let logger = Launch.logger("guildgate-web")
        let settings = Launch.settings(logger: logger)
        let db = PostgresConnection(url: settings.databaseURL)
        let applied = Launch.reporting(logger) { try Migrations.migrate(db, logger: logger) }
        logger.info(
            "database is up to date",
            metadata: [
                "version": "\(Migrations.latestVersion)", "applied": "\(applied.count)",
            ])
    }
}

/// `guildgate-web create-admin`: creates an admin account, or resets its password and ends its sessions.
struct CreateAdmin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin", abstract: "Create an admin account, or reset its password (which signs it out everywhere).")

    @Option(help: "The admin's username.")
    var username: String

    @Flag(help: "Read the password from standard input (one line).")
    var passwordStdin = false

    func validate() throws {
        guard passwordStdin else { throw ValidationError("pass --password-stdin and the password on standard input") }
        guard (1...64).contains(username.count), username.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) })
        else { throw ValidationError("--username must be 1-64 letters, digits, '.', '_' or '-'") }
    }

    func run() throws {
        let logger = Launch.logger("guildgate-web")
        guard let password = readLine(strippingNewline: true), password.count >= 8 else {
            throw ValidationError("the password on standard input must be at least 8 characters")
        }
        let settings = Launch.settings(logger: logger)
        let db = PostgresConnection(url: settings.databaseURL)
        let (created, sessionsEnded) = Launch.reporting(logger) {
            try Migrations.requireCurrent(db)
            return try AdminStore(db).upsert(username: username, passwordHash: try PasswordHasher.hash(password))
        }
        if created {
            logger.info("admin created", metadata: ["username": "\(username)"])
        } else {
            logger.info(
                "admin password reset; the admin's sessions are ended",
                metadata: [
                    "username": "\(username)", "sessions_ended": "\(sessionsEnded)",
                ])
        }
    }
}

/// `guildgate-web staff …`: the staff roster.
struct Staff: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage the staff roster.", subcommands: [Import.self])

    /// `guildgate-web staff import roster.csv`: all rows or none; bad rows are named with their line.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a roster CSV (header row with name, rank, discord_id); idempotent by Discord id.")

        @Argument(help: "The CSV file exported from the spreadsheet.")
        var file: String

        func run() throws {
            let logger = Launch.logger("guildgate-web")
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                logger.critical("cannot read \(file) as UTF-8 text")
                throw ExitCode.failure
            }
            let rows: [StaffImportRow]
            do {
                rows = try RosterCSV.parse(text)
            } catch {
                for problem in error.problems { logger.error("\(file): \(problem)") }
                logger.critical("nothing imported: fix the \(error.problems.count) problem(s) above and run the import again")
                throw ExitCode.failure
            }
            let settings = Launch.settings(logger: logger)
            let db = PostgresConnection(url: settings.databaseURL)
            let counts = Launch.reporting(logger) {
                try Migrations.requireCurrent(db)
                return try StaffStore(db).importRows(rows)
            }
            logger.info(
                "staff imported",
                metadata: [
                    "file": "\(file)", "created": "\(counts.created)", "updated": "\(counts.updated)",
                ])
        }
    }
}
